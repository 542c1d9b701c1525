/**
 * The only bridge between the sandboxed renderer and the main process: `invoke` limited to the
 * contract's channel names and `subscribe` to pushed events. Nothing else is exposed.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { contract } from '../../src-shared/ipc/contract';
import type { EventMessage } from '../../src-shared/ipc/events';
import { EVENT_CHANNEL } from './ipcNames';

const names = new Set(Object.keys(contract));

const bridge = {
  invoke(channel: string, input: unknown): Promise<unknown> {
    if (!names.has(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `There is no channel named "${channel}".` } });
    }
    return ipcRenderer.invoke(channel, input);
  },
  subscribe(listener: (message: EventMessage) => void): () => void {
    const wrapped = (_e: IpcRendererEvent, message: EventMessage) => listener(message);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
  },
};

contextBridge.exposeInMainWorld('twofold', bridge);
