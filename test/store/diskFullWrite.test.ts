/**
 * A store whose disk runs out of room while the steward works: a rebuild (a job), a call from the
 * window and a command each say so in words, naming the store; the write that ran out of room is
 * undone whole, and reading goes on. The disk is filled for real as far as SQLite can tell:
 * `max_page_count` at the store's current size makes any growth fail with SQLITE_FULL, the code a
 * full disk gives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src-shared/errors';
import { databasePath } from '../../src-main/store/db';
import { oneLine } from '../../src-main/cli/context';
import { createDispatcher } from '../../src-main/ipc/dispatcher';
import { allHandlers } from '../../src-main/ipc/handlers';
import { testStoreKey } from '../helpers/tempCore';
import { dumpTables, syncedStore, type SyncedStore } from './helpers';

let env: SyncedStore | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const FULL = /^The disk holding the store .+ is full, so this could not be finished: the write that ran out of room was undone, and what was saved before it is kept\. Free some space and try again; reports still work\.$/;

/** No room to grow: the store's next new page is refused, as on a full disk. */
function fillDisk(s: SyncedStore): void {
  const pages = s.core.db.pragma('page_count', { simple: true }) as number;
  s.core.db.pragma(`max_page_count = ${pages}`);
}

describe('the store’s disk full during work', () => {
  it('a rebuild from scratch fails as a full disk, naming the store, and every table reads as before', async () => {
    env = await syncedStore({ storeKey: testStoreKey(), people: 150 });
    const db = env.core.db;
    const before = dumpTables(db);
    fillDisk(env);

    let thrown: unknown;
    try {
      await env.core.identity.requestRebuild(env.profileId, 'rebuild', { fromScratch: true });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).code).toBe('STORE_DISK_FULL');
    expect((thrown as AppError).message).toMatch(FULL);
    expect((thrown as AppError).message).toContain(databasePath(env.dir));

    expect(dumpTables(db)).toEqual(before);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    // Reading goes on.
    const list = await env.core.invoke('profiles.list', {});
    expect(list).toMatchObject({ ok: true, data: [{ name: 'Org' }] });

    // Room again: the same rebuild goes through.
    db.pragma('max_page_count = 4294967294');
    const ok = await env.core.identity.requestRebuild(env.profileId, 'rebuild', { fromScratch: true });
    expect(ok.persons).toBeGreaterThan(50);
  });

  it('a sync that finds no room fails as a full disk, leaves the other profile as it was, and the next sync starts at once', async () => {
    env = await syncedStore({ storeKey: testStoreKey(), people: 150 });
    const { core, sandbox } = env;
    // A second profile on the same services: every record it syncs is new to the store.
    const second = core.profiles.insert({ name: 'Second', vomoUrl: sandbox.vomo.baseUrl, crmUrl: sandbox.crm.baseUrl, raiseUrl: sandbox.raise.baseUrl });
    await core.secrets.set(second.id, 'vomo', sandbox.vomo.token);
    await core.secrets.set(second.id, 'crm', sandbox.crm.token);
    await core.secrets.set(second.id, 'raise', sandbox.raise.token);
    const mirrors = () => dumpTables(core.db, { vomo_users: ['profile_id', 'id', 'email'], crm_contacts: ['profile_id', 'id', 'name'], raise_donors: ['profile_id', 'id', 'email'] });
    const ofFirst = (t: Record<string, unknown[]>) => Object.fromEntries(Object.entries(t).map(([k, rows]) => [k, rows.filter((r) => (r as unknown[])[0] === env!.profileId)]));
    const before = ofFirst(mirrors());
    fillDisk(env);

    // Either the run's record still found room for its end (each system failed, saying why), or
    // not even that (the sync itself fails as a full disk); both in the same words.
    const outcome = await core.sync.run(second.id, { full: true }).then(
      (run) => ({ run, error: null }),
      (error: unknown) => ({ run: null, error }),
    );
    if (outcome.run) {
      expect(outcome.run.status).toBe('failed');
      for (const c of outcome.run.collectors) expect([c.api, c.errorCode, c.error]).toEqual([c.api, 'STORE_DISK_FULL', expect.stringMatching(FULL)]);
    } else {
      expect(outcome.error).toBeInstanceOf(AppError);
      expect((outcome.error as AppError).code).toBe('STORE_DISK_FULL');
      expect((outcome.error as AppError).message).toMatch(FULL);
    }
    expect(ofFirst(mirrors())).toEqual(before);
    expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(core.sync.status(second.id).running).toBeNull();

    // Room again: the next sync of that profile is not refused as still running, and completes.
    core.db.pragma('max_page_count = 4294967294');
    const run = await core.sync.run(second.id, { full: true });
    expect(run.status).toBe('ok');
    expect(core.db.prepare(`SELECT count(*) FROM vomo_users WHERE profile_id = ?`).pluck().get(second.id)).toBeGreaterThan(50);
  });

  it('a call from the window gets STORE_DISK_FULL with the words, not an internal error', async () => {
    env = await syncedStore({ storeKey: testStoreKey(), people: 100 });
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const dispatch = createDispatcher({
      ...allHandlers,
      'profiles.add': () => {
        throw full;
      },
    });
    const reply = await dispatch('profiles.add', { name: 'Another', vomoUrl: 'https://v.example', crmUrl: 'https://c.example' }, { core: env.core, shell: 'test' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'STORE_DISK_FULL' } });
    if (!reply.ok) {
      expect(reply.error.message).toMatch(FULL);
      expect(reply.error.message).toContain(databasePath(env.dir));
    }
  });

  it('a command names the store and the full disk in its one line', () => {
    const file = '/data/twofold.sqlite';
    const err = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const line = oneLine(err, file);
    expect(line).toMatch(FULL);
    expect(line).toContain(file);
    // ENOSPC from some other file (an export's destination) is not said to be the store's disk.
    const other = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(oneLine(other, file)).toBe('ENOSPC: no space left on device, write');
  });
});
