/**
 * The sync engine against the hand-written fake servers (test/connectors/fakeServers.ts):
 * full and incremental syncs, quirks, quarantine, faults that stay local, retries, 429s.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  startFakeCrm,
  startFakeRaise,
  startFakeVomo,
  type FakeContact,
  type FakeRaiseRecord,
  type FakeServer,
  type FakeUser,
} from '../connectors/fakeServers';
import { dumpMirrors, makeEnv, type TestEnv } from './helpers';
import { summarize } from '../../src-main/cli/commands/sync';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const DAY = 86_400_000;

function contacts(n: number): FakeContact[] {
  return Array.from({ length: n }, (_, i) => ({
    id: 1000 + i,
    modifiedMs: T0 - (n - i) * 3_600_000,
    email: `Person${i}@Example.org`,
    firstName: `P${i}`,
    lastName: 'Smith',
    lifeToDateCents: i * 12_345,
    lastGiftDay: i % 3 === 0 ? null : '12/7/2023',
    pascal: i % 5 === 0,
    stringId: i % 2 === 0,
    fracDigits: i % 8,
  }));
}

function users(n: number): FakeUser[] {
  return Array.from({ length: n }, (_, i) => ({
    id: 1 + i,
    email: `vol${i}@example.org`,
    updatedMs: T0 - (n - i) * 60_000,
    participations: [
      { id: 500 + i, project_date_id: 77, hours: i % 2 ? '2.5' : 3, signed_up_at: '2025-01-01T10:00:00+00:00', checked_in_at: '2025-01-02T10:00:00', checked_out_at: null },
      { project_date: { id: 78, project: { name: 'Food bank' } }, hours: 1, signed_up_at: '2025-02-01T10:00:00Z', is_verified: true },
    ],
  }));
}

function raiseData(n: number): Record<'Donor' | 'Gift' | 'RecurringGift' | 'Campaign', FakeRaiseRecord[]> {
  const donors = Array.from({ length: n }, (_, i) => ({
    id: 1 + i,
    modifiedMs: T0 - (n - i) * 1000,
    body: {
      id: 1 + i,
      firstName: 'D',
      lastName: `${i}`,
      email: `Donor${i}@Example.org`,
      crmKey: i % 2 ? String(1000 + i) : null,
      crmKeyUrls: i % 2 ? { VirtuousCRM: { crmKey: `VirtuousCRM_${1000 + i}`, url: `https://app.example/Contact/${1000 + i}` } } : {},
      primaryAddress: { address1: '1 Main', city: 'X', state: 'IL', postal: '1' },
      createdDate: new Date(T0 - 10 * DAY).toISOString(),
      modifiedDate: new Date(T0 - (n - i) * 1000).toISOString(),
    },
  }));
  const gifts = Array.from({ length: n }, (_, i) => ({
    id: 9000 + i,
    modifiedMs: T0 - (n - i) * 1000,
    body: { id: 9000 + i, donorId: 1 + i, amount: 25.5, currency: 'USD', date: '2025-12-01T10:00:00Z', campaignName: 'Spring', modifiedDate: new Date(T0 - (n - i) * 1000).toISOString() },
  }));
  return {
    Donor: donors,
    Gift: gifts,
    RecurringGift: [{ id: 1, modifiedMs: T0, body: { id: 1, donorId: 1, amount: 10, frequency: 1, formattedFrequency: 'Monthly', status: 1, startDate: '2025-01-01T00:00:00Z', modifiedDate: new Date(T0).toISOString() } }],
    Campaign: [{ id: 5, modifiedMs: T0, body: { id: 5, name: 'Spring', canSync: true, startDate: '2025-01-01T00:00:00Z', endDate: '2025-06-01T00:00:00Z', modifiedDateTime: new Date(T0).toISOString() } }],
  };
}

const open: (FakeServer | TestEnv)[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function world(opts: { contacts?: number; users?: number; donors?: number; crmToken?: string; sinceParam?: string | null; crmBudget?: boolean; refuse?: Partial<Record<'Donor' | 'Gift' | 'RecurringGift' | 'Campaign', number>> } = {}) {
  let left = 4321;
  const crm = await startFakeCrm({
    token: 'crm-secret-token',
    contacts: contacts(opts.contacts ?? 57),
    gifts: [{ id: 1, contactId: 1000, amount: 10.5, modifiedMs: T0, giftDay: '2023-12-07' }],
    rateLimit: opts.crmBudget ? { limit: 5000, remaining: () => left--, reset: () => Math.floor(T0 / 1000) + 3600 } : undefined,
  });
  const vomo = await startFakeVomo({ token: 'vomo-secret-token', users: users(opts.users ?? 23), pageSize: 5 });
  const raise = await startFakeRaise({ token: 'raise-secret-token', data: raiseData(opts.donors ?? 31), sinceParam: opts.sinceParam === undefined ? 'ModifiedAfter' : opts.sinceParam, refuse: opts.refuse });
  open.push(crm, vomo, raise);
  const env = await makeEnv(
    { vomo: `${vomo.url}/v1`, crm: crm.url, raise: raise.url },
    { vomo: 'vomo-secret-token', crm: opts.crmToken ?? 'crm-secret-token', raise: 'raise-secret-token' },
    { crm: { take: 10, overlap: 3, filterGranularity: 'datetime' }, raise: { take: 7, overlap: 2 } },
  );
  open.push(env);
  return { crm, vomo, raise, env };
}

describe('sync against fake APIs', () => {
  it('mirrors everything on a first sync, with quirks parsed', async () => {
    const { env, crm, vomo } = await world();
    const run = await env.sync.run(env.profileId);
    if (process.env.DEBUG_SYNC) console.log(JSON.stringify(run, null, 1), crm.log.slice(0, 4));
    expect(run.status).toBe('ok');
    const db = env.core.db;
    expect(db.prepare('SELECT count(*) FROM crm_contacts').pluck().get()).toBe(57);
    expect(db.prepare('SELECT count(*) FROM crm_individuals').pluck().get()).toBe(57);
    expect(db.prepare('SELECT count(*) FROM crm_contact_methods').pluck().get()).toBe(114);
    expect(db.prepare('SELECT count(*) FROM crm_gifts').pluck().get()).toBe(1);
    expect(db.prepare('SELECT count(*) FROM vomo_users').pluck().get()).toBe(23);
    expect(db.prepare('SELECT count(*) FROM vomo_participations').pluck().get()).toBe(46);
    expect(db.prepare('SELECT count(*) FROM raise_donors').pluck().get()).toBe(31);
    expect(db.prepare('SELECT count(*) FROM raise_gifts').pluck().get()).toBe(31);
    // PascalCase record, string id, money string, Unavailable.
    const c0 = db.prepare("SELECT * FROM crm_contacts WHERE id = '1000'").get() as Record<string, unknown>;
    expect(c0).toMatchObject({ life_to_date_giving_cents: 0, last_gift_date: null, name: 'P0 Smith', city: 'Springfield' });
    const c3 = db.prepare("SELECT * FROM crm_contacts WHERE id = '1004'").get() as Record<string, unknown>;
    expect(c3).toMatchObject({ life_to_date_giving_cents: 4 * 12345, last_gift_date: '2023-12-07' });
    expect(String(c3.modified_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const m = db.prepare("SELECT * FROM crm_contact_methods WHERE contact_id = '1005' ORDER BY kind").all() as Record<string, unknown>[];
    expect(m.map((x) => [x.kind, x.email_norm])).toEqual([
      ['email', 'person5@example.org'],
      ['phone', null],
    ]);
    expect(db.prepare("SELECT ref_id FROM crm_contact_references WHERE contact_id = '1005'").pluck().get()).toBe('R1005');
    const parts = db.prepare("SELECT * FROM vomo_participations WHERE user_id = '2' ORDER BY id").all() as Record<string, unknown>[];
    expect(parts.map((p) => [p.id, p.hours, p.project_date_id, p.verified, p.project_name])).toEqual([
      ['501', 2.5, '77', null, null],
      [expect.stringMatching(/^pd:78:/), 1, '78', 1, 'Food bank'],
    ]);
    expect(db.prepare("SELECT hours FROM vomo_participations WHERE user_id = '1' AND id = '500'").pluck().get()).toBe(3);
    const d = db.prepare("SELECT * FROM raise_donors WHERE id = '2'").get() as Record<string, unknown>;
    expect(d).toMatchObject({ email_norm: 'donor1@example.org', crm_key: '1001', crm_url: 'https://app.example/Contact/1001' });
    // Per-entity summary kept with the run.
    const crmOut = run.collectors.find((c) => c.api === 'crm')!;
    expect(crmOut.entities.contacts).toMatchObject({ new: 57, updated: 0, unchanged: 0, quarantined: 0 });
    expect(crmOut.estimate?.resources.find((r) => r.resource === 'contacts')?.records).toBe(57);
    // The token went only as a bearer header, to its own API.
    expect(crm.log.every((l) => l.auth === 'Bearer crm-secret-token')).toBe(true);
    expect(vomo.log.every((l) => l.auth === 'Bearer vomo-secret-token')).toBe(true);
    // VOMO: 5 list pages + 1 estimate probe + 23 details.
    expect(vomo.log.length).toBe(5 + 1 + 23);
  });

  it('an incremental sync picks up exactly the changes (and re-reads the watermark edge idempotently)', async () => {
    const { env, crm, vomo, raise } = await world();
    await env.sync.run(env.profileId);
    const before = dumpMirrors(env.core, env.profileId);
    // Change 3 contacts, 2 users, 1 donor; add one of each.
    const cs = crm.state.contacts;
    for (const i of [3, 10, 40]) Object.assign(cs[i], { modifiedMs: T0 + DAY, lastName: 'Changed' });
    cs.push({ ...cs[0], id: 5000, modifiedMs: T0 + DAY, email: 'new@x.org', pascal: false });
    const us = vomo.state.users;
    us[4].updatedMs = T0 + DAY;
    us[4].participations = [{ id: 999, hours: 4 }];
    us.push({ id: 100, email: 'newvol@x.org', updatedMs: T0 + DAY, participations: [] });
    const dn = raise.state.data.Donor;
    dn[2].modifiedMs = T0 + DAY;
    dn[2].body = { ...dn[2].body, lastName: 'Changed', modifiedDate: new Date(T0 + DAY).toISOString() };
    vomo.log.length = 0;
    const run = await env.sync.run(env.profileId);
    expect(run.status).toBe('ok');
    const crmOut = run.collectors.find((c) => c.api === 'crm')!;
    expect(crmOut.entities.contacts.new).toBe(1);
    expect(crmOut.entities.contacts.updated).toBe(3);
    const vomoOut = run.collectors.find((c) => c.api === 'vomo')!;
    expect(vomoOut.entities.users.new).toBe(1);
    expect(vomoOut.entities.users.updated).toBe(1);
    // Details only for the new/changed users (2), not all 24.
    expect(vomo.log.filter((l) => /\/users\/\d+/.test(l.url)).length).toBe(2);
    const raiseOut = run.collectors.find((c) => c.api === 'raise')!;
    expect(raiseOut.entities.donors.updated).toBe(1);
    const after = dumpMirrors(env.core, env.profileId);
    expect(after.crm_contacts.length).toBe(before.crm_contacts.length + 1);
    expect((after.crm_contacts as { id: string; name: string }[]).filter((c) => c.id === '1003')[0]).toBeTruthy();
    expect(env.core.db.prepare("SELECT last_name FROM crm_individuals WHERE contact_id = '1010'").pluck().get()).toBe('Changed');
    expect(env.core.db.prepare("SELECT count(*) FROM vomo_participations WHERE user_id = '5'").pluck().get()).toBe(1);
    // A third sync with nothing changed changes nothing.
    const run3 = await env.sync.run(env.profileId);
    for (const c of run3.collectors) expect(c.new + c.updated).toBe(0);
    expect(dumpMirrors(env.core, env.profileId)).toEqual(after);
  });

  it('quarantines malformed records and loses nothing else', async () => {
    const { env, crm, vomo } = await world();
    crm.state.contacts[7].malformed = true;
    vomo.state.users[3].malformed = true;
    vomo.state.users[5].participations.push({ id: 'p-bad', hours: 'lots' });
    const run = await env.sync.run(env.profileId);
    expect(run.status).toBe('ok');
    const db = env.core.db;
    expect(db.prepare('SELECT count(*) FROM crm_contacts').pluck().get()).toBe(56);
    expect(db.prepare('SELECT count(*) FROM vomo_users').pluck().get()).toBe(22);
    const q = env.sync.quarantine(env.profileId, { limit: 10 });
    expect(q.total).toBe(3);
    const reasons = q.items.map((i) => `${i.api}/${i.resource}/${i.sourceId}: ${i.reason}`).sort();
    expect(reasons[0]).toMatch(/^crm\/contacts\/1007: contactIndividuals/);
    expect(reasons[1]).toMatch(/^vomo\/participations\/6\/p-bad: user 6: hours: unreadable number/);
    expect(reasons[2]).toMatch(/^vomo\/users\/null: id: unreadable id/);
    expect(db.prepare("SELECT count(*) FROM vomo_participations WHERE user_id = '6'").pluck().get()).toBe(2);
    expect(run.collectors.find((c) => c.api === 'crm')!.quarantined).toBe(1);
    // Fixed at the source → resolved on the next sync.
    crm.state.contacts[7].malformed = false;
    crm.state.contacts[7].modifiedMs = T0 + DAY;
    await env.sync.run(env.profileId);
    expect(db.prepare('SELECT count(*) FROM crm_contacts').pluck().get()).toBe(57);
    expect(env.sync.quarantine(env.profileId).total).toBe(2);
  });

  it('a wrong CRM+ token fails CRM+ alone; VOMO and Raise complete', async () => {
    const { env } = await world({ crmToken: 'wrong' });
    const run = await env.sync.run(env.profileId);
    expect(run.status).toBe('partial');
    const crm = run.collectors.find((c) => c.api === 'crm')!;
    expect(crm.status).toBe('failed');
    expect(crm.errorCode).toBe('UNAUTHENTICATED');
    expect(crm.error).toMatch(/^CRM\+ rejected the token: replace it in Settings → Connections/);
    expect(crm.error).not.toContain('wrong');
    expect(run.collectors.find((c) => c.api === 'vomo')!.status).toBe('ok');
    expect(run.collectors.find((c) => c.api === 'raise')!.status).toBe('ok');
    const st = env.sync.status(env.profileId);
    expect(st.lastByApi.crm?.status).toBe('failed');
    expect(st.lastByApi.vomo?.status).toBe('ok');
  });

  it('retries 5xx, dropped connections and truncated bodies, and waits out a 429', async () => {
    const { env, crm, vomo, raise } = await world();
    crm.faults.push({ match: /FullContact\?skip=10/, fault: { kind: 'status', status: 503, body: '<html>Service Unavailable</html>' } });
    crm.faults.push({ match: /FullContact\?skip=17/, fault: { kind: 'drop' } });
    crm.faults.push({ match: /FullContact\?skip=24/, fault: { kind: 'truncate' } });
    crm.faults.push({ match: /FullContact/, fault: { kind: 'status', status: 429, headers: { 'Retry-After': '1' }, body: '' } });
    vomo.faults.push({ match: /users\/3$/, fault: { kind: 'drop' } });
    vomo.faults.push({ match: /page=2/, fault: { kind: 'status', status: 429, headers: { 'Retry-After': '1' } } });
    raise.faults.push({ match: /Donor/, fault: { kind: 'status', status: 502, body: '{"error":{"code":"BAD_GATEWAY","message":"upstream","details":[]}}' } });
    const t = Date.now();
    const run = await env.sync.run(env.profileId);
    expect(run.status).toBe('ok');
    expect(Date.now() - t).toBeGreaterThanOrEqual(900);
    expect(env.core.db.prepare('SELECT count(*) FROM crm_contacts').pluck().get()).toBe(57);
    expect(env.core.db.prepare('SELECT count(*) FROM vomo_participations').pluck().get()).toBe(46);
  });

  it('gives up after bounded retries with a clear message when an API is down', async () => {
    const { env, raise } = await world();
    for (let i = 0; i < 20; i++) raise.faults.push({ match: /./, fault: { kind: 'status', status: 500, body: '' } });
    const run = await env.sync.run(env.profileId);
    const r = run.collectors.find((c) => c.api === 'raise')!;
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/Raise is not working right now \(HTTP 500\).*gave up after 5 attempts/);
    expect(run.collectors.find((c) => c.api === 'crm')!.status).toBe('ok');
  });

  it('falls back to a full walk when Raise ignores the modified-since filter', async () => {
    const { env, raise } = await world({ sinceParam: null });
    await env.sync.run(env.profileId, { apis: ['raise'] });
    raise.state.data.Donor[0].body = { ...raise.state.data.Donor[0].body, lastName: 'X' };
    const run = await env.sync.run(env.profileId, { apis: ['raise'] });
    const out = run.collectors[0];
    expect(out.entities.donors).toMatchObject({ new: 0, updated: 1, unchanged: 30 });
  });

  it('--full re-reads everything and sweeps records gone at the source', async () => {
    const { env, crm, vomo } = await world();
    await env.sync.run(env.profileId);
    crm.state.contacts.splice(5, 1);
    vomo.state.users[2].deleted = true;
    const run = await env.sync.run(env.profileId, { full: true });
    expect(run.full).toBe(true);
    const c = run.collectors.find((x) => x.api === 'crm')!;
    expect(c.entities.contacts).toMatchObject({ unchanged: 56, gone: 1 });
    expect(env.core.db.prepare("SELECT gone_at IS NOT NULL FROM crm_contacts WHERE id = '1005'").pluck().get()).toBe(1);
    expect(env.core.db.prepare("SELECT gone_at IS NOT NULL FROM vomo_users WHERE id = '3'").pluck().get()).toBe(1);
  });

  it('estimates calls and time, tests connections, reports progress, skips Raise without a URL', async () => {
    const { env } = await world();
    const est = await env.sync.estimate(env.profileId);
    const crm = est.apis.find((a) => a.api === 'crm')!;
    expect(crm.resources.find((r) => r.resource === 'contacts')).toMatchObject({ records: 57, calls: 6, full: true });
    expect(est.apis.find((a) => a.api === 'vomo')!.resources[0]).toMatchObject({ records: 23, calls: 5 });
    expect((await env.sync.testConnection(env.profileId, 'crm')).ok).toBe(true);
    await env.core.secrets.set(env.profileId, 'vomo', 'nope');
    const bad = await env.sync.testConnection(env.profileId, 'vomo');
    expect(bad).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
    expect(bad.message).toMatch(/VOMO rejected the token.*Unauthenticated/);
    await env.core.secrets.set(env.profileId, 'vomo', 'vomo-secret-token');
    env.core.profiles.update(env.profileId, { raiseUrl: null });
    const events: string[] = [];
    const off = env.core.events.on('sync.progress', (p) => events.push(`${p.api}:${p.phase}`));
    const run = await env.sync.run(env.profileId);
    off();
    expect(run.collectors.find((c) => c.api === 'raise')!.status).toBe('skipped');
    expect(run.status).toBe('ok');
    expect(events).toContain('crm:running');
    expect(events).toContain('crm:done');
    expect(events).toContain('raise:skipped');
  });

  it('cancel stops at a page boundary and keeps what was committed; the next run resumes', async () => {
    const { env, vomo } = await world({ users: 60 });
    env.sync.configure({ vomo: { requestsPerSecond: 20 } });
    let cancelled = false;
    env.core.events.on('sync.progress', (p) => {
      if (p.api === 'vomo' && p.pages >= 3 && !cancelled) {
        cancelled = true;
        env.sync.cancel(env.profileId);
      }
    });
    const run = await env.sync.run(env.profileId, { apis: ['vomo'] });
    expect(run.status).toBe('cancelled');
    const n = env.core.db.prepare('SELECT count(*) FROM vomo_users').pluck().get() as number;
    expect(n).toBeGreaterThanOrEqual(15);
    expect(n).toBeLessThan(60);
    env.sync.configure({ vomo: { requestsPerSecond: 0 } });
    vomo.log.length = 0;
    const run2 = await env.sync.run(env.profileId, { apis: ['vomo'] });
    expect(run2.status).toBe('ok');
    expect(env.core.db.prepare('SELECT count(*) FROM vomo_users').pluck().get()).toBe(60);
    expect(env.core.db.prepare('SELECT count(*) FROM vomo_participations').pluck().get()).toBe(120);
    // Resumed from the checkpoint: pages already committed were not listed again.
    expect(vomo.log.filter((l) => /users\?page=1(&|$)/.test(l.url)).length).toBe(1); // the estimate probe only
  });

  it('VOMO: a deletion mid-walk shifts the pages; the drop in meta.total makes the walk re-read the page before, nobody is missed', async () => {
    const { env, vomo } = await world();
    const arr = vomo.state.users;
    const origFilter = arr.filter.bind(arr);
    let listCalls = 0;
    (arr as unknown as { filter: typeof arr.filter }).filter = ((...a: Parameters<typeof arr.filter>) => {
      if (++listCalls === 3) arr[1]!.deleted = true; // before the walk's page 2 (call 1 is the estimate)
      return origFilter(...a);
    }) as typeof arr.filter;
    const run = await env.sync.run(env.profileId, { apis: ['vomo'] });
    expect(run.status).toBe('ok');
    const ids = env.core.db.prepare('SELECT id FROM vomo_users ORDER BY CAST(id AS INTEGER)').pluck().all() as string[];
    expect(ids).toContain('6');
    expect(ids.length).toBe(23);
  });

  it('refuses a second run of the same profile', async () => {
    const { env } = await world();
    const a = env.sync.start(env.profileId);
    await expect(env.sync.start(env.profileId)).rejects.toMatchObject({ code: 'CONFLICT' });
    await a;
    await env.sync.wait(env.profileId);
  });
});

describe('one missing resource never sinks a sync', () => {
  const count = (env: TestEnv, table: string) => env.core.db.prepare(`SELECT count(*) FROM ${table} WHERE profile_id = ? AND gone_at IS NULL`).pluck().get(env.profileId);

  it('404 on recurring gifts: Raise ok with donors and gifts all there, recurring gifts listed as unavailable (and not asked for again)', async () => {
    const { env, raise } = await world({ refuse: { RecurringGift: 404 } });
    const run = await env.sync.run(env.profileId);
    expect(run.status).toBe('ok');
    const r = run.collectors.find((c) => c.api === 'raise')!;
    expect(r.status).toBe('ok');
    expect(r.unavailable).toEqual([expect.objectContaining({ resource: 'recurringGifts', status: 'unavailable', httpStatus: 404 })]);
    expect(r.unavailable[0]!.reason).toMatch(/Raise recurring gifts: not available to this account \(HTTP 404\)/);
    expect(count(env, 'raise_donors')).toBe(31);
    expect(count(env, 'raise_gifts')).toBe(31);
    expect(count(env, 'raise_campaigns')).toBe(1);
    expect(count(env, 'raise_recurring_gifts')).toBe(0);
    // twofold sync --json says it, and so does the status the Sync view reads.
    expect(summarize(run).raise).toMatchObject({ status: 'ok', unavailable: ['recurringGifts'] });
    expect(env.sync.status(env.profileId).lastByApi.raise?.unavailable.map((u) => u.resource)).toEqual(['recurringGifts']);
    // The next sync knows: it does not discover it again mid-run.
    raise.log.length = 0;
    const again = await env.sync.run(env.profileId);
    expect(again.collectors.find((c) => c.api === 'raise')!.unavailable.map((u) => u.resource)).toEqual(['recurringGifts']);
    expect(raise.log.filter((l) => l.url.includes('RecurringGift')).length).toBe(0);
  });

  it('403 on campaigns: the same, reported as forbidden for this token', async () => {
    const { env } = await world({ refuse: { Campaign: 403 } });
    const run = await env.sync.run(env.profileId, { apis: ['raise'] });
    const r = run.collectors[0]!;
    expect(r.status).toBe('ok');
    expect(r.unavailable).toEqual([expect.objectContaining({ resource: 'campaigns', status: 'forbidden', httpStatus: 403 })]);
    expect(count(env, 'raise_donors')).toBe(31);
    expect(count(env, 'raise_gifts')).toBe(31);
    expect(count(env, 'raise_recurring_gifts')).toBe(1);
  });

  it('403 on a required resource fails Raise (the token may not read donors)', async () => {
    const { env } = await world({ refuse: { Donor: 403 } });
    const run = await env.sync.run(env.profileId);
    expect(run.collectors.find((c) => c.api === 'raise')!.status).toBe('failed');
    expect(run.collectors.find((c) => c.api === 'crm')!.status).toBe('ok');
  });

  it('500 on donors: Raise fails, VOMO and CRM+ are unaffected, and what was committed before the failure stays', async () => {
    const { env, raise } = await world();
    // The second page of donors (Take 7) keeps failing.
    for (let i = 0; i < 30; i++) raise.faults.push({ match: /Donor\/list\?Skip=[1-9]/, fault: { kind: 'status', status: 500, body: '{"error":{"code":"INTERNAL","message":"boom","details":[]}}' } });
    const run = await env.sync.run(env.profileId);
    expect(run.status).toBe('partial');
    const r = run.collectors.find((c) => c.api === 'raise')!;
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/Raise is not working right now \(HTTP 500/);
    expect(run.collectors.find((c) => c.api === 'vomo')!.status).toBe('ok');
    expect(run.collectors.find((c) => c.api === 'crm')!.status).toBe('ok');
    // Campaigns and the first page of donors were committed before the failure, and stay.
    expect(count(env, 'raise_campaigns')).toBe(1);
    expect(count(env, 'raise_donors')).toBe(7);
    expect(r.records).toBeGreaterThanOrEqual(8);
    expect(count(env, 'crm_contacts')).toBe(57);
  });

  it('a record whose id is not the documented whole number is quarantined, not joined', async () => {
    const { env, raise, crm } = await world();
    raise.state.data.Donor.push({ id: 999, modifiedMs: T0, body: { id: 'abc', firstName: 'Ab', lastName: 'C', email: 'abc@example.org', modifiedDate: new Date(T0).toISOString() } });
    raise.state.data.Gift.push({ id: 9999, modifiedMs: T0, body: { id: 9999, donorId: 'abc', amount: 5, modifiedDate: new Date(T0).toISOString() } });
    crm.state.contacts.push({ ...crm.state.contacts[0]!, id: 77 });
    const run = await env.sync.run(env.profileId);
    expect(run.status).toBe('ok');
    expect(env.core.db.prepare("SELECT count(*) FROM raise_donors WHERE id = 'abc'").pluck().get()).toBe(0);
    expect(env.core.db.prepare("SELECT count(*) FROM raise_gifts WHERE id = '9999'").pluck().get()).toBe(0);
    const q = env.sync.quarantine(env.profileId).items.map((i) => `${i.api}/${i.resource}/${i.sourceId}: ${i.reason}`);
    expect(q).toContainEqual(expect.stringMatching(/^raise\/donors\/abc: id: id is not a whole number: "abc"/));
    expect(q).toContainEqual(expect.stringMatching(/^raise\/gifts\/9999: donorId: unreadable id \(not a whole number\): "abc"/));
  });

  it('the connection check calls each resource once and reports each, with the rate-limit headers', async () => {
    const { env } = await world({ refuse: { RecurringGift: 404, Campaign: 403 }, crmBudget: true });
    env.sync.configure({ raise: { requestsPerSecond: 5 } });
    const raise = await env.sync.testConnection(env.profileId, 'raise');
    expect(raise.ok).toBe(true);
    expect(raise.resources.map((r) => [r.resource, r.status, r.httpStatus])).toEqual([
      ['campaigns', 'forbidden', 403],
      ['donors', 'available', 200],
      ['gifts', 'available', 200],
      ['recurringGifts', 'unavailable', 404],
    ]);
    expect(raise.rateLimit).toBeNull();
    expect(raise.pacing).toMatch(/rising to at most 30/);
    expect(raise.message).toMatch(/not read: campaigns: forbidden for this token \(HTTP 403\); recurring gifts: not available to this account \(HTTP 404\)/);
    const vomo = await env.sync.testConnection(env.profileId, 'vomo');
    expect(vomo.resources.map((r) => [r.resource, r.status])).toEqual([
      ['users', 'available'],
      ['participations', 'available'],
      ['projects', 'unavailable'],
    ]);
    const crm = await env.sync.testConnection(env.profileId, 'crm');
    expect(crm.resources.map((r) => [r.resource, r.status])).toEqual([
      ['contacts', 'available'],
      ['gifts', 'available'],
    ]);
    expect(crm.rateLimit).toEqual({ limit: 5000, remaining: 4320, resetAt: new Date(T0 + 3_600_000).toISOString(), retryAfterSeconds: null });
    expect(crm.pacing).toMatch(/5,000 requests per hour for the organization \(4,320 left\); Twofold leaves 50 for other integrations/);
    // The budget it saw is the figure every screen shows.
    expect(env.sync.status(env.profileId).budgets.crm).toMatchObject({ limit: 5000, remaining: 4320 });
    // What the check found is what the Sync view shows.
    expect(env.sync.status(env.profileId).resources.filter((r) => r.api === 'raise' && r.status !== 'available').map((r) => r.resource)).toEqual(['campaigns', 'recurringGifts']);
  });
});
