/**
 * The typed client: `await api['profiles.list']({})`. Errors come back as IpcError with the
 * contract's code and a message fit to show the steward.
 */
import type { Api, ChannelName, In, Out } from '../../src-shared/ipc/contract';
import type { EventName, EventPayload } from '../../src-shared/ipc/events';
import { IpcError } from '../../src-shared/errors';
import { transport } from './transport';

export async function call<K extends ChannelName>(channel: K, input: In<K>): Promise<Out<K>> {
  const envelope = await transport().invoke(channel, input);
  if (envelope.ok) return envelope.data as Out<K>;
  throw new IpcError(envelope.error);
}

export const api: Api = new Proxy({} as Api, {
  get: (_t, channel: string) => (input: unknown) => call(channel as ChannelName, input as never),
});

export function onEvent<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void {
  return transport().subscribe((m) => {
    if (m.name === name) listener(m.payload as EventPayload<K>);
  });
}

export { IpcError };
