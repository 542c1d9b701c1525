/**
 * The mirror reader's entry (bundled as out/main/mirrorReader.js beside the job worker): runs the
 * join's page queries on a connection of its own, in one read transaction, at most two pages
 * ahead of the join (mirrorReader.ts), and posts each page (core/syncPort.ts).
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { connect } from '../store/db';
import { StoreKey } from '../store/cipher';
import { postAndRing } from '../core/syncPort';
import { POSTED, STOP, TAKEN, type ReaderMessage, type ReaderOpen } from './mirrorReader';
import type { PageQuery } from './mirrorPages';

/** Pages ready and not yet taken: enough to keep the join busy, few enough to hold little. */
const AHEAD = 2;

const { port, bell: shared, file, open, params, pages } = workerData as {
  port: MessagePort;
  bell: SharedArrayBuffer;
  file: string;
  open: ReaderOpen;
  params: Record<string, unknown>;
  pages: PageQuery[];
};
const bell = new Int32Array(shared);
const post = (m: ReaderMessage) => postAndRing(port, bell, POSTED, m);
const stopped = () => Atomics.load(bell, STOP) !== 0;

function read(): void {
  const db = connect(file, { key: open.key ? StoreKey.fromBytes(Buffer.from(open.key)) : null, nativeBinding: open.nativeBinding });
  try {
    db.pragma('query_only = 1');
    db.pragma('temp_store = MEMORY');
    // Each page is read once, in order: a small cache (the indexes' upper pages fit), kept small
    // for it sits in the job process beside the rebuild's own.
    db.pragma('cache_size = -8192');
    db.exec('BEGIN');
    let posted = 0;
    for (let q = 0; q < pages.length; q++) {
      const first = db.prepare(pages[q].first).raw();
      const next = db.prepare(pages[q].next).raw();
      let after: unknown = null;
      for (;;) {
        for (let taken = Atomics.load(bell, TAKEN); posted - taken >= AHEAD && !stopped(); taken = Atomics.load(bell, TAKEN)) Atomics.wait(bell, TAKEN, taken, 1_000);
        if (stopped()) return;
        const rows = (after === null ? first.all(params) : next.all({ ...params, after })) as unknown[][];
        post({ q, rows });
        posted++;
        if (!rows.length) break;
        after = rows[rows.length - 1][pages[q].idAt];
      }
    }
    db.exec('COMMIT');
  } finally {
    db.close();
  }
}

try {
  read();
} catch (err) {
  post({ error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
}
