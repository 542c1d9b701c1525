/**
 * A second thread for a persons pass over everyone (a first build; a recompute of every person, as
 * a new phone region asks). Computing a person from its records' kept fields (parsing them,
 * computePerson, the row's values and digest) is about half of that pass, and the other half,
 * reading the fields and writing the rows, must stay on the thread that holds the rebuild's
 * transaction. With a helper, the join hands it clusters a batch at a time and writes the rows of
 * the batch before while the helper computes the next: the two cores work at once. A recompute
 * gets back only the rows that read differently from the stored ones (personBatch.ts).
 *
 * The rebuild is synchronous inside its transaction, so the join waits for each answer without an
 * event loop (core/syncPort.ts).
 *
 * The job worker installs the helper (its entry is bundled beside the worker's); anywhere else,
 * and for a pass of fewer clusters than it is worth starting a thread for, the join computes
 * its persons itself, the same way (personBatch.ts).
 */
import fs from 'node:fs';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { receiveSync, SECOND_THREAD_LIMITS } from '../core/syncPort';
import type { NodeKind } from './nodes';
import { computeBatch, emptyBatch, KIND_CODES, type BatchRow, type ClusterBatch, type PersonBatchContext } from './personBatch';

export type HelperAnswer = { seq: number; rows: BatchRow[] } | { seq: number; error: string };

/** A pass over fewer clusters computes them itself: a thread costs ~50 ms and some memory to start. */
export const HELPER_MIN_CLUSTERS = 20_000;
/** Clusters per batch: a few hundred KB of fields text, answered in about a millisecond; two are out at a time. */
const BATCH_CLUSTERS = 512;
/** How long the join waits for one batch before it gives up on the helper (and the rebuild rolls back). */
const ANSWER_TIMEOUT_MS = 120_000;

let installed: { script: string; minClusters: number } | null = null;

/** The helper's bundled entry (null: none), and the smallest pass that uses it. */
export function installPersonHelper(script: string | null, minClusters = HELPER_MIN_CLUSTERS): void {
  installed = script && fs.existsSync(script) ? { script, minClusters } : null;
}

const CODE_OF = Object.fromEntries(KIND_CODES.map((k, i) => [k, i])) as Record<NodeKind, number>;

/**
 * Rows computed on the helper and handed back to `use` (the row as ctx.answer asks for it,
 * personBatch.ts, and the cluster): a first build's in the order their clusters were added, a
 * recompute's in any order (some computed on this thread while the helper is behind). Add a cluster (`cluster`, then
 * each `member`), then `added`; `finish` when all are added; `close` in every case.
 */
export class PersonHelper {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly ring: Int32Array;
  private batch: ClusterBatch = emptyBatch();
  private batchClusters: number[] = [];
  /** Batches sent and not yet answered: their clusters, oldest first. */
  private readonly inFlight: { seq: number; clusters: number[] }[] = [];
  private seq = 0;
  /** Rows the helper computed and this thread handed on. */
  computed = 0;
  /** Rows this thread computed itself while the helper was behind (a recompute's pass only). */
  computedHere = 0;
  /** Milliseconds this thread waited for the helper's answers (the helper was the slower). */
  waitedMs = 0;

  /** A helper for a pass over `clusters` clusters, or null (the join computes them itself). */
  static start(clusters: number, ctx: PersonBatchContext, use: (row: BatchRow, c: number) => void): PersonHelper | null {
    if (!installed || clusters < installed.minClusters) return null;
    return new PersonHelper(installed.script, ctx, use);
  }

  private constructor(
    script: string,
    private readonly ctx: PersonBatchContext,
    private readonly use: (row: BatchRow, c: number) => void,
  ) {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    this.port = port1;
    this.ring = new Int32Array(signal);
    this.worker = new Worker(script, { workerData: { port: port2, signal, ctx }, transferList: [port2], resourceLimits: SECOND_THREAD_LIMITS });
    // Its failures are answered on the port; an event left without a listener would end the job worker later.
    this.worker.on('error', () => {});
  }

  /** `stored`: the row digest of the person's stored row (NaN: none, or not known). */
  cluster(c: number, personId: string, created: string | null, digest: number, stored = NaN): void {
    const b = this.batch;
    b.ids.push(personId);
    b.created.push(created);
    b.digests.push(digest);
    b.stored.push(stored);
    b.sizes.push(0);
    this.batchClusters.push(c);
  }

  member(kind: NodeKind, recordId: string, flags: number, text: string): void {
    const b = this.batch;
    b.sizes[b.sizes.length - 1]++;
    b.kinds.push(CODE_OF[kind]);
    b.recordIds.push(recordId);
    b.flags.push(flags);
    b.texts.push(text);
  }

  /** After a cluster's members: a full batch goes to the helper, and the one before it is written. */
  added(): void {
    if (this.batchClusters.length >= BATCH_CLUSTERS) this.send();
  }

  /** Sends what is left and writes every answer still owed. */
  finish(): void {
    if (this.batchClusters.length) this.send();
    while (this.inFlight.length) this.take();
  }

  close(): void {
    this.port.close();
    void this.worker.terminate();
  }

  private send(): void {
    // A first build's rows are written in the order their clusters came (primary-key order), and
    // there this thread, which writes them, is the slower: two batches out, the helper computes
    // one while this thread writes the other. A recompute's rows go anywhere (each found by its
    // ID) and most are not written at all: there the helper is the slower (at a million persons
    // this thread waited 5.0-5.3 s of an 8.7 s pass), so while it owes three batches this thread
    // computes the next itself instead of waiting (with two owed, the pass took 7.1-7.4 s against
    // 6.9 s in process).
    const inOrder = this.ctx.answer !== 'changed';
    if (!inOrder) {
      this.takeReady();
      if (this.inFlight.length >= 3) {
        const rows = computeBatch(this.batch, this.ctx);
        this.computedHere += rows.length;
        for (let k = 0; k < rows.length; k++) this.use(rows[k], this.batchClusters[k]);
        this.batch = emptyBatch();
        this.batchClusters = [];
        return;
      }
    }
    const seq = ++this.seq;
    this.port.postMessage({ seq, batch: this.batch });
    this.inFlight.push({ seq, clusters: this.batchClusters });
    this.batch = emptyBatch();
    this.batchClusters = [];
    if (inOrder) while (this.inFlight.length > 1) this.take();
  }

  /** Hands on every answer already there, without waiting. */
  private takeReady(): void {
    while (this.inFlight.length) {
      const m = receiveMessageOnPort(this.port);
      if (!m) return;
      this.handOn(m.message as HelperAnswer);
    }
  }

  private take(): void {
    this.handOn(this.answer());
  }

  private handOn(a: HelperAnswer): void {
    const { seq, clusters } = this.inFlight.shift()!;
    if (a.seq !== seq) throw new Error(`The person helper answered batch ${a.seq} where ${seq} was due.`);
    if ('error' in a) throw new Error(`The person helper failed: ${a.error}`);
    this.computed += a.rows.length;
    for (let k = 0; k < a.rows.length; k++) this.use(a.rows[k], clusters[k]);
  }

  private answer(): HelperAnswer {
    const t = performance.now();
    try {
      return receiveSync<HelperAnswer>(this.port, this.ring, 0, ANSWER_TIMEOUT_MS, 'The person helper');
    } finally {
      this.waitedMs += performance.now() - t;
    }
  }
}
