/**
 * The backend's entry (bundled as out/main/backend.js): in Electron a utility process forked by
 * the main process (messages on process.parentPort), in the web shell a worker thread of
 * `twofold serve`. Either way the core runs here, off the thread that serves the steward, and
 * its long jobs run in a worker thread of this one.
 */
import { parentPort } from 'node:worker_threads';
import type { FromBackend, Port, ToBackend } from './protocol';
import { serveBackend } from './serve';

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;

const port: Port<FromBackend, ToBackend> = electronPort
  ? { post: (m) => electronPort.postMessage(m), onMessage: (fn) => electronPort.on('message', (e) => fn(e.data as ToBackend)) }
  : { post: (m) => parentPort!.postMessage(m), onMessage: (fn) => parentPort!.on('message', fn) };

serveBackend(port, () => {
  // A utility process ends with its core; a worker thread is ended by its shell.
  if (electronPort) process.exit(0);
});
