/**
 * The rebuild's second threads (identity/personHelper.ts, identity/mirrorReader.ts). Which thread
 * computed a row, and which connection read a page, must not show: a store built with them reads,
 * row for row and digest for digest, as one built without; the reader reads only where the
 * rebuild's transaction wrote no mirror row; a thread that fails fails the rebuild with its
 * reason and leaves the store as it was; the job worker finds both bundled beside it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempCore, tempDir, TEST_STORE_KEY_HEX } from '../helpers/tempCore';
import { dumpAllTables, workerBundles } from '../helpers/bundles';
import { stubHostRunner } from '../helpers/stubHostRunner';
import { generate } from '../../bench/identityData';
import { Mirrors } from './fixtures';
import { installPersonHelper } from '../../src-main/identity/personHelper';
import { installMirrorReader } from '../../src-main/identity/mirrorReader';
import { forgetRebuildShortcuts, rebuildIdentity } from '../../src-main/identity/rebuildPipeline';
import { IdentitySettings } from '../../src-shared/domain/identity';
import { CancelToken } from '../../src-main/jobs/cancel';
import type { Db } from '../../src-main/store/db';

const KEY = Buffer.from(TEST_STORE_KEY_HEX, 'hex'); // tempCore's stores are encrypted with it
let helper: string;
let reader: string;
let jobWorker: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  ({ personHelper: helper, mirrorReader: reader, jobWorker } = await workerBundles());
}, 120_000);
afterEach(async () => {
  installPersonHelper(null);
  installMirrorReader(null);
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(() => {
  installPersonHelper(null);
  installMirrorReader(null);
});

function storeOf(n: number) {
  const core = tempCore();
  cleanups.push(() => core.cleanup());
  core.db.transaction(() => generate(core.db, n))();
  return core;
}

/** With households whose members share an email, one of them a volunteer too (flags the helper is told). */
function householdsStoreOf(n: number) {
  const core = storeOf(n);
  const m = new Mirrors(core.db, 1);
  for (let h = 1; h <= 5; h++) {
    m.crmContact({ id: `hh${h}`, name: `Household ${h}`, individuals: [{ id: `hh${h}a`, first: 'Pat', last: `Home${h}`, primary: true, emails: [`home${h}@hh.example`] }, { id: `hh${h}b`, first: 'Sam', last: `Home${h}`, emails: [`home${h}@hh.example`] }] });
    m.vomoUser({ id: `hhv${h}`, email: `home${h}@hh.example`, first: 'Sam', last: `Home${h}` });
  }
  return core;
}

/** A helper thread's entry written to a folder removed after the test. */
function helperScript(name: string, source: string): string {
  const dir = tempDir();
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, name);
  fs.writeFileSync(file, source);
  return file;
}

/** A rebuild in a transaction of its own, as the identity service runs one (the reader may read). */
const rebuildWith = (db: Db, settings = IdentitySettings.parse(undefined), mirrorsCommitted = true) =>
  db.transaction(() => rebuildIdentity(db, 1, settings, '2026-01-02T00:00:00.000Z', { mirrorsCommitted }))();

/** Every person column but updated_at (the time of the write), then the tables built beside the persons. */
function persons(db: Db) {
  return (db.prepare(`SELECT * FROM persons WHERE profile_id = 1 ORDER BY id`).all() as Record<string, unknown>[]).map(({ updated_at: _u, ...rest }) => rest);
}
function linksAndMore(db: Db) {
  const t = dumpAllTables(db);
  return { links: t.person_links, lineage: t.email_lineage, conflicts: t.conflicts, candidates: t.split_candidates, findings: t.identity_findings };
}
/** What a load of every record leaves: the node cache, and the persons and links built from it. */
function built(db: Db) {
  const t = dumpAllTables(db);
  return { nodes: t.identity_nodes, fields: t.identity_node_fields, emails: t.identity_node_emails, persons: persons(db), links: t.person_links, lineage: t.email_lineage };
}

