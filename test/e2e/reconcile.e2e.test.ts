import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, startApp, type RunningApp, gotoView } from './harness';
import { invokeInPage, openAppStore } from './harness';

const invoke = invokeInPage;

describe('reconciliation in the web shell (Chromium)', () => {
  let app: RunningApp;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    app = await startApp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) fs.rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('runs a reconciliation, opens a finding and follows it to the person', async () => {
    const { page, errors } = browser;
    await page.goto(app.url);
    // A small sandbox organization, synced, so the run has real findings.
    const { profileId } = await invoke<{ profileId: number }>(page, 'sandbox.start', { people: 150, sync: false });
    const { runId } = await invoke<{ runId: number }>(page, 'sync.start', { profileId });
    await expect
      .poll(async () => (await invoke<{ running: unknown }>(page, 'sync.status', { profileId })).running, { timeout: 150_000, interval: 1000 })
      .toBeNull();
    const syncRuns = await invoke<{ id: number; status: string }[]>(page, 'sync.runs', { profileId });
    expect(syncRuns.find((r) => r.id === runId)?.status).toMatch(/ok|partial/);

    // The app lives under this launch's own path (the page's URL after the first visit).
    await gotoView(page, '#/reconciliation');
    await page.reload();
    await expect.poll(() => page.getByRole('button', { name: 'Run reconciliation' }).count(), { timeout: 30_000 }).toBe(1);
    await page.getByRole('button', { name: 'Run reconciliation' }).click();

    // The run lands: listed by time and open, with its findings grouped and counted.
    await expect.poll(() => page.getByRole('navigation', { name: 'Reconciliation runs' }).getByRole('button', { name: /^Open run of / }).count(), { timeout: 120_000 }).toBeGreaterThan(0);
    const findings = page.getByRole('table', { name: 'Findings' });
    await expect.poll(() => findings.count(), { timeout: 60_000 }).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: /^Held back by campaign sync off: [1-9]/ }).count()).toBe(1);
    await expect.poll(() => page.getByRole('group', { name: 'Observed lag distribution' }).count()).toBe(1);
    // Judged by the sandbox's own clock, not the wall clock.
    const { runs } = await invoke<{ runs: { settings: { asOfSource: string } }[] }>(page, 'reconcile.runs', { profileId });
    expect(runs[0]!.settings.asOfSource).toBe('sandbox');

    // A gift missing in CRM+ after the lag window belongs to a donor the store knows.
    const missing = page.getByRole('button', { name: /^Missing in CRM\+ after the lag window: [1-9]/ });
    const missingCount = Number(/: ([\d,]+)$/.exec((await missing.getAttribute('aria-label')) ?? '')?.[1]?.replace(/,/g, ''));
    expect(missingCount).toBeGreaterThan(0);
    await missing.click();

    // Those findings as a CSV: a download the page says is not encrypted, in the export log with
    // its rows, and its copy in the data folder gone once the browser has it.
    await expect.poll(() => findings.getByRole('button', { name: /^Details of Raise gift / }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^reconciliation-.*-missing_in_crm\.csv$/);
    expect(fs.readFileSync((await download.path())!, 'utf8')).toMatch(/^\ufeff?group,kind,change/);
    await expect.poll(() => page.getByText('Findings exported, not encrypted').count(), { timeout: 15_000 }).toBe(1);
    const log = await invoke<{ list: string; rowCount: number }[]>(page, 'exports.list', { profileId, limit: 5 });
    expect(log[0]).toMatchObject({ list: 'reconciliation', rowCount: missingCount });
    await expect.poll(() => fs.readdirSync(path.join(app.dataDir, 'exports')).filter((f) => f.endsWith('.csv')), { timeout: 15_000 }).toEqual([]);
    const details = findings.getByRole('button', { name: /^Details of Raise gift / }).first();
    await expect.poll(() => details.count(), { timeout: 30_000 }).toBe(1);
    const row = findings.getByRole('row').filter({ has: page.getByRole('button', { name: /^Details of Raise gift / }) }).first();
    const name = (await row.getByRole('cell').nth(2).innerText()).trim();
    expect(name).not.toBe('–');
    await details.click();
    const drawer = page.getByRole('dialog');
    await expect.poll(() => drawer.getByText('Raise gift missing in CRM+ after the lag window').count()).toBeGreaterThan(0);
    await screenshot(page, 'reconciliation-finding');
    const open = drawer.getByRole('button', { name: /^Open person / });
    await expect.poll(() => open.count()).toBe(1);
    await open.click();
    await expect.poll(() => page.evaluate(() => window.location.hash), { timeout: 15_000 }).toMatch(/^#\/person\/P[0-9A-Z]+$/);
    const personId = decodeURIComponent((await page.evaluate(() => window.location.hash)).split('/')[2]!);
    const person = await invoke<unknown>(page, 'people.get', { profileId, personId });
    expect(JSON.stringify(person)).toContain(personId);
    // The person view opens on the same human the finding named.
    await expect.poll(() => page.getByRole('main').getByText(name, { exact: false }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await screenshot(page, 'reconciliation-person');
    expect(errors).toEqual([]);
  });

  it('pages a run\u2019s findings by cursor, to the end and back, and Back returns to the page', async () => {
    // A later run with 130 findings that tie on kind and day, named in their order (by id).
    const db = await openAppStore(app.dataDir);
    const runId = db.transaction(() => {
      const id = Number(
        db.prepare(`INSERT INTO reconcile_runs (profile_id, at, as_of, finished_at, status, settings_json, summary_json)
           SELECT profile_id, at, as_of, finished_at, 'ok', settings_json, summary_json FROM reconcile_runs ORDER BY id DESC LIMIT 1`).run()
          .lastInsertRowid,
      );
      const add = db.prepare(
        `INSERT INTO reconcile_findings (run_id, kind, grp, grp_rank, api, resource, source_id, subject, label, occurred_at, occurred_sort, detail_json, fingerprint)
         VALUES (?, 'gift_missing_in_crm', 'missing_in_crm', 0, 'raise', 'gifts', ?, ?, ?, '2026-01-02', '2026-01-02', '{}', ?)`,
      );
      for (let i = 0; i < 130; i++) add.run(id, `pg${i}`, `raise_gift:pg${i}`, `Pager ${String(i).padStart(3, '0')}`, `pg${i}`);
      return id;
    })();
    db.close();
    const { page, errors } = browser;
    await gotoView(page, `#/reconciliation?run=${runId}`);
    await page.reload();
    const pages = page.getByRole('navigation', { name: 'Findings pages' });
    const shown = () => pages.getByText(/^Findings /).textContent();
    const firstName = () => page.getByRole('table', { name: 'Findings' }).getByRole('row').nth(1).getByRole('cell').nth(2).textContent();
    await expect.poll(shown, { timeout: 30_000 }).toBe('Findings 1–50 of 130');
    expect(await firstName()).toBe('Pager 000');
    await pages.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(shown, { timeout: 15_000 }).toBe('Findings 51–100 of 130');
    expect(await firstName()).toBe('Pager 050');
    // The page is in the URL: a reload (as Back from a person) shows it again.
    await page.reload();
    await expect.poll(shown, { timeout: 30_000 }).toBe('Findings 51–100 of 130');
    expect(await firstName()).toBe('Pager 050');
    await pages.getByRole('button', { name: 'Last page' }).click();
    await expect.poll(shown, { timeout: 15_000 }).toBe('Findings 81–130 of 130');
    expect(await firstName()).toBe('Pager 080');
    expect(await pages.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await pages.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(shown, { timeout: 15_000 }).toBe('Findings 31–80 of 130');
    expect(await firstName()).toBe('Pager 030');
    await pages.getByRole('button', { name: 'First page' }).click();
    await expect.poll(shown, { timeout: 15_000 }).toBe('Findings 1–50 of 130');
    expect(await pages.getByRole('button', { name: 'Previous page' }).isDisabled()).toBe(true);
    await screenshot(page, 'reconciliation-finding-pages');
    // A page position that does not read (an edited link) opens the first page instead.
    await gotoView(page, `#/reconciliation?run=${runId}&at=bm90LWEta2V5&from=50`);
    await page.reload();
    await expect.poll(shown, { timeout: 30_000 }).toBe('Findings 1–50 of 130');
    expect(await firstName()).toBe('Pager 000');
    expect(errors).toEqual([]);
  });
});
