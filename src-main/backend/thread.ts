/**
 * The web shell's backend: the core in a worker thread of `twofold serve`, so the HTTP server and
 * the event stream keep answering while the core works.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BackendClient } from './client';
import type { BackendInit, FromBackend, ToBackend } from './protocol';

export async function startThreadBackend(init: Omit<BackendInit, 'shell'>, script = path.join(__dirname, 'backend.js')): Promise<BackendClient> {
  const worker = new Worker(script);
  const client = new BackendClient(
    { post: (m: ToBackend) => worker.postMessage(m), onMessage: (fn: (m: FromBackend) => void) => worker.on('message', fn) },
    { kill: async () => void (await worker.terminate()) },
  );
  worker.on('error', (err) => client.exited(err.message));
  worker.on('exit', (code) => client.exited(`it exited (${code})`));
  try {
    await client.start({ ...init, shell: 'web' });
  } catch (err) {
    // A backend that could not start is ended: its thread would keep the process alive (a
    // `twofold serve` that said why it failed, a full disk, and then never exited).
    await worker.terminate();
    throw err;
  }
  return client;
}