describe('the person helper', () => {
  it('computes a first build whose every row, digests included, a recompute by the join itself computes the same', () => {
    const { db } = householdsStoreOf(3_000);
    installPersonHelper(helper, 0);
    const first = rebuildWith(db);
    expect(first.timings?.helperPersons).toBe(first.persons);
    const rows = persons(db);
    expect(rows.filter((p) => p.crm_shared_email === 1).length).toBe(10); // both individuals of each household
    const around = linksAndMore(db);
    expect(rows.length).toBe(first.persons);

    // The join computes every person again itself (forgetting the digests made it compare every
    // row): every column reads as the helper wrote it, the input and row digests too.
    installPersonHelper(null);
    forgetRebuildShortcuts(db, 1);
    const inline = rebuildWith(db);
    expect(inline.timings?.helperPersons).toBeUndefined();
    expect(inline.timings?.personsWritten).toBe(first.persons);
    expect(persons(db)).toEqual(rows);
    expect(linksAndMore(db)).toEqual(around);

    // A rebuild from scratch compares each row with the stored one on the join's thread (it
    // rewrites every row: the helper's memory stays out of its peak).
    installPersonHelper(helper, 0);
    forgetRebuildShortcuts(db, 1);
    expect(rebuildWith(db).timings?.helperPersons).toBeUndefined();
    expect(persons(db)).toEqual(rows);
  });

  it('computes a new phone region\'s recompute of everyone with the join, handing back only the rows that read differently, as the join alone computes it', () => {
    const { db } = householdsStoreOf(3_000);
    // A helper slower than the join (each answer 40 ms late): the join computes the batches that
    // come while the helper owes three.
    const slow = helperScript(
      'slowHelper.js',
      `const { workerData } = require('node:worker_threads');
       const post = workerData.port.postMessage.bind(workerData.port);
       workerData.port.postMessage = (m) => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 40); post(m); };
       require(${JSON.stringify(helper)});`,
    );
    // London numbers written as Londoners write them: read as London numbers only under GB.
    const m = new Mirrors(db, 1);
    for (let i = 1; i <= 4; i++) m.vomoUser({ id: `gb${i}`, email: `gb${i}@x.example`, first: 'Alex', last: `Brit${i}`, phone: `020 7946 09${10 + i}` });
    const us = IdentitySettings.parse(undefined);
    const gb = { ...us, defaultPhoneRegion: 'GB' };
    const london = ['+442079460911', '+442079460912', '+442079460913', '+442079460914'];
    const phones = () => db.prepare(`SELECT phone_e164 FROM persons p JOIN person_links l ON l.person_id = p.id AND l.active = 1 WHERE l.source = 'vomo' AND l.source_id LIKE 'gb%' ORDER BY l.source_id`).pluck().all();
    installPersonHelper(helper, 0);
    const first = rebuildWith(db, us);
    expect(phones()).not.toContain(london[0]);
    installPersonHelper(slow, 0);
    m.touch('vomo', 'gb1'); // a record changed since: the join computes everyone (else displayRecompute.ts)
    const regional = rebuildWith(db, gb);
    // Every person computed, on the helper or by the join; written, only those whose row reads
    // differently (the generator's national-format numbers too).
    expect(regional.timings).toMatchObject({ personsWritten: first.persons });
    expect(regional.timings?.helperPersons).toBeGreaterThan(0);
    expect(regional.timings?.helperPersonsHere).toBeGreaterThan(0);
    expect(regional.timings!.helperPersons! + regional.timings!.helperPersonsHere!).toBe(first.persons);
    expect(regional.timings?.personRowsWritten).toBeGreaterThanOrEqual(4);
    expect(regional.timings?.personRowsWritten).toBeLessThan(first.persons);
    expect(phones()).toEqual(london);
    const withHelper = { persons: persons(db), ...linksAndMore(db) };

    // The same store recomputed by the join alone, from the US back to GB: the same rows and links.
    installPersonHelper(null);
    rebuildWith(db, us);
    m.touch('vomo', 'gb1');
    const alone = rebuildWith(db, gb);
    expect(alone.timings?.helperPersons).toBeUndefined();
    expect(alone.timings?.personRowsWritten).toBe(regional.timings?.personRowsWritten);
    expect({ persons: persons(db), ...linksAndMore(db) }).toEqual(withHelper);
  });

  it('is not started for a pass smaller than its threshold', () => {
    const { db } = householdsStoreOf(500);
    installPersonHelper(helper, 1_000_000);
    expect(rebuildWith(db).timings?.helperPersons).toBeUndefined();
  });

  it('cancelled in the pass it computes, leaves every table as before', () => {
    const { db } = householdsStoreOf(2_000);
    installPersonHelper(helper, 0);
    const before = dumpAllTables(db);
    let inPass = false;
    const hooks = { onProgress: (step: string) => void (inPass = step === 'persons'), shouldCancel: () => inPass, mirrorsCommitted: true };
    // The pass's first check comes with its first record, the helper started.
    expect(() => db.transaction(() => rebuildIdentity(db, 1, IdentitySettings.parse(undefined), '2026-01-02T00:00:00.000Z', hooks))()).toThrow(/cancelled/);
    expect(dumpAllTables(db)).toEqual(before);
    // And the next first build, helper and all, runs to its end.
    expect(rebuildWith(db).timings?.helperPersons).toBeGreaterThan(1_000);
    // A recompute of everyone (a new phone region, a record changed since) cancelled in its pass
    // on the helper: the same.
    new Mirrors(db, 1).touch('vomo', 'hhv1');
    const built = dumpAllTables(db);
    inPass = false;
    const gb = { ...IdentitySettings.parse(undefined), defaultPhoneRegion: 'GB' };
    expect(() => db.transaction(() => rebuildIdentity(db, 1, gb, '2026-01-03T00:00:00.000Z', hooks))()).toThrow(/cancelled/);
    expect(dumpAllTables(db)).toEqual(built);
  });

  it('that fails fails the rebuild with its reason, and the store is exactly as before', () => {
    const { db } = householdsStoreOf(2_000);
    // A helper that answers every batch with a failure, as personHelperThread.ts answers one.
    const failing = helperScript(
      'failingHelper.js',
      `const { workerData } = require('node:worker_threads');
       const bell = new Int32Array(workerData.signal);
       workerData.port.on('message', (m) => {
         workerData.port.postMessage({ seq: m.seq, error: 'TypeError: no person from these records' });
         Atomics.add(bell, 0, 1);
         Atomics.notify(bell, 0);
       });`,
    );
    installPersonHelper(failing, 0);
    const before = dumpAllTables(db);
    expect(() => rebuildWith(db)).toThrow('The person helper failed: TypeError: no person from these records');
    expect(dumpAllTables(db)).toEqual(before);
  });
});

