/**
 * The IPC relay of the Electron main process: every contract channel is handled by forwarding
 * the call to the backend (a message) and returning its envelope; every backend event goes to
 * the window. Calls from anything but the app's own page are refused here, before the backend.
 * Electron-free (its pieces are passed in), so it is tested without the binary.
 */
import type { EventMessage } from '../../src-shared/ipc/events';
import type { Backend } from '../core/app';

interface HandleEvent {
  senderFrame?: { url: string } | null;
}

export interface RelayOptions {
  channels: string[];
  ipcMain: { handle(channel: string, listener: (event: HandleEvent, input: unknown) => unknown): void };
  backend: Pick<Backend, 'invoke' | 'subscribe'>;
  isTrusted(event: HandleEvent): boolean;
  send(message: EventMessage): void;
  /** Called with the unsubscribe function for when the window closes. */
  onClosed(fn: () => void): void;
}

export function registerRelay(o: RelayOptions): void {
  for (const name of o.channels) {
    o.ipcMain.handle(name, (event, input) => {
      if (!o.isTrusted(event)) {
        return { ok: false, error: { code: 'VALIDATION', message: 'Calls are accepted from the Twofold window only.' } };
      }
      return o.backend.invoke(name, input, 'electron');
    });
  }
  o.onClosed(o.backend.subscribe((message) => o.send(message)));
}
