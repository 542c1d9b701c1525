/**
 * Long jobs as the steward meets them in Chromium: the Sync view shows the person-store rebuild
 * that follows a sync as its last step, with its progress; a long export shows its progress and
 * a Cancel button, cancelling writes nothing, and the export started again finishes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exploreSandboxToSync, gotoView, invokeInPage, launchBrowser, screenshot, startApp, type RunningApp, openAppStore } from './harness';
import { generate } from '../../bench/identityData';

describe('long jobs in the web shell (Chromium)', () => {
  const apps: RunningApp[] = [];
  let browser: Awaited<ReturnType<typeof launchBrowser>> | null = null;

  afterAll(async () => {
    await browser?.close();
    for (const app of apps) {
      await app.stop();
      fs.rmSync(app.dataDir, { recursive: true, force: true });
    }
  });

  it('syncs the sandbox and shows the rebuild that follows as the sync\u2019s last step', async () => {
    const app = await startApp({ env: { TWOFOLD_SANDBOX_PEOPLE: '300' } });
    apps.push(app);
    browser = await launchBrowser();
    const { page, errors } = browser;
    await exploreSandboxToSync(page, app.url);
    const main = page.getByRole('main');
    const after = main.getByRole('region', { name: 'After the sync' }).or(main.locator('[aria-label="After the sync"]'));
    // The rebuild's own progress: its steps, then done (6 of 6 steps).
    await expect.poll(() => after.getByTestId('job-rebuild').count(), { timeout: 120_000, interval: 250 }).toBe(1);
    await expect.poll(() => after.getByTestId('job-rebuild').getAttribute('data-state'), { timeout: 120_000 }).toBe('done');
    expect(await after.textContent()).toContain('Rebuilding the person store');
    await expect.poll(() => after.getByTestId('job-measures').getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    for (const api of ['vomo', 'crm', 'raise']) await expect.poll(() => main.getByTestId(`sync-status-${api}`).textContent(), { timeout: 120_000 }).toBe('ok');
    // Sync now: the new run gets its own rebuild step, which ends done.
    const runsBefore = (await invokeInPage<{ id: number }[]>(page, 'sync.runs', { profileId: 1, limit: 1 }))[0]!.id;
    await main.getByRole('button', { name: 'Sync now' }).click();
    await expect
      .poll(async () => (await invokeInPage<{ kind: string; syncRunId: number | null; state: string }[]>(page, 'jobs.list', { profileId: 1 })).find((j) => j.kind === 'rebuild' && (j.syncRunId ?? 0) > runsBefore)?.state ?? null, {
        timeout: 120_000,
      })
      .toBe('done');
    await expect.poll(() => after.getByTestId('job-rebuild-step').textContent(), { timeout: 30_000 }).toBe('done');
    await screenshot(page, 'sync-rebuild-step');
    expect(errors).toEqual([]);
  });

  it('cancels a long export (nothing written), starts it again, and it finishes', async () => {
    const app = await startApp();
    apps.push(app);
    // A big organization: the export of everyone takes long enough to cancel.
    const db = await openAppStore(app.dataDir);
    db.transaction(() => generate(db, 100_000))();
    db.prepare(`UPDATE profiles SET is_sandbox = 0, name = 'Big Org'`).run();
    db.close();
    browser ??= await launchBrowser();
    const { page, errors } = browser;
    await page.goto(app.url);
    // The first build runs as a job while the page stays usable.
    await invokeInPage(page, 'identity.rebuild', { profileId: 1 });
    await gotoView(page, '#/people');
    await page.reload();
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const dialog = page.getByRole('dialog', { name: /Export CSV/ });
    await dialog.getByRole('button', { name: 'Export' }).click();
    const progress = dialog.getByTestId('job-export');
    await expect.poll(() => progress.count(), { timeout: 60_000, interval: 50 }).toBe(1);
    // The export runs ~1.5 s once it shows. Playwright's click first waits for two animation frames
    // in which the button has not moved; on a loaded machine those frames came too late once (CI,
    // "element is not stable", then the export finished). The button does not move while the job
    // runs (its box sampled every 20 ms from queued to done: one position), so the click need not wait for that.
    await dialog.getByRole('button', { name: 'Cancel' }).click({ force: true });
    await expect.poll(() => dialog.getByText('Export cancelled: no file was written.').count(), { timeout: 30_000 }).toBe(1);
    const jobs = await invokeInPage<{ kind: string; state: string }[]>(page, 'jobs.list', { profileId: 1 });
    expect(jobs.find((j) => j.kind === 'export')?.state).toBe('cancelled');
    expect(await invokeInPage<unknown[]>(page, 'exports.list', { profileId: 1 })).toEqual([]);
    expect(fs.readdirSync(path.join(app.dataDir, 'exports')).filter((f) => f.endsWith('.csv') || f.includes('.partial') || f.includes('scratch'))).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), dialog.getByRole('button', { name: 'Export' }).click()]);
    await expect.poll(() => dialog.getByText('Export finished').count(), { timeout: 120_000 }).toBe(1);
    const file = await download.path();
    const lines = fs.readFileSync(file!, 'utf8').trim().split('\n').length;
    expect(lines).toBeGreaterThan(90_000);
    expect(await invokeInPage<unknown[]>(page, 'exports.list', { profileId: 1 })).toHaveLength(1);
    await screenshot(page, 'export-after-cancel');
    expect(errors).toEqual([]);
  });
});
