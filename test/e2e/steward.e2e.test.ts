/**
 * A steward's day on the sandbox, end to end through the real `twofold serve` and the real CLI
 * beside it: the app's sandbox and a CLI sync on one data folder; the lapsed list's rule and its
 * members; every view in light and dark (contrast, text that fits, screenshots at 1400 and
 * 1024 px under test-results/views/).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { contrastViolations, gotoView, invokeInPage as invoke, launchBrowser, RESULTS, runCli, screenshotAs, startApp, textOverflows, type RunningApp } from './harness';

interface Profile {
  id: number;
  name: string;
  crmUrl: string | null;
  vomoUrl: string | null;
  raiseUrl: string | null;
  tokens: Record<string, boolean>;
}
interface Row {
  personId: string;
  lastParticipationAt: string | null;
  lastGiftDate: string | null;
}
interface Page0 {
  rows: Row[];
  asOfDay: string;
  definition: string;
  filters: { lapseDays: number; activityDays: number };
}

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const mediumDay = (day: string) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));

async function settle(page: Page): Promise<void> {
  await expect
    .poll(async () => page.locator('[aria-label^="Loading"], [aria-busy="true"]').count(), { timeout: 30_000, interval: 200 })
    .toBe(0);
  await page.waitForTimeout(400);
}

describe("a steward's day on the sandbox (Chromium + CLI)", () => {
  let app: RunningApp;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let profileId: number;

  beforeAll(async () => {
    app = await startApp({ env: { TWOFOLD_SANDBOX_PEOPLE: '300' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) fs.rmSync(app.dataDir, { recursive: true, force: true });
  });

  const syncDone = async (page: Page) => {
    await expect.poll(async () => (await invoke<{ running: unknown }>(page, 'sync.status', { profileId })).running, { timeout: 180_000, interval: 1000 }).toBeNull();
    const s = await invoke<{ lastByApi: Record<string, { status: string } | null> }>(page, 'sync.status', { profileId });
    return Object.fromEntries(Object.entries(s.lastByApi).map(([k, v]) => [k, v?.status ?? null]));
  };

  it("shares one data folder: a CLI sync uses the app's sandbox servers, and Sync now in the app still succeeds", async () => {
    const { page, errors } = browser;
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Explore with sandbox data' }).click();
    // First run: the overview says the first sync is running (and shows it) rather than "Run a sync".
    await expect.poll(() => page.getByText('The first sync is running').count(), { timeout: 30_000, interval: 100 }).toBe(1);
    profileId = (await invoke<Profile[]>(page, 'profiles.list', {}))[0]!.id;
    expect(await syncDone(page)).toEqual({ vomo: 'ok', crm: 'ok', raise: 'ok' });
    const before = (await invoke<Profile[]>(page, 'profiles.list', {}))[0]!;

    // The CLI, on the same data folder, while the app runs.
    const cli = await runCli(app.dataDir, ['sync', 'Sandbox', '--json']);
    expect(cli.stderr).not.toMatch(/Error/);
    expect(cli.code).toBe(0);
    const summary = JSON.parse(cli.stdout) as Record<string, { status: string }>;
    expect(Object.values(summary).map((s) => s.status)).toEqual(['ok', 'ok', 'ok']);
    // It used the app's servers and left the profile's addresses alone.
    const after = (await invoke<Profile[]>(page, 'profiles.list', {}))[0]!;
    expect([after.vomoUrl, after.crmUrl, after.raiseUrl]).toEqual([before.vomoUrl, before.crmUrl, before.raiseUrl]);
    const state = await invoke<{ owner: string; running: boolean }>(page, 'sandbox.status', { profileId });
    expect(state).toMatchObject({ owner: 'this-process', running: true });

    // The CLI and the app agree on the tokens and on the reference day.
    const listed = await runCli(app.dataDir, ['profile', 'list']);
    expect(listed.stdout).toMatch(/tokens=vomo,crm,raise/);
    expect(after.tokens).toEqual({ vomo: true, crm: true, raise: true });
    const lapsed = await invoke<Page0 & { total: number }>(page, 'insights.list', { profileId, list: 'lapsed', limit: 500 });
    const report = await runCli(app.dataDir, ['report', 'Sandbox', 'lapsed']);
    expect(report.code).toBe(0);
    expect(report.stdout.split('\n')[0]).toContain(`${lapsed.rows.length} person`);
    expect(report.stdout.split('\n')[0]).toContain(`(as of ${mediumDay(lapsed.asOfDay)})`);

    // Sync now in the app, after the CLI has exited: every API ends ok.
    await gotoView(page, '#/sync');
    await page.getByRole('main').getByRole('button', { name: 'Sync now' }).click();
    expect(await syncDone(page)).toEqual({ vomo: 'ok', crm: 'ok', raise: 'ok' });
    await expect.poll(() => page.getByRole('banner').getByText(/^synced /).count(), { timeout: 15_000 }).toBe(1);
    // Two syncs' worth of concurrent requests left no listener warning in the server's log.
    expect(app.log()).not.toMatch(/MaxListenersExceededWarning/);
    expect(errors).toEqual([]);
  });

  it('a long page renders only the rows in view, under a header that stays in place', async () => {
    const { page, errors } = browser;
    await gotoView(page, '#/people');
    const people = page.getByRole('table', { name: 'People' });
    await expect.poll(() => people.locator('tbody tr[data-person]').count(), { timeout: 20_000 }).toBe(50);
    await page.getByRole('combobox', { name: 'Rows per page' }).click();
    await page.getByRole('option', { name: '500 per page' }).click();
    const total = (await invoke<{ total: number }>(page, 'insights.count', { profileId, list: 'all' })).total;
    expect(total).toBeGreaterThan(150);
    await expect.poll(() => page.getByText(`Rows 1–${total} of ${total}`).count(), { timeout: 20_000 }).toBe(1);
    const rendered = await people.locator('tbody tr[data-person]').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(total);
    // Scrolled to the end, the last person is there and the header is still at the top of the box.
    const box = page.locator('[data-table-scroll]').first();
    await box.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect.poll(() => people.locator(`tbody tr[data-index="${total - 1}"]`).count()).toBe(1);
    const [headTop, boxTop] = await box.evaluate((el) => [el.querySelector('thead')!.getBoundingClientRect().top, el.getBoundingClientRect().top]);
    expect(Math.abs(headTop - boxTop)).toBeLessThan(2);
    expect(errors).toEqual([]);
  });

  it('the lapsed list names its window, and everyone on it served inside that window', async () => {
    const { page, errors } = browser;
    await gotoView(page, '#/insights/lapsed');
    const rule = page.getByRole('note', { name: 'Who is on this list' });
    await expect.poll(() => rule.count(), { timeout: 20_000 }).toBe(1);
    const lapsed = await invoke<Page0>(page, 'insights.list', { profileId, list: 'lapsed', limit: 500 });
    const { activityDays, lapseDays } = lapsed.filters;
    expect(activityDays).toBeGreaterThan(0);
    const from = addDays(lapsed.asOfDay, -activityDays);
    const text = (await rule.textContent()) ?? '';
    expect(text).toContain(`the ${activityDays.toLocaleString()}-day activity window`);
    expect(text).toContain(`on or after ${mediumDay(from)}`);
    expect(text).toContain(`${lapseDays.toLocaleString()} days or more before ${mediumDay(lapsed.asOfDay)}`);
    // The window's value shows in the field (not the word "setting").
    await expect.poll(() => page.getByLabel('Activity window (days)').inputValue()).toBe(String(activityDays));
    expect(lapsed.rows.length).toBeGreaterThan(0);
    for (const r of lapsed.rows) {
      expect(r.lastParticipationAt!.slice(0, 10) >= from, `${r.personId} last served ${r.lastParticipationAt}`).toBe(true);
      const detail = await invoke<{ participations: { date: string | null; attended: boolean }[] }>(page, 'people.get', { profileId, personId: r.personId });
      const inWindow = detail.participations.filter((p) => p.attended && p.date && p.date.slice(0, 10) >= from && p.date.slice(0, 10) <= lapsed.asOfDay);
      expect(inWindow.length, `${r.personId} has a participation on or after ${from}`).toBeGreaterThan(0);
    }
    // The wider reading is one click away, and the rule says so.
    await page.getByText('Any current VOMO volunteer').click();
    await expect.poll(async () => (await rule.textContent()) ?? '').toContain('the activity window is off');
    expect(errors).toEqual([]);
  });

  it('every view passes the contrast check in light and dark, fits its text at 1400 and 1024 px, and is saved as a screenshot', async () => {
    const { page, errors } = browser;
    await invoke(page, 'reconcile.run', { profileId });
    const person = (await invoke<Page0>(page, 'insights.list', { profileId, list: 'lapsed', limit: 1 })).rows[0]!.personId;
    const views = [
      'overview',
      'people',
      'insights/lapsed',
      'insights/top-volunteers',
      'insights/donor-volunteers',
      'insights/volunteer-only',
      'insights/donors-only',
      'insights/raise-first-time',
      'insights/engagement',
      'insights/exports',
      'insights/crm-submissions',
      'conflicts',
      'duplicates',
      'reconciliation',
      'sync',
      'settings/profiles',
      'settings/connections',
      'settings/authority',
      'settings/insights',
      'settings/reconciliation',
      `person/${person}`,
    ];
    const problems: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.evaluate((s) => localStorage.setItem('twofold-color-scheme', s), scheme);
      for (const width of [1400, 1024]) {
        await page.setViewportSize({ width, height: 900 });
        for (const view of views) {
          await gotoView(page, `#/${view}`);
          await page.reload();
          await settle(page);
          const name = view.startsWith('person/') ? 'person' : view.replace('/', '-');
          await screenshotAs(page, 'views', `${name}-${scheme}-${width}`);
          for (const o of await textOverflows(page)) problems.push(`${name} ${scheme} ${width}: ${o.kind} <${o.tag} class="${o.className}"> "${o.text}"`);
          if (width === 1400) {
            for (const v of await contrastViolations(page)) problems.push(`${name} ${scheme}: contrast ${v.ratio}:1 (needs ${v.expected}) ${v.fg} on ${v.bg} "${v.text}" at ${v.target}`);
          }
        }
      }
    }
    // The list, deduplicated, beside the screenshots (the assertion below prints it too).
    fs.writeFileSync(`${RESULTS}/views/problems.txt`, [...new Set(problems)].join('\n') + '\n');
    expect(problems, [...new Set(problems)].join('\n')).toEqual([]);
    expect(errors).toEqual([]);
  });
});
