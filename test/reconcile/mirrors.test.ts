import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempCore, tempDir } from '../helpers/tempCore';
import { ReconcileService } from '../../src-main/reconcile/service';
import { reconcileReports } from '../../src-main/cli/reports/reconcile';
import type { CliContext } from '../../src-main/cli/context';
import { GROUP_LABELS, type ReportPage, type RunInfo } from '../../src-shared/domain/reconcile';
import { describeFilters, type ExportLogEntry } from '../../src-shared/domain/insights';
import type { ExportFile } from '../../src-shared/domain/store';
import { CSV_COLUMNS } from '../../src-main/reconcile/csv';
import { lagStatsFrom, median, percentile } from '../../src-main/reconcile/lag';
import type { ResourceSource } from '../../src-main/reconcile/sourceTypes';
import type { Db } from '../../src-main/store/db';

// Hand-built mirror rows (only the columns the checks read). -----------------------------------

const NOW = '2026-01-01T00:00:00.000Z';

function insert(db: Db, table: string, row: Record<string, unknown>): void {
  const full = { raw_json: '{}', first_synced_at: NOW, last_synced_at: NOW, ...row };
  const cols = Object.keys(full);
  db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`).run(full);
}

export function campaign(db: Db, p: number, id: string, name: string, canSync: boolean): void {
  insert(db, 'raise_campaigns', { profile_id: p, id, name, can_sync: canSync ? 1 : 0 });
}

export function donor(db: Db, p: number, id: string, o: { name?: string; email?: string; crmKey?: string | null; crmUrl?: string | null; createdAt: string; goneAt?: string }): void {
  insert(db, 'raise_donors', {
    profile_id: p,
    id,
    name: o.name ?? `Donor ${id}`,
    email: o.email ?? `d${id}@example.org`,
    email_norm: (o.email ?? `d${id}@example.org`).toLowerCase(),
    crm_key: o.crmKey ?? null,
    crm_url: o.crmUrl ?? (o.crmKey ? `https://crm.example/Contact/${o.crmKey}` : null),
    created_at: o.createdAt,
    modified_at: o.createdAt,
    gone_at: o.goneAt ?? null,
  });
}

export function raiseGift(db: Db, p: number, id: string, o: { donorId: string; campaignId: string; amountCents: number; createdAt: string; giftDate?: string; goneAt?: string }): void {
  insert(db, 'raise_gifts', {
    profile_id: p,
    id,
    donor_id: o.donorId,
    campaign_id: o.campaignId,
    amount_cents: o.amountCents,
    gift_date: o.giftDate ?? o.createdAt,
    created_at: o.createdAt,
    modified_at: o.createdAt,
    gone_at: o.goneAt ?? null,
  });
}

export function crmContact(db: Db, p: number, id: string, name: string, o: { goneAt?: string } = {}): void {
  insert(db, 'crm_contacts', { profile_id: p, id, name, contact_view_url: `https://crm.example/Contact/${id}`, created_at: NOW, modified_at: NOW, gone_at: o.goneAt ?? null });
}

export function crmGift(
  db: Db,
  p: number,
  id: string,
  o: { contactId: string; raiseGiftId?: string | null; source?: string; amountCents: number; giftDate: string; createdAt: string; goneAt?: string },
): void {
  insert(db, 'crm_gifts', {
    profile_id: p,
    id,
    contact_id: o.contactId,
    transaction_source: o.raiseGiftId ? (o.source ?? 'Raise') : null,
    transaction_id: o.raiseGiftId ?? null,
    gift_date: o.giftDate,
    amount_cents: o.amountCents,
    created_at: o.createdAt,
    modified_at: o.createdAt,
    gone_at: o.goneAt ?? null,
  });
}

export function vomoUser(db: Db, p: number, id: string, o: { email: string; updatedAt: string; goneAt?: string }): void {
  insert(db, 'vomo_users', { profile_id: p, id, email: o.email, email_norm: o.email.toLowerCase(), first_name: 'V', last_name: id, updated_at: o.updatedAt, created_at: o.updatedAt, gone_at: o.goneAt ?? null });
}

