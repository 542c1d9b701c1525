/**
 * A second connection for a first build's load. A first build reads every mirror row in pages
 * ordered by id and, on the thread that holds the rebuild's transaction, turns each page into join
 * nodes and node-cache rows. With a reader, another thread runs the same page queries on a
 * connection of its own, one read transaction for all of them, and keeps up to two pages ready:
 * SQLite builds the next page (the records' columns packed as JSON, their participations and gifts
 * gathered) on the second core while the join writes this one.
 *
 * Only where the two connections see the same mirrors: the rebuild's own transaction must not
 * have written them (the identity service says so for a transaction it started itself), and the
 * join holds the store's write lock before the reader starts (the load has emptied the node cache
 * by then), so nothing can commit between what the one connection reads and the other.
 *
 * The job worker installs the reader with its connection's key (its memory only); anywhere else,
 * and for a store too small to be worth a thread, the join reads its pages itself.
 */
import fs from 'node:fs';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Db } from '../store/db';
import { receiveSync, SECOND_THREAD_LIMITS } from '../core/syncPort';
import { pageQueries, type PageQuery } from './mirrorPages';

/** Below this many mirror rows, the join reads its pages itself (a thread costs ~50 ms and a connection to start). */
export const READER_MIN_RECORDS = 50_000;
/** How long the join waits for one page before it gives up on the reader (and the rebuild rolls back). */
const PAGE_TIMEOUT_MS = 120_000;

/** The shared counters: pages posted by the reader, pages taken by the join, and the join's stop. */
export const POSTED = 0;
export const TAKEN = 1;
export const STOP = 2;

export type ReaderMessage = { q: number; rows: unknown[][] } | { error: string };

export interface ReaderOpen {
  /** The store key's bytes (null: a plain store) and Electron's own native addon, as the job worker opened its connection. */
  key: Uint8Array | null;
  nativeBinding?: string;
}

let installed: { script: string; open: ReaderOpen; minRecords: number } | null = null;

export function installMirrorReader(script: string | null, open: ReaderOpen = { key: null }, minRecords = READER_MIN_RECORDS): void {
  installed = script && fs.existsSync(script) ? { script, open, minRecords } : null;
}

/** Whether the mirror tables hold at least `min` rows (counted no further than that: milliseconds). */
function mirrorRowsReach(db: Db, min: number): boolean {
  let n = 0;
  for (const t of ['vomo_users', 'crm_individuals', 'crm_contacts', 'raise_donors']) {
    if (n >= min) break;
    n += db.prepare(`SELECT COUNT(*) FROM (SELECT 1 FROM ${t} LIMIT ?)`).pluck().get(min - n) as number;
  }
  return n >= min;
}

/** Pages of the given queries, in order, from the reader thread. */
export class MirrorReader {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly bell: Int32Array;
  private q = 0;
  /** Pages the join took from the reader. */
  pages = 0;

  /** A reader for these queries (each a mirror read ordered by id), or null: the join reads them itself. */
  static start(db: Db, profileId: number, queries: { sql: string; alias: string; idAt: number }[]): MirrorReader | null {
    if (!installed || db.memory || !mirrorRowsReach(db, installed.minRecords)) return null;
    return new MirrorReader(installed.script, installed.open, db.name, profileId, queries);
  }

  private constructor(
    script: string,
    open: ReaderOpen,
    file: string,
    profileId: number,
    private readonly queries: { sql: string; alias: string; idAt: number }[],
  ) {
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(12);
    this.port = port1;
    this.bell = new Int32Array(shared);
    const pages: PageQuery[] = queries.map((x) => pageQueries(x.sql, x.alias, x.idAt));
    this.worker = new Worker(script, { workerData: { port: port2, bell: shared, file, open, params: { p: profileId }, pages }, transferList: [port2], resourceLimits: SECOND_THREAD_LIMITS });
    // Its failures are answered on the port; an event left without a listener would end the job worker later.
    this.worker.on('error', () => {});
  }

  /** The next page of `sql` (the query the join is reading now); empty when it has no more rows. */
  page(sql: string): unknown[][] {
    if (this.queries[this.q]?.sql !== sql) throw new Error('The join asked the mirror reader for a query out of order.');
    const m = receiveSync<ReaderMessage>(this.port, this.bell, POSTED, PAGE_TIMEOUT_MS, 'The mirror reader');
    if ('error' in m) throw new Error(`The mirror reader failed: ${m.error}`);
    if (m.q !== this.q) throw new Error(`The mirror reader sent query ${m.q} where ${this.q} was due.`);
    this.pages++;
    Atomics.add(this.bell, TAKEN, 1);
    Atomics.notify(this.bell, TAKEN);
    if (!m.rows.length) this.q++;
    return m.rows;
  }

  close(): void {
    Atomics.store(this.bell, STOP, 1);
    Atomics.notify(this.bell, TAKEN);
    this.port.close();
    void this.worker.terminate();
  }
}