describe('the mirror reader', () => {
  it('reads, on an encrypted store, every page a first build would have read itself', () => {
    const { db } = storeOf(3_000);
    installMirrorReader(reader, { key: KEY }, 0);
    const first = rebuildWith(db);
    expect(first.timings?.readerPages).toBeGreaterThanOrEqual(4); // a page and an end for each of the four reads at least
    const withReader = built(db);
    expect((withReader.fields as unknown[]).length).toBe(first.links);

    // The same load read by the join itself: the same cache, persons and links.
    installMirrorReader(null);
    forgetRebuildShortcuts(db, 1);
    const itself = rebuildWith(db);
    expect(itself.timings?.readerPages).toBeUndefined();
    expect(itself.timings?.recordsRead).toBe(first.links);
    expect(built(db)).toEqual(withReader);
  });

  it('reads only for a first build, in a transaction that wrote no mirror row, of a store at its threshold or above', () => {
    const { db } = storeOf(500);
    installMirrorReader(reader, { key: KEY }, 0);
    expect(rebuildWith(db, undefined, false).timings?.readerPages).toBeUndefined();
    // A rebuild from scratch reads every record too, on the join's connection.
    forgetRebuildShortcuts(db, 1);
    const fromScratch = rebuildWith(db);
    expect(fromScratch.timings?.recordsRead).toBe(fromScratch.links);
    expect(fromScratch.timings?.readerPages).toBeUndefined();
    installMirrorReader(reader, { key: KEY }, 1_000_000);
    const { db: other } = storeOf(500);
    expect(rebuildWith(other).timings?.readerPages).toBeUndefined();
  });

  it('that cannot open the store fails the rebuild with its reason, and the store is exactly as before', () => {
    const { db } = storeOf(500);
    installMirrorReader(reader, { key: Buffer.alloc(32, 7) }, 0);
    const before = dumpAllTables(db);
    expect(() => rebuildWith(db)).toThrow(/mirror reader failed: .*key/i);
    expect(dumpAllTables(db)).toEqual(before);
  });

});

describe('in the job worker', () => {
  it('finds both bundled beside it, and runs a first build with them', async () => {
    const core = householdsStoreOf(2_000);
    const r = stubHostRunner(jobWorker, { dataDir: core.dataDir, storeKey: KEY, idleFoldMs: 60_000, personHelperMinClusters: 0, mirrorReaderMinRecords: 0 });
    cleanups.push(() => r.close());
    const out = await r.run({ id: 1, kind: 'rebuild', input: { profileId: 1, kind: 'rebuild' }, token: new CancelToken(), onProgress: () => undefined });
    expect(out.persons).toBeGreaterThan(1_000);
    expect(out.timings?.helperPersons).toBe(out.persons);
    expect(out.timings?.readerPages).toBeGreaterThanOrEqual(4); // a page and an end for each of the four reads at least
  });
});
