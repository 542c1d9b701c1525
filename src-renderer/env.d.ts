/// <reference types="vite/client" />
import type { EventMessage } from '../src-shared/ipc/events';

declare global {
  interface Window {
    /** Present only in the Electron shell (the preload's contextBridge surface). */
    twofold?: {
      invoke(channel: string, input: unknown): Promise<unknown>;
      subscribe(listener: (message: EventMessage) => void): () => void;
    };
  }
}
export {};
