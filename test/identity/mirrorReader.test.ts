/**
 * A load of every record may read the mirrors on a second connection, in a thread of its own
 * (identity/mirrorReader.ts). What it reads must be what the join would have read itself; it
 * reads only when the rebuild's transaction wrote no mirror row; a reader that cannot read fails
 * the rebuild and leaves the store as it was; the job worker finds it bundled beside it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempCore, TEST_STORE_KEY_HEX } from '../helpers/tempCore';
import { dumpAllTables, workerBundles } from '../helpers/bundles';
import { generate } from '../../bench/identityData';
import { installMirrorReader } from '../../src-main/identity/mirrorReader';
import { forgetRebuildShortcuts, rebuildIdentity } from '../../src-main/identity/rebuildPipeline';
import { IdentitySettings } from '../../src-shared/domain/identity';
import { WorkerRunner } from '../../src-main/jobs/workerRunner';
import { WriteGate } from '../../src-main/jobs/writeGate';
import { CancelToken } from '../../src-main/jobs/cancel';
import type { Db } from '../../src-main/store/db';

const KEY = Buffer.from(TEST_STORE_KEY_HEX, 'hex'); // tempCore's stores are encrypted with it
let reader: string;
let jobWorker: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  ({ mirrorReader: reader, jobWorker } = await workerBundles());
}, 120_000);
afterEach(async () => {
  installMirrorReader(null);
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(() => installMirrorReader(null));

function storeOf(n: number) {
  const core = tempCore();
  cleanups.push(() => core.cleanup());
  core.db.transaction(() => generate(core.db, n))();
  return core;
}

const rebuild = (db: Db, mirrorsCommitted = true) =>
  db.transaction(() => rebuildIdentity(db, 1, IdentitySettings.parse(undefined), '2026-01-02T00:00:00.000Z', { mirrorsCommitted }))();

/** What a load of every record leaves: the node cache, and the persons and links built from it. */
function built(db: Db) {
  const t = dumpAllTables(db);
  const skip = updatedAt(db);
  const persons = (t.persons as unknown[][]).map((r) => r.filter((_, k) => k !== skip));
  return { nodes: t.identity_nodes, fields: t.identity_node_fields, emails: t.identity_node_emails, persons, links: t.person_links, lineage: t.email_lineage };
}
const updatedAt = (db: Db) => (db.prepare(`SELECT cid FROM pragma_table_info('persons') WHERE name = 'updated_at'`).pluck().get() as number);

describe('the mirror reader', () => {
  it('reads, on an encrypted store, every page a first build would have read itself', () => {
    const { db } = storeOf(3_000);
    installMirrorReader(reader, { key: KEY }, 0);
    const first = rebuild(db);
    expect(first.timings?.readerPages).toBeGreaterThanOrEqual(4); // a page and an end for each of the four reads at least
    const withReader = built(db);
    expect((withReader.fields as unknown[]).length).toBe(first.links);

    // The same load read by the join itself: the same cache, persons and links.
    installMirrorReader(null);
    forgetRebuildShortcuts(db, 1);
    const itself = rebuild(db);
    expect(itself.timings?.readerPages).toBeUndefined();
    expect(itself.timings?.recordsRead).toBe(first.links);
    expect(built(db)).toEqual(withReader);
  });

  it('is not used when the transaction may have written mirrors, nor for a store below its threshold', () => {
    const { db } = storeOf(500);
    installMirrorReader(reader, { key: KEY }, 0);
    expect(rebuild(db, false).timings?.readerPages).toBeUndefined();
    installMirrorReader(reader, { key: KEY }, 1_000_000);
    forgetRebuildShortcuts(db, 1);
    expect(rebuild(db).timings?.readerPages).toBeUndefined();
  });

  it('that cannot open the store fails the rebuild with its reason, and the store is exactly as before', () => {
    const { db } = storeOf(500);
    installMirrorReader(reader, { key: Buffer.alloc(32, 7) }, 0);
    const before = dumpAllTables(db);
    expect(() => rebuild(db)).toThrow(/mirror reader failed: .*key/i);
    expect(dumpAllTables(db)).toEqual(before);
  });

  it('is found beside the bundled job worker, which reads a rebuild from scratch with it', async () => {
    const core = storeOf(2_000);
    const r = new WorkerRunner({
      script: jobWorker,
      init: { dataDir: core.dataDir, storeKey: KEY, idleFoldMs: 60_000, mirrorReaderMinRecords: 0 },
      host: {
        secrets: { get: async () => null },
        sandboxes: { prepare: async () => undefined },
        clock: { sandboxNow: async () => null },
        gate: new WriteGate(),
        events: { emit: () => undefined },
      },
    });
    cleanups.push(() => r.close());
    const out = await r.run({ id: 1, kind: 'rebuild', input: { profileId: 1, kind: 'rebuild', fromScratch: true }, token: new CancelToken(), onProgress: () => undefined });
    expect(out.persons).toBeGreaterThan(1_000);
    expect(out.timings?.readerPages).toBeGreaterThanOrEqual(4);
  });
});