export function person(db: Db, p: number, id: string, links: { source: 'vomo' | 'crm_contact' | 'crm_individual' | 'raise'; id: string }[], flags: { vomo?: boolean; crm?: boolean; raise?: boolean; crmContactId?: string } = {}): void {
  db.prepare(
    `INSERT INTO persons (profile_id, id, has_vomo, has_crm, has_raise, crm_contact_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(p, id, flags.vomo ? 1 : 0, flags.crm ? 1 : 0, flags.raise ? 1 : 0, flags.crmContactId ?? null, NOW, NOW);
  for (const l of links) {
    db.prepare(
      `INSERT INTO person_links (profile_id, source, source_id, person_id, first_seen_at, last_seen_at, how, active) VALUES (?, ?, ?, ?, ?, ?, 'email', 1)`,
    ).run(p, l.source, l.id, id, NOW, NOW);
  }
}

// ---------------------------------------------------------------------------------------------

const AS_OF = '2026-03-10T12:00:00.000Z';
const H = 3_600_000;
const at = (hoursBefore: number) => new Date(Date.parse(AS_OF) - hoursBefore * H).toISOString();
const plus = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();

function seed(core: ReturnType<typeof tempCore>, p: number) {
  const db = core.db;
  campaign(db, p, 'C1', 'Spring appeal', true);
  campaign(db, p, 'C2', 'Staff test', false);
  crmContact(db, p, '101', 'Ada Lovelace');
  donor(db, p, 'D1', { name: 'Ada Lovelace', crmKey: '101', createdAt: at(24 * 30) });
  donor(db, p, 'D2', { name: 'Held Back', createdAt: at(24 * 5) });
  donor(db, p, 'D3', { name: 'Fresh Donor', createdAt: at(3) });
  donor(db, p, 'D4', { name: 'Failed Donor', createdAt: at(24 * 10) });
  donor(db, p, 'D5', { name: 'No Gifts', createdAt: at(24 * 5) });
  donor(db, p, 'D6', { name: 'Gone Donor', createdAt: at(24 * 5), goneAt: at(1) });
  const g1 = at(24 * 20);
  raiseGift(db, p, 'G1', { donorId: 'D1', campaignId: 'C1', amountCents: 5000, createdAt: g1 });
  raiseGift(db, p, 'G2', { donorId: 'D1', campaignId: 'C1', amountCents: 2500, createdAt: at(24 * 19) });
  raiseGift(db, p, 'G3', { donorId: 'D1', campaignId: 'C1', amountCents: 1000, createdAt: at(24 * 18) });
  raiseGift(db, p, 'G4', { donorId: 'D1', campaignId: 'C1', amountCents: 7500, createdAt: at(48) });
  raiseGift(db, p, 'G5', { donorId: 'D1', campaignId: 'C1', amountCents: 1200, createdAt: at(2) });
  raiseGift(db, p, 'G6', { donorId: 'D2', campaignId: 'C2', amountCents: 900, createdAt: at(24 * 5) });
  raiseGift(db, p, 'G7', { donorId: 'D3', campaignId: 'C1', amountCents: 3000, createdAt: at(3) });
  raiseGift(db, p, 'G8', { donorId: 'D4', campaignId: 'C1', amountCents: 4000, createdAt: at(24 * 10) });
  raiseGift(db, p, 'G10', { donorId: 'D1', campaignId: 'C1', amountCents: 800, createdAt: at(24 * 15), goneAt: at(5) });
  crmGift(db, p, 'CG1', { contactId: '101', raiseGiftId: 'G1', amountCents: 5000, giftDate: g1.slice(0, 10), createdAt: plus(g1, 3600) });
  crmGift(db, p, 'CG2', { contactId: '101', raiseGiftId: 'G2', source: 'raise', amountCents: 2000, giftDate: at(24 * 19).slice(0, 10), createdAt: plus(at(24 * 19), 600) });
  crmGift(db, p, 'CG3', { contactId: '101', raiseGiftId: 'G3', amountCents: 1000, giftDate: at(24 * 15).slice(0, 10) + 'T00:00:00', createdAt: plus(at(24 * 18), 7200) });
  crmGift(db, p, 'CG9', { contactId: '101', raiseGiftId: 'G999', amountCents: 100, giftDate: '2026-03-01', createdAt: at(24 * 9) });
  crmGift(db, p, 'CG10', { contactId: '101', raiseGiftId: 'G10', amountCents: 800, giftDate: at(24 * 15).slice(0, 10), createdAt: plus(at(24 * 15), 60) });
  crmGift(db, p, 'CG11', { contactId: '101', amountCents: 100, giftDate: '2026-03-01', createdAt: at(24 * 9) });
  person(db, p, 'P1', [{ source: 'raise', id: 'D1' }, { source: 'crm_contact', id: '101' }], { crm: true, raise: true, crmContactId: '101' });
  person(db, p, 'P4', [{ source: 'raise', id: 'D4' }], { raise: true });
  vomoUser(db, p, 'U1', { email: 'u1@example.org', updatedAt: at(10) });
}

describe('Raise → CRM+ reconciliation over the mirrors', () => {
  let core: ReturnType<typeof tempCore>;
  let svc: ReconcileService;
  let profileId: number;

  beforeEach(() => {
    core = tempCore();
    profileId = core.profiles.insert({ name: 'Hope House', vomoUrl: null, crmUrl: null, raiseUrl: null }).id;
    seed(core, profileId);
    svc = new ReconcileService(core, null);
  });
  afterEach(async () => core.cleanup());

  async function all(runId: number, change: 'all' | 'new' | 'changed' | 'fixed' = 'all') {
    const env = await core.invoke('reconcile.report', { runId, change, limit: 1000 });
    if (!env.ok) throw new Error(env.error.message);
    return env.data as ReportPage;
  }
  const kinds = (page: ReportPage) => Object.fromEntries(page.findings.map((f) => [f.subject, f.kind]));

  it('classifies donors and gifts, and never counts the absence of a crmKey as an error', async () => {
    const run = await svc.run({ profileId, asOf: AS_OF, lagHours: 24 });
    expect(run.status).toBe('ok');
    expect(run.settings).toMatchObject({ asOf: AS_OF, asOfSource: 'input', lagHours: 24, since: '2026-03-09' });
    const page = await all(run.id);
    expect(kinds(page)).toEqual({
      'raise_donor:D2': 'donor_held_back',
      'raise_donor:D3': 'donor_not_yet_synced',
      'raise_donor:D4': 'donor_probably_failed',
      'raise_donor:D5': 'donor_probably_failed',
      'raise_gift:G2#amount': 'gift_amount_mismatch',
      'raise_gift:G3#date': 'gift_date_mismatch',
      'raise_gift:G4': 'gift_missing_in_crm',
      'raise_gift:G5': 'gift_not_yet_synced',
      'raise_gift:G6': 'gift_held_back',
      'raise_gift:G7': 'gift_not_yet_synced',
      'raise_gift:G8': 'gift_missing_in_crm',
      'crm_gift:CG9': 'crm_gift_without_raise',
      'crm_gift:CG10': 'crm_gift_without_raise',
      'gone:raise_donors:D6': 'gone_at_source',
      'gone:raise_gifts:G10': 'gone_at_source',
    });
    const bySubject = new Map(page.findings.map((f) => [f.subject, f]));
    // Drill-down and "view in CRM+".
    expect(bySubject.get('raise_gift:G4')).toMatchObject({ personId: 'P1', crmUrl: 'https://crm.example/Contact/101', label: 'Ada Lovelace' });
    expect(bySubject.get('raise_donor:D4')!.personId).toBe('P4');
    expect(bySubject.get('crm_gift:CG9')).toMatchObject({ personId: 'P1', api: 'crm' });
    expect(bySubject.get('crm_gift:CG10')!.detail.raiseGiftGoneAt).toBe(at(5));
    expect(bySubject.get('raise_gift:G2#amount')!.detail).toMatchObject({ raiseAmountCents: 2500, crmAmountCents: 2000 });
    expect(bySubject.get('raise_gift:G3#date')!.detail).toMatchObject({ days: 3 });

    const s = run.summary!;
    expect(s.byGroup).toMatchObject({ held_back: 2, not_yet_synced: 3, probably_failed: 2, missing_in_crm: 2, crm_only: 2, mismatch: 2, gone: 2 });
    expect(s.campaignsSyncOff).toEqual([{ campaignId: 'C2', name: 'Staff test', gifts: 1, amountCents: 900, donors: 1 }]);
    expect(s.raise).toMatchObject({ donors: 5, donorsLinked: 1, donorsUnlinked: 4, gifts: 8, giftsMatched: 3, crmGiftsFromRaise: 5 });
    expect(s.lag).toMatchObject({ count: 4, medianSeconds: (600 + 3600) / 2, p95Seconds: 7200, minSeconds: 60, maxSeconds: 7200, withinWindowShare: 1 });
    expect(s.partners).toEqual({ volunteersWithoutCrm: 1, contactsWithoutVomo: 1, basis: 'persons' });
    expect(s.notes.join(' ')).toMatch(/not compared with the APIs/);
    expect(page.diff.previousRunId).toBeNull();
  });

  it('gives findings their person when the person store is built after the run', async () => {
    core.db.prepare('DELETE FROM person_links').run();
    core.db.prepare('DELETE FROM persons').run();
    const run = await svc.run({ profileId, asOf: AS_OF });
    expect((await all(run.id)).findings.find((f) => f.subject === 'raise_donor:D4')!.personId).toBeNull();
    person(core.db, profileId, 'P9', [{ source: 'raise', id: 'D4' }], { raise: true });
    expect((await all(run.id)).findings.find((f) => f.subject === 'raise_donor:D4')!.personId).toBe('P9');
  });

  it('a wider lag window turns "missing" into "not yet synced"', async () => {
    const run = await svc.run({ profileId, asOf: AS_OF, lagHours: 72 });
    const page = await all(run.id);
    expect(kinds(page)['raise_gift:G4']).toBe('gift_not_yet_synced');
    expect(kinds(page)['raise_gift:G8']).toBe('gift_missing_in_crm');
  });

  it('compares each run with the one before: new, fixed, changed', async () => {
    const first = await svc.run({ profileId, asOf: AS_OF });
    // The platform sync delivers G5; 26 hours pass, so G7 (and its donor) are now overdue.
    crmGift(core.db, profileId, 'CG5', { contactId: '101', raiseGiftId: 'G5', amountCents: 1200, giftDate: at(2).slice(0, 10), createdAt: plus(at(2), 900) });
    const second = await svc.run({ profileId, asOf: new Date(Date.parse(AS_OF) + 26 * H).toISOString() });
    expect(second.previousRunId).toBe(first.id);
    const page = await all(second.id);
    expect(page.diff).toMatchObject({ previousRunId: first.id, fixed: 1, changed: 2, new: 0 });
    expect(page.diff.byGroup.not_yet_synced).toMatchObject({ fixed: 1, count: 0, previous: 3 });
    const fixed = await all(second.id, 'fixed');
    expect(fixed.findings.map((f) => [f.subject, f.kind, f.change])).toEqual([['raise_gift:G5', 'gift_not_yet_synced', 'fixed']]);
    const changed = await all(second.id, 'changed');
    expect(changed.findings.map((f) => [f.subject, f.kind]).sort()).toEqual([
      ['raise_donor:D3', 'donor_probably_failed'],
      ['raise_gift:G7', 'gift_missing_in_crm'],
    ]);
    expect(page.findings.find((f) => f.subject === 'raise_gift:G4')!.change).toBe('same');

    const runs = await core.invoke('reconcile.runs', { profileId });
    expect(runs.ok && (runs.data as { runs: RunInfo[] }).runs.map((r) => r.id)).toEqual([second.id, first.id]);
  });

  it('exports CSV, keeps settings, reports the lag, and answers the CLI report', async () => {
    const set = await core.invoke('reconcile.settings.set', { profileId, lagHours: 6 });
    expect(set.ok && set.data).toMatchObject({ lagHours: 6, dateToleranceDays: 1, sinceDays: 1 });
    const got = await core.invoke('reconcile.settings.get', { profileId });
    expect(got.ok && got.data).toMatchObject({ lagHours: 6 });
    const lag = await core.invoke('reconcile.lagStats', { profileId });
    expect(lag.ok && lag.data).toMatchObject({ count: 4, lagHours: 6, p95Seconds: 7200, withinWindowShare: 1 });

    const run = await svc.run({ profileId, asOf: AS_OF });
    expect(run.settings.lagHours).toBe(6);
    // The overview (and the Reconciliation badge) counts the latest run's findings.
    const ov = await core.invoke('insights.overview', { profileId });
    expect(ov.ok && (ov.data as { trust: { reconciliationFindings: number | null } }).trust.reconciliationFindings).toBe(run.summary!.total);
    expect(run.summary!.total).toBeGreaterThan(0);
    const dir = tempDir();
    const file = path.join(dir, 'out.csv');
    const env = await core.invoke('reconcile.exportCsv', { runId: run.id, group: 'missing_in_crm', path: file });
    expect(env.ok).toBe(true);
    const text = fs.readFileSync(file, 'utf8').replace(/^\ufeff/, '');
    const lines = text.trim().split(/\r?\n/);
    expect(lines[0]).toBe('group,kind,change,api,resource,source_id,person_id,name,occurred_at,amount,crm_amount,campaign,crm_url,detail');
    expect(lines.length - 1).toBe((env.ok && (env.data as { rows: number }).rows) || -1);
    expect(text).toContain('G8');
    expect(text).toContain('https://crm.example/Contact/101');
    // The web shell gets a download instead of writing where the page says.
    const web = await core.invoke('reconcile.exportCsv', { runId: run.id, path: '/tmp/x.csv' }, 'web');
    expect(web.ok).toBe(false);
    const dl = await core.invoke('reconcile.exportCsv', { runId: run.id }, 'web');
    expect(dl.ok && (dl.data as { downloadId: string }).downloadId).toMatch(/^[0-9a-f]{32}$/);
    // Both files hold donors' gifts unencrypted: each is in the export log with the persons its
    // findings name, and Settings lists both files (the download's copy until fetched) for deletion.
    const log = await core.invoke('reconcile.exportCsv', { runId: run.id }, 'web').then(() => core.invoke('exports.list', { profileId, limit: 10 }));
    const entries = (log.ok ? log.data : []) as ExportLogEntry[];
    expect(entries.map((e) => e.list)).toEqual(['reconciliation', 'reconciliation', 'reconciliation']);
    const byFile = entries[2]!;
    expect(byFile).toMatchObject({ rowCount: (env.ok && (env.data as { rows: number }).rows) || -1, outreach: false, columns: [...CSV_COLUMNS] });
    expect(describeFilters(byFile.filters, { money: String, count: String, day: String })).toEqual([`Reconciliation run ${run.id}`, GROUP_LABELS.missing_in_crm]);
    const named = core.db.prepare('SELECT person_id FROM export_members WHERE export_id = ? ORDER BY person_id').all(byFile.id) as { person_id: string }[];
    const shown = core.reconcile.runs.findings(run.id, run.previousRunId, { group: 'missing_in_crm', offset: 0, limit: 1000 }).rows;
    const inFile = [...new Set(shown.map((f) => f.personId).filter((p): p is string => !!p))].sort();
    expect(inFile.length).toBeGreaterThan(0);
    expect(named.map((r) => r.person_id)).toEqual(inFile);
    const files = await core.invoke('exports.files', { profileId });
    const listed = (files.ok ? files.data : []) as ExportFile[];
    expect(listed.map((f) => f.filePath).sort()).toEqual(
      [file, ...fs.readdirSync(path.join(core.dataDir, 'exports')).map((f) => path.join(core.dataDir, 'exports', f))].sort(),
    );
    expect(listed).toHaveLength(3);
    const del = await core.invoke('exports.deleteFile', { profileId, exportId: byFile.id });
    expect(del.ok).toBe(true);
    expect(fs.existsSync(file)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });

    const ctx = {
      call: async (channel: string, input: unknown) => {
        const e = await core.invoke(channel, { ...(input as object), ...(channel === 'reconcile.run' ? { asOf: AS_OF } : {}) }, 'cli');
        if (!e.ok) throw new Error(e.error.message);
        return e.data;
      },
    } as unknown as CliContext;
    const out = await reconcileReports.reconcile!.run(ctx, core.profiles.get(profileId)!, { json: false, options: { lagHours: '24', since: '2026-03-01' } });
    expect(out.text).toContain('re-read since 2026-03-01; lag window 24 h');
    expect(out.text).toContain('Staff test: 1 gifts held back ($9.00), 1 donors');
    expect(out.text).toMatch(/compared with run \d+/);
    expect((out.json as { findings: unknown[] }).findings.length).toBe(15);
  });
});

describe('lag statistics', () => {
  it('median, nearest-rank 95th percentile and the histogram', () => {
    const v = [10, 20, 30, 40, 100_000].sort((a, b) => a - b);
    expect(median(v)).toBe(30);
    expect(percentile(v, 0.95)).toBe(100_000);
    const s = lagStatsFrom(v, 24);
    expect(s.histogram.find((h) => h.label === '≤ 1 min')!.count).toBe(4);
    expect(s.histogram.find((h) => h.label === '≤ 48 h')!.count).toBe(1);
    expect(s.withinWindowShare).toBe(0.8);
    expect(lagStatsFrom([], 24)).toMatchObject({ count: 0, medianSeconds: null, p95Seconds: null });
  });
});

describe('store vs APIs and the deletion sweep (fake sources)', () => {
  let core: ReturnType<typeof tempCore>;
  let profileId: number;
  beforeEach(() => {
    core = tempCore();
    profileId = core.profiles.insert({ name: 'Hope House', vomoUrl: null, crmUrl: null, raiseUrl: null }).id;
  });
  afterEach(async () => core.cleanup());

  function fakeVomo(api: { id: string; updatedAt: string }[], opts: { failIds?: boolean } = {}) {
    const resynced: string[] = [];
    const src: ResourceSource = {
      api: 'vomo',
      resource: 'users',
      table: 'vomo_users',
      updatedColumn: 'updated_at',
      async *changedSince(since) {
        yield api.filter((r) => r.updatedAt >= since).map((r) => ({ id: r.id, updatedAt: r.updatedAt, raw: { id: r.id, first_name: 'Re', last_name: r.id } }));
      },
      async *allIds() {
        if (opts.failIds) throw new Error('VOMO answered 503');
        yield api.map((r) => r.id);
      },
      async resync(records) {
        for (const r of records) {
          core.db.prepare('DELETE FROM vomo_users WHERE profile_id = ? AND id = ?').run(profileId, r.id);
          vomoUser(core.db, profileId, r.id, { email: `${r.id}@example.org`, updatedAt: r.updatedAt! });
          resynced.push(r.id);
        }
        return { restored: records.map((r) => r.id), failed: [] };
      },
    };
    return { src, resynced };
  }

  it('finds missing and stale records changed since the day, re-syncs exactly those, and marks the vanished gone', async () => {
    vomoUser(core.db, profileId, 'U1', { email: 'u1@example.org', updatedAt: '2026-03-09T08:00:00.000Z' });
    vomoUser(core.db, profileId, 'U3', { email: 'u3@example.org', updatedAt: '2026-03-09T09:00:00.000Z' });
    vomoUser(core.db, profileId, 'U4', { email: 'u4@example.org', updatedAt: '2026-03-01T09:00:00.000Z' });
    vomoUser(core.db, profileId, 'U5', { email: 'u5@example.org', updatedAt: '2026-02-01T09:00:00.000Z' });
    const { src, resynced } = fakeVomo([
      { id: 'U1', updatedAt: '2026-03-09T10:00:00.000Z' }, // newer at the API: stale
      { id: 'U2', updatedAt: '2026-03-09T11:00:00.000Z' }, // not in the store: missing
      { id: 'U3', updatedAt: '2026-03-09T09:00:00.000Z' }, // same: fine
      { id: 'U5', updatedAt: '2026-02-01T09:00:00.000Z' }, // unchanged since long ago: not re-read
    ]);
    const factory = async () => ({ apis: [{ api: 'vomo' as const, resources: [src], unavailable: null }], close() {} });
    const svc = new ReconcileService(core, factory);
    const run = await svc.run({ profileId, asOf: AS_OF });
    expect(resynced.sort()).toEqual(['U1', 'U2']);
    expect(run.summary!.apiChecks).toEqual([{ api: 'vomo', resource: 'users', status: 'ok', checked: 3, missing: 1, stale: 1, resynced: 2, message: null }]);
    expect(run.summary!.sweeps[0]).toMatchObject({ status: 'ok', sourceIds: 4, markedGone: 1 });
    const gone = core.db.prepare('SELECT id FROM vomo_users WHERE profile_id = ? AND gone_at IS NOT NULL').pluck().all(profileId);
    expect(gone).toEqual(['U4']);
    const env = await core.invoke('reconcile.report', { runId: run.id, limit: 100 });
    const page = (env.ok ? env.data : null) as ReportPage;
    expect(page.findings.map((f) => [f.kind, f.sourceId, f.detail.resynced ?? f.detail.markedThisRun])).toEqual([
      ['store_missing', 'U2', true],
      ['store_stale', 'U1', true],
      ['gone_at_source', 'U4', true],
    ]);

    // The next run finds the store in step: the drift shows as fixed, the gone record stays listed.
    const second = await svc.run({ profileId, asOf: AS_OF });
    expect(second.summary!.apiChecks[0]).toMatchObject({ missing: 0, stale: 0 });
    const env2 = await core.invoke('reconcile.report', { runId: second.id, limit: 100 });
    const page2 = (env2.ok ? env2.data : null) as ReportPage;
    expect(page2.diff).toMatchObject({ fixed: 2, new: 0, changed: 0 });
    expect(page2.findings.map((f) => f.subject)).toEqual(['gone:vomo_users:U4']);
  });

  it('Cancel stops a running reconciliation at its next step and records the run as not finished', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const src: ResourceSource = {
      api: 'vomo',
      resource: 'users',
      table: 'vomo_users',
      updatedColumn: 'updated_at',
      async *changedSince() {
        await gate;
        yield [];
      },
      resync: async () => ({ restored: [], failed: [] }),
    };
    const factory = async () => ({ apis: [{ api: 'vomo' as const, resources: [src, { ...src, resource: 'participations' }], unavailable: null }], close() {} });
    const svc = new ReconcileService(core, factory);
    const running = svc.run({ profileId, asOf: AS_OF });
    await expect.poll(() => svc.isRunning(profileId)).toBe(true);
    expect(svc.cancel(profileId)).toBe(true);
    release();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(svc.isRunning(profileId)).toBe(false);
    expect(svc.runs.list(profileId, 5)[0]).toMatchObject({ status: 'failed' });
    expect(svc.cancel(profileId)).toBe(false);
  });

  it('a failed listing marks nothing gone, and an unreadable API makes the run partial, not failed', async () => {
    vomoUser(core.db, profileId, 'U4', { email: 'u4@example.org', updatedAt: '2026-03-01T09:00:00.000Z' });
    const { src } = fakeVomo([{ id: 'U1', updatedAt: '2026-03-09T10:00:00.000Z' }], { failIds: true });
    const factory = async () => ({
      apis: [
        { api: 'vomo' as const, resources: [src], unavailable: null },
        { api: 'crm' as const, resources: [], unavailable: 'CRM+ was not checked: no CRM+ token (Settings → Connections).' },
      ],
      close() {},
    });
    const run = await new ReconcileService(core, factory).run({ profileId, asOf: AS_OF });
    expect(run.status).toBe('partial');
    expect(run.summary!.sweeps[0]).toMatchObject({ status: 'failed', markedGone: 0 });
    expect(run.summary!.notes.join('\n')).toMatch(/no CRM\+ token[\s\S]*503/);
    expect(core.db.prepare('SELECT count(*) FROM vomo_users WHERE gone_at IS NOT NULL').pluck().get()).toBe(0);
  });
});
