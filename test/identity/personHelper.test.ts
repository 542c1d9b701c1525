/**
 * A large persons pass computes its rows on a second thread (identity/personHelper.ts). Which
 * thread computed a row must not show: a store built with the helper reads, row for row and digest
 * for digest, as one built without it; a helper that fails fails the rebuild and leaves the store
 * as it was; the job worker finds the helper bundled beside it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempCore, TEST_STORE_KEY_HEX } from '../helpers/tempCore';
import { dumpAllTables, workerBundles } from '../helpers/bundles';
import { generate } from '../../bench/identityData';
import { Mirrors } from './fixtures';
import { installPersonHelper } from '../../src-main/identity/personHelper';
import { forgetRebuildShortcuts, rebuildIdentity } from '../../src-main/identity/rebuildPipeline';
import { IdentitySettings } from '../../src-shared/domain/identity';
import { WorkerRunner } from '../../src-main/jobs/workerRunner';
import { WriteGate } from '../../src-main/jobs/writeGate';
import { CancelToken } from '../../src-main/jobs/cancel';
import type { Db } from '../../src-main/store/db';

let helper: string;
let jobWorker: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  ({ personHelper: helper, jobWorker } = await workerBundles());
}, 120_000);
afterEach(async () => {
  installPersonHelper(null);
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(() => installPersonHelper(null));

function storeOf(n: number) {
  const core = tempCore();
  cleanups.push(() => core.cleanup());
  core.db.transaction(() => generate(core.db, n))();
  // Households whose members share an email, one of them a volunteer too (flags the helper is told).
  const m = new Mirrors(core.db, 1);
  for (let h = 1; h <= 5; h++) {
    m.crmContact({ id: `hh${h}`, name: `Household ${h}`, individuals: [{ id: `hh${h}a`, first: 'Pat', last: `Home${h}`, primary: true, emails: [`home${h}@hh.example`] }, { id: `hh${h}b`, first: 'Sam', last: `Home${h}`, emails: [`home${h}@hh.example`] }] });
    m.vomoUser({ id: `hhv${h}`, email: `home${h}@hh.example`, first: 'Sam', last: `Home${h}` });
  }
  return core;
}

/** Every person column but updated_at (the time of the write), then the tables built beside the persons. */
function persons(db: Db) {
  return (db.prepare(`SELECT * FROM persons WHERE profile_id = 1 ORDER BY id`).all() as Record<string, unknown>[]).map(({ updated_at: _u, ...rest }) => rest);
}
function linksAndMore(db: Db) {
  const t = dumpAllTables(db);
  return { links: t.person_links, lineage: t.email_lineage, conflicts: t.conflicts, candidates: t.split_candidates, findings: t.identity_findings };
}

const rebuild = (db: Db, settings = IdentitySettings.parse(undefined)) =>
  db.transaction(() => rebuildIdentity(db, 1, settings, '2026-01-02T00:00:00.000Z'))();

describe('the person helper', () => {
  it('computes a first build whose every row, digests included, a recompute by the join itself computes the same, and so does a recompute on the helper', () => {
    const { db } = storeOf(3_000);
    installPersonHelper(helper, 0);
    const first = rebuild(db);
    expect(first.timings?.helperPersons).toBe(first.persons);
    const built = persons(db);
    expect(built.filter((p) => p.crm_shared_email === 1).length).toBe(10); // both individuals of each household
    const around = linksAndMore(db);
    expect(built.length).toBe(first.persons);

    // The join computes every person again itself (forgetting the digests made it compare every
    // row): every column reads as the helper wrote it, the input and row digests too.
    installPersonHelper(null);
    forgetRebuildShortcuts(db, 1);
    const inline = rebuild(db);
    expect(inline.timings?.helperPersons).toBeUndefined();
    expect(inline.timings?.personsWritten).toBe(first.persons);
    expect(persons(db)).toEqual(built);
    expect(linksAndMore(db)).toEqual(around);

    // And the helper once more, on a recompute (rows compared with the stored ones, not inserted).
    installPersonHelper(helper, 0);
    forgetRebuildShortcuts(db, 1);
    const again = rebuild(db);
    expect(again.timings?.helperPersons).toBe(first.persons);
    expect(persons(db)).toEqual(built);
  });

  it('is not started for a pass smaller than its threshold', () => {
    const { db } = storeOf(500);
    installPersonHelper(helper, 1_000_000);
    expect(rebuild(db).timings?.helperPersons).toBeUndefined();
  });

  it('that fails on a record fails the rebuild with its reason, and the store is exactly as before', () => {
    const { db } = storeOf(2_000);
    installPersonHelper(helper, 0);
    rebuild(db);
    // A kept fields text the helper cannot read (its digest still says it is current), on a
    // person a new field authority recomputes from the kept fields.
    const victim = db
      .prepare(
        `SELECT f.rank, f.source_id FROM identity_node_fields f JOIN person_links l ON l.profile_id = 1 AND l.source = 'vomo' AND l.source_id = f.source_id AND l.active = 1
         JOIN persons p ON p.id = l.person_id AND p.has_crm = 1 WHERE f.profile_id = 1 AND f.rank = 0 LIMIT 1`,
      )
      .raw()
      .get() as [number, string];
    expect(victim).toBeDefined();
    db.prepare(`UPDATE identity_node_fields SET fields = '[{broken' WHERE profile_id = 1 AND rank = ? AND source_id = ?`).run(...victim);
    const before = dumpAllTables(db);
    const settings = IdentitySettings.parse(undefined);
    const crmFirst: IdentitySettings = { ...settings, fieldAuthority: { ...settings.fieldAuthority, first_name: 'crm' } };
    expect(JSON.stringify(crmFirst.fieldAuthority)).not.toBe(JSON.stringify(settings.fieldAuthority));
    expect(() => rebuild(db, crmFirst)).toThrow(/person helper failed: SyntaxError/);
    expect(dumpAllTables(db)).toEqual(before);
  });

  it('is found beside the bundled job worker, which computes a rebuild from scratch with it', async () => {
    const core = storeOf(2_000);
    const r = new WorkerRunner({
      script: jobWorker,
      init: { dataDir: core.dataDir, storeKey: Buffer.from(TEST_STORE_KEY_HEX, 'hex'), idleFoldMs: 60_000, personHelperMinClusters: 0 },
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
    expect(out.timings?.helperPersons).toBe(out.persons);
  });
});
