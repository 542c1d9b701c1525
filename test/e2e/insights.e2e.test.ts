/**
 * Insights end to end in Chromium, through the real `twofold serve`: open each list, sort,
 * filter, search, export, and read the downloaded file; the People view and the Overview.
 * The app's database is seeded with hand-built persons (the identity schema) right after
 * `twofold serve` has migrated it, so this test depends on the insights code path only; dates
 * are relative to today, the reference day the app uses for a real (non-sandbox) profile.
 * (Plain SQL here: the e2e project does not import src-main.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openAppStore, screenshot, startApp, type RunningApp } from './harness';

interface PersonSeed {
  id: string;
  first: string;
  last: string;
  email: string;
  vomo?: boolean;
  crm?: boolean;
  raise?: boolean;
  givingCents?: number;
  crmGifts?: number;
  raiseGifts?: number;
  firstGift?: string;
  lastGift?: string;
  firstRaiseGift?: string;
  optedIn?: number;
  crmUrl?: string | null;
  parts?: [string, string, number][];
}

async function seedDatabase(dataDir: string, persons: PersonSeed[]): Promise<void> {
  const db = await openAppStore(dataDir);
  const pid = Number(
    db.prepare("INSERT INTO profiles (name, vomo_url, crm_url, created_at, updated_at) VALUES ('Hope House', 'https://api.vomo.org/v1', 'https://api.virtuoussoftware.com', 'x', 'x')").run().lastInsertRowid,
  );
  const ins = db.prepare(`INSERT INTO persons (profile_id, id, email_norm, display_first_name, display_last_name, display_name, display_email,
      has_vomo, has_crm, has_raise, vomo_user_id, crm_contact_id, raise_donor_id, name_key, email_opted_in, crm_url,
      crm_gift_count, raise_gift_count, lifetime_giving_cents, first_gift_date, last_gift_date, first_raise_gift_date, created_at, updated_at)
    VALUES (@pid, @id, lower(@email), @first, @last, @first || ' ' || @last, @email, @vomo, @crm, @raise, @vu, @cc, @rd, lower(@last || '|' || @first),
      @opted, @crmUrl, @crmGifts, @raiseGifts, @giving, @firstGift, @lastGift, @firstRaise, 'x', 'x')`);
  const link = db.prepare("INSERT INTO person_links (profile_id, source, source_id, person_id, first_seen_at, last_seen_at, how, active) VALUES (?, 'vomo', ?, ?, 'x', 'x', 'email', 1)");
  const part = db.prepare(`INSERT INTO vomo_participations (profile_id, user_id, id, hours, checked_in_at, checked_out_at, verified, raw_json, last_synced_at) VALUES (?, ?, ?, ?, ?, ?, NULL, '{}', 'x')`);
  db.transaction(() => {
    for (const s of persons) {
      const vu = s.vomo ? `u-${s.id}` : null;
      ins.run({
        pid, id: s.id, email: s.email, first: s.first, last: s.last, vomo: s.vomo ? 1 : 0, crm: s.crm ? 1 : 0, raise: s.raise ? 1 : 0,
        vu, cc: s.crm ? `c-${s.id}` : null, rd: s.raise ? `r-${s.id}` : null, opted: s.optedIn ?? null, crmUrl: s.crmUrl ?? null,
        crmGifts: s.crmGifts ?? 0, raiseGifts: s.raiseGifts ?? 0, giving: s.givingCents ?? 0, firstGift: s.firstGift ?? s.lastGift ?? null,
        lastGift: s.lastGift ?? null, firstRaise: s.firstRaiseGift ?? null,
      });
      if (vu) {
        link.run(pid, vu, s.id);
        (s.parts ?? []).forEach(([a, b, h], i) => part.run(pid, vu, `p${i}`, h, a, b));
      }
    }
    // What a rebuild's person pass computes from each volunteer's participations (every one
    // here has a check-in and a check-out and no flag, so every one is verified).
    db.prepare(
      `UPDATE persons SET vomo_participations_count = a.n, vomo_hours_total = a.h, vomo_hours_verified = a.h, vomo_verified_count = a.n,
         vomo_verified_by_check = a.n, first_participation_at = a.f, last_participation_at = a.l,
         first_attended_at = strftime('%Y-%m-%dT%H:%M:%SZ', a.f), last_attended_at = strftime('%Y-%m-%dT%H:%M:%SZ', a.l)
       FROM (SELECT l.person_id AS pid, COUNT(*) AS n, SUM(p.hours) AS h, MIN(p.checked_in_at) AS f, MAX(p.checked_in_at) AS l
             FROM person_links l JOIN vomo_participations p ON p.profile_id = l.profile_id AND p.user_id = l.source_id
             WHERE l.profile_id = @pid GROUP BY l.person_id) a
       WHERE persons.profile_id = @pid AND persons.id = a.pid`,
    ).run({ pid });
    db.prepare("INSERT INTO identity_runs (profile_id, started_at, finished_at, kind) VALUES (?, 'x', 'x', 'rebuild')").run(pid);
  })();
  db.close();
}

const DAY = 86_400_000;
const today = Date.now();
const dayAgo = (n: number) => new Date(today - n * DAY).toISOString().slice(0, 10);
const at = (n: number) => [`${dayAgo(n)}T09:00:00Z`, `${dayAgo(n)}T12:00:00Z`] as [string, string];

function seeds(): PersonSeed[] {
  const out: PersonSeed[] = [];
  // 60 donor-volunteers (so the list has two pages), 12 of them lapsed and still volunteering.
  for (let i = 0; i < 60; i++) {
    const lapsed = i < 12;
    out.push({
      id: `PDV${String(i).padStart(3, '0')}`,
      first: i === 0 ? 'Zoë, "Z"' : `Dora${i}`,
      last: i === 0 ? 'Ångström' : `Volunteer${String(i).padStart(2, '0')}`,
      email: `dv${i}@example.org`,
      vomo: true,
      crm: true,
      givingCents: 1000 * (i + 1),
      crmGifts: 1 + (i % 5),
      lastGift: lapsed ? dayAgo(400 + i) : dayAgo(30 + i),
      optedIn: i % 4 === 0 ? 0 : 1,
      crmUrl: i === 1 ? 'https://app.virtuoussoftware.com/Generosity/Contact/View/4242' : null,
      parts: [[...at(10 + i), 3]],
    });
  }
  for (let i = 0; i < 8; i++)
    out.push({ id: `PVO${i}`, first: `Vic${i}`, last: `Only${i}`, email: `vo${i}@example.org`, vomo: true, parts: [[...at(5 + i), 10 - i], [...at(50 + i), 2]] });
  for (let i = 0; i < 6; i++)
    out.push({ id: `PDO${i}`, first: `Don${i}`, last: `Giver${i}`, email: `do${i}@example.org`, crm: true, givingCents: 50_000 + i, crmGifts: 3, lastGift: dayAgo(20) });
  out.push({ id: 'PRF1', first: 'Rae', last: 'Firsttime', email: 'rae@example.org', vomo: true, raise: true, givingCents: 2500, raiseGifts: 1, firstGift: dayAgo(5), lastGift: dayAgo(5), firstRaiseGift: dayAgo(5), parts: [[...at(3), 2]] });
  out.push({ id: 'PTV1', first: '=cmd', last: 'Injector', email: 'inj@example.org', vomo: true, crm: true, givingCents: 0, parts: [[...at(7), 25]] });
  return out;
}

describe('insights in the web shell (Chromium)', () => {
  let app: RunningApp;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-e2e-insights-'));
    app = await startApp({ dataDir });
    await seedDatabase(dataDir, seeds());
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('overview, each list, sort, filter, search, export and the downloaded file', async () => {
    const { page, errors } = browser;
    await page.goto(app.url);

    // Overview: the four overlap numbers.
    await expect.poll(() => page.getByRole('button', { name: /Donor-volunteers: 62/ }).count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: /Volunteers only: 8/ }).count()).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: /Donors only: 6/ }).count()).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: /Total persons: 76/ }).count()).toBe(1);
    await screenshot(page, 'insights-overview');

    // Open the donor-volunteers list from its figure.
    await page.getByRole('button', { name: /Donor-volunteers: 62/ }).click();
    const dv = page.getByRole('table', { name: 'Donor-volunteers' });
    await expect.poll(() => dv.locator('tbody tr').count(), { timeout: 15_000 }).toBe(50);
    await expect.poll(() => page.getByText('Rows 1–50 of 62').count()).toBe(1);
    // Default sort: lifetime giving, highest first.
    await expect.poll(() => dv.locator('tbody tr').first().innerText()).toContain('Dora59');
    // Sort by lifetime giving again: ascending.
    await dv.getByRole('button', { name: 'Sort by Lifetime giving' }).click();
    await expect.poll(() => dv.locator('tbody tr').first().innerText()).toContain('Injector');
    // Next page.
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => dv.locator('tbody tr').count()).toBe(12);
    await expect.poll(() => page.getByText('Rows 51–62 of 62').count()).toBe(1);
    // And back: the pager walks by cursor both ways.
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(() => page.getByText('Rows 1–50 of 62').count()).toBe(1);
    await expect.poll(() => dv.locator('tbody tr').first().innerText()).toContain('Injector');
    expect(await page.getByRole('button', { name: 'Previous page' }).isDisabled()).toBe(true);
    // Filter: at least $500 lifetime giving.
    await page.getByLabel('Min. lifetime giving ($)').fill('500');
    await expect.poll(() => page.getByText('of 11', { exact: false }).count()).toBe(1);
    await expect.poll(() => dv.locator('tbody tr').count()).toBe(11);
    // Search by name prefix.
    await page.getByLabel('Search Donor-volunteers').fill('dora5');
    await expect.poll(() => dv.locator('tbody tr').count()).toBe(10);
    await page.getByLabel('Search Donor-volunteers').fill('');
    await page.getByLabel('Min. lifetime giving ($)').fill('');
    await expect.poll(() => dv.locator('tbody tr').count()).toBe(50);
    // A "view in CRM+" link opens outside the app.
    await dv.getByRole('button', { name: 'Sort by Lifetime giving' }).click();
    const link = page.getByRole('link', { name: 'View Dora59 Volunteer59 in CRM+' });
    await expect.poll(() => link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('href')).toBe('https://app.virtuoussoftware.com/Generosity/Contact/View/c-PDV059');

    // Each list opens and shows its rows.
    const tabs: [string, number][] = [
      ['Lapsed donors', 12],
      ['Never gave', 9],
      ['Volunteers only', 8],
      ['Donors only', 6],
      ['New Raise donors', 1],
      ['Engagement', 50],
    ];
    for (const [name, rows] of tabs) {
      await page.getByRole('tab', { name }).click();
      await expect.poll(() => page.getByRole('table', { name }).locator('tbody tr').count(), { timeout: 15_000 }).toBe(rows);
    }

    // Lapsed: filter with a longer lapse window, then export and read the file.
    await page.getByRole('tab', { name: 'Lapsed donors' }).click();
    const lapsed = page.getByRole('table', { name: 'Lapsed donors' });
    await expect.poll(() => lapsed.locator('tbody tr').count()).toBe(12);
    await page.getByLabel('Lapse window (days)').fill('405');
    await expect.poll(() => lapsed.locator('tbody tr').count()).toBe(7);
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const dialog = page.getByRole('dialog', { name: /Export CSV/ });
    await expect.poll(() => dialog.getByText('7 rows match', { exact: false }).count()).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export' }).click()]);
    const file = path.join(dataDir, 'lapsed-download.csv');
    await download.saveAs(file);
    await expect.poll(() => dialog.getByText('Exported 7 rows.').count()).toBe(1);
    await expect.poll(() => dialog.getByText(/Left out 1 email address \(not opted in\) and 0 people/).count()).toBe(1);
    const buf = fs.readFileSync(file);
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parse(buf.toString('utf8'), { bom: true }) as string[][];
    expect(records[0]!.slice(0, 4)).toEqual(['Person ID', 'First name', 'Last name', 'Email']);
    const ids = records.slice(1).map((r) => r[0]);
    expect(ids).toEqual(['PDV011', 'PDV010', 'PDV009', 'PDV008', 'PDV007', 'PDV006', 'PDV005']);
    // PDV008 is opted out: its address is left out.
    expect(records.find((r) => r[0] === 'PDV008')![3]).toBe('');
    await dialog.getByRole('button', { name: 'Close' }).click();

    // Never gave: the formula-looking name is neutralized in the export.
    await page.getByRole('tab', { name: 'Never gave' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Never gave' }).locator('tbody tr').count()).toBe(9);
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const d2 = page.getByRole('dialog', { name: /Export CSV/ });
    const [download2] = await Promise.all([page.waitForEvent('download'), d2.getByRole('button', { name: 'Export' }).click()]);
    const file2 = path.join(dataDir, 'never-asked.csv');
    await download2.saveAs(file2);
    const rec2 = parse(fs.readFileSync(file2, 'utf8'), { bom: true }) as string[][];
    expect(rec2[1]!.slice(0, 3)).toEqual(['PTV1', "'=cmd", 'Injector']);
    await d2.getByRole('button', { name: 'Close' }).click();

    // The export history lists both exports.
    await page.getByRole('tab', { name: 'Export history' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Export history' }).locator('tbody tr').count()).toBe(2);

    // People: everyone, searchable, rows open the person.
    await page.getByRole('link', { name: 'People' }).click();
    const people = page.getByRole('table', { name: 'People' });
    await expect.poll(() => people.locator('tbody tr').count(), { timeout: 15_000 }).toBe(50);
    await page.getByLabel('Search People').fill('Ångs');
    await expect.poll(() => people.locator('tbody tr').count()).toBe(1);
    await screenshot(page, 'insights-people');
    expect(errors).toEqual([]);
    // The row opens the person (the Person view itself belongs to the identity issue).
    await people.getByRole('button', { name: 'Zoë, "Z" Ångström' }).click();
    await expect.poll(() => page.url()).toContain('#/person/PDV000');
  });
});
