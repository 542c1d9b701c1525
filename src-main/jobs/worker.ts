/**
 * The job worker's entry (bundled as out/main/jobWorker.js): its own connection to the store,
 * opened by the same function as the core's, and the job services built over it by the
 * composition root. What only the core has (tokens, sandbox servers, the sandbox clock, the
 * write gate) is asked of it by message.
 */
import path from 'node:path';
import v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { AppError, type IpcErrorShape } from '../../src-shared/errors';
import type { EventMessage } from '../../src-shared/ipc/events';
import { openDatabase, databasePath } from '../store/db';
import { StoreKey } from '../store/cipher';
import { storeWriteError } from '../store/storeErrors';
import { foldLog, leaveCheckpointsToWorker } from '../store/checkpoints';
import { log, setLogSink } from '../core/log';
import { exposedCollector, installGarbageCollector } from '../core/garbage';
import { createJobServices } from '../core/jobServices';
import { installPersonHelper } from '../identity/personHelper';
import { installMirrorReader } from '../identity/mirrorReader';
import { CancelToken } from './cancel';
import { jobKinds, type JobServices } from './kinds';
import { HostCaller } from './hostCalls';
import { RETIRE_ABOVE_HEAP_MB, type FromWorker, type ToWorker, type WorkerInit } from './protocol';

const port = parentPort!;
const init = workerData as WorkerInit;
const send = (m: FromWorker) => port.postMessage(m);
// Long jobs say when much of what they held has become garbage (core/garbage.ts).
installGarbageCollector(exposedCollector());
// A load of every record reads the mirrors, and a large persons pass computes, on a second thread
// (identity/mirrorReader.ts, identity/personHelper.ts), each bundled beside this one; the reader
// opens its own connection as this thread does.
installMirrorReader(path.join(__dirname, 'mirrorReader.js'), { key: init.storeKey, nativeBinding: init.nativeBinding }, init.mirrorReaderMinRecords);
installPersonHelper(path.join(__dirname, 'personHelper.js'), init.personHelperMinClusters);

const hostCalls = new HostCaller(send);
const host: HostCaller['call'] = (method, ...args) => hostCalls.call(method, ...args);

const tokens = new Map<number, CancelToken>();
let services: JobServices;
let idleFold: NodeJS.Timeout | undefined;
/** How often an idle worker folds the log the core's own writes (a sync's pages) left. */
const IDLE_FOLD_MS = init.idleFoldMs ?? 2_000;

/** The log folded into the file (store/checkpoints.ts); a failure costs only a longer log. */
function fold(): void {
  try {
    foldLog(services.db);
  } catch (err) {
    log.warn('the write-ahead log could not be folded into the store now', { error: err });
  }
}

/**
 * Whether the job just finished left this thread's heap (garbage included: what the process
 * pays for), or the process it runs in, large enough to end the worker rather than keep it
 * (protocol.ts). Decided here, before the log is folded: a worker that ends leaves that to the next.
 */
const leftLarge = () =>
  v8.getHeapStatistics().total_heap_size > (init.retireAboveHeapMb ?? RETIRE_ABOVE_HEAP_MB) * 1048576 ||
  (init.retireAboveRssMb !== undefined && process.memoryUsage.rss() > init.retireAboveRssMb * 1048576);

/**
 * Ends this worker after its job: the connection closed, the thread gone with its heap. The log
 * its job left is not folded here (seconds after a big rebuild, with that heap still held): the
 * next worker folds it when idle or after its first job.
 */
function retire(): never {
  clearInterval(idleFold);
  try {
    services.db.close();
  } catch (err) {
    log.warn('the retiring job worker could not close its store connection', { error: err });
  }
  process.exit(0);
}

async function runJob(m: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const token = new CancelToken(m.flag);
  tokens.set(m.jobId, token);
  let retiring = false;
  try {
    const impl = jobKinds[m.kind] as (s: JobServices, i: unknown, ctx: Parameters<(typeof jobKinds)['rebuild']>[2]) => Promise<unknown>;
    const output = await impl(services, m.input, {
      token,
      progress: (progress) => send({ type: 'progress', jobId: m.jobId, progress }),
      async exclusive(fn) {
        await host('gate.acquire');
        try {
          const out = await fn();
          // Committed: from here on a cancel would report a store that is not as it was.
          token.finish();
          return out;
        } finally {
          await host('gate.release');
        }
      },
      dedicatedConnection: true,
    });
    send({ type: 'done', jobId: m.jobId, output, retiring: (retiring = leftLarge()) });
  } catch (err) {
    let error: IpcErrorShape;
    const mapped = storeWriteError(err, databasePath(init.dataDir));
    if (mapped instanceof AppError) error = mapped.toShape();
    else {
      log.error(`job ${m.kind} failed in the worker`, { error: err });
      error = { code: 'INTERNAL', message: 'The job failed. Details are in the log.' };
    }
    send({ type: 'failed', jobId: m.jobId, error, retiring: (retiring = leftLarge()) });
  } finally {
    tokens.delete(m.jobId);
  }
  if (retiring) retire();
  // After the result went out: the steward sees the job done without waiting for this.
  if (!tokens.size && init.foldAfterJob !== false) fold();
}

try {
  if (init.logLevel) setLogSink((line) => process.stderr.write(line + '\n'), init.logLevel as 'warn');
  const db = openDatabase(databasePath(init.dataDir), {
    nativeBinding: init.nativeBinding,
    key: init.storeKey ? StoreKey.fromBytes(Buffer.from(init.storeKey)) : null,
    keyFrom: init.keyFrom,
    readonly: !!init.readonly,
  });
  leaveCheckpointsToWorker(db);
  services = createJobServices({
    db,
    dataDir: init.dataDir,
    events: { emit: (name, payload) => send({ type: 'event', message: { name, payload } as EventMessage }) },
    ...hostCalls.services(),
  });
  port.on('message', (m: ToWorker) => {
    if (m.type === 'run') void runJob(m);
    else if (m.type === 'cancel') tokens.get(m.jobId)?.cancel();
    else if (m.type === 'host.result') hostCalls.settle(m);
  });
  // Idle folding: only between jobs (a job's transaction holds pages the fold cannot copy yet).
  idleFold = setInterval(() => {
    if (!tokens.size) fold();
  }, IDLE_FOLD_MS).unref();
  send({ type: 'ready' });
} catch (err) {
  send({ type: 'fatal', message: (err as Error).message });
}
