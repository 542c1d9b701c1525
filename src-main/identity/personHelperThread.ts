/**
 * The person helper's entry (bundled as out/main/personHelper.js beside the job worker): computes
 * the batches of person rows the join's pass hands it (personBatch.ts) and answers each on the
 * port it was given (core/syncPort.ts: the join waits without an event loop).
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { computeBatch, type ClusterBatch, type PersonBatchContext } from './personBatch';
import type { HelperAnswer } from './personHelper';
import { postAndRing } from '../core/syncPort';

const { port, signal, ctx } = workerData as { port: MessagePort; signal: SharedArrayBuffer; ctx: PersonBatchContext };
const ring = new Int32Array(signal);

const answer = (a: HelperAnswer) => postAndRing(port, ring, 0, a);

port.on('message', (m: { seq: number; batch: ClusterBatch }) => {
  try {
    answer({ seq: m.seq, rows: computeBatch(m.batch, ctx) });
  } catch (err) {
    answer({ seq: m.seq, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
});
