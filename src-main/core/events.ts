import { EventEmitter } from 'node:events';
import type { EventName, EventPayload, EventMessage } from '../../src-shared/ipc/events';

/** Typed main-side event bus; the shells subscribe once and forward every message. */
export class EventBus {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(100);
  }
  emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    this.emitter.emit('message', { name, payload } as EventMessage);
  }
  /** Every message, for forwarding to a shell. Returns the unsubscribe function. */
  subscribe(listener: (message: EventMessage) => void): () => void {
    this.emitter.on('message', listener);
    return () => this.emitter.off('message', listener);
  }
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void {
    const wrapped = (m: EventMessage) => {
      if (m.name === name) listener(m.payload as EventPayload<K>);
    };
    return this.subscribe(wrapped);
  }
}
