import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exploreSandboxToSync, invokeInPage, launchBrowser, screenshot, startApp, type RunningApp } from './harness';

describe('Sync in the web shell (Chromium)', () => {
  let app: RunningApp;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    app = await startApp({ env: { TWOFOLD_SANDBOX_PEOPLE: '300' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) fs.rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('explores the sandbox, syncs it again with Sync now, watches progress reach done and sees the counts', async () => {
    const { page, errors } = browser;
    await exploreSandboxToSync(page, app.url);
    const main = page.getByRole('main');
    const status = (api: string) => main.getByTestId(`sync-status-${api}`).textContent();
    for (const api of ['vomo', 'crm', 'raise']) await expect.poll(() => status(api), { timeout: 120_000, interval: 500 }).toBe('ok');
    const cardText = async (label: string) => (await main.locator(`[aria-label="${label} sync"]`).first().textContent()) ?? '';
    const recordsOf = async (label: string) => Number(/read ([\d,]+) records?/.exec(await cardText(label))?.[1]?.replace(/,/g, ''));
    // The first (full) sync mirrored every API's records.
    for (const label of ['VOMO', 'CRM+', 'Raise']) expect(await recordsOf(label)).toBeGreaterThan(100);

    // Sync now: an incremental run, with live progress, ending ok again.
    await main.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => main.getByRole('button', { name: 'Cancel' }).count(), { timeout: 10_000 }).toBe(0);
    for (const api of ['vomo', 'crm', 'raise']) await expect.poll(() => status(api), { timeout: 120_000, interval: 500 }).toBe('ok');
    // The counts of what the run changed, per entity.
    await expect.poll(() => main.getByRole('table', { name: 'CRM+ changes' }).count(), { timeout: 10_000 }).toBe(1);
    // Nothing changed at the source since the first sync: the incremental run found no new records.
    // (Polled: right after the click the card may still show the first run, until the new one starts.)
    await expect.poll(() => recordsOf('CRM+'), { timeout: 120_000, interval: 500 }).toBeLessThan(100);
    for (const api of ['vomo', 'crm', 'raise']) await expect.poll(() => status(api), { timeout: 120_000, interval: 500 }).toBe('ok');
    expect(await cardText('CRM+')).toMatch(/Last successful sync: (just now|\d+ min ago)/);
    // The malformed records the sandbox serves are set aside, not lost.
    await expect.poll(() => main.getByRole('table', { name: 'Quarantined records' }).count()).toBe(1);

    // The overview now has numbers to show.
    await page.getByRole('link', { name: 'Overview' }).click();
    await expect.poll(async () => (await page.getByRole('main').textContent()) ?? '', { timeout: 20_000 }).toMatch(/Donor-volunteers/i);
    await page.getByRole('link', { name: 'Sync' }).click();
    await screenshot(page, 'sync');
    expect(errors).toEqual([]);
  });

  it('says in words when a resource is not available, and shows the CRM+ budget and the participation re-read', async () => {
    const { page, errors } = browser;
    const profiles = await invokeInPage<{ id: number; raiseUrl: string | null }[]>(page, 'profiles.list', {});
    const sandbox = profiles[0]!;
    // This account's Raise has no recurring gifts (the sandbox answers 404 on their list).
    const admin = `${new URL(sandbox.raiseUrl!).origin}/__sandbox/resources`;
    const off = await fetch(admin, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ api: 'raise', resource: 'recurringGifts', status: 404 }) });
    expect(off.status).toBe(200);
    const main = page.getByRole('main');
    await main.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => main.getByRole('button', { name: 'Cancel' }).count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => main.getByTestId('sync-status-raise').textContent(), { timeout: 120_000, interval: 500 }).toBe('ok');
    await expect
      .poll(() => main.getByTestId('unavailable-raise').textContent(), { timeout: 20_000 })
      .toMatch(/Not synced — Raise recurring gifts: not available to this account \(HTTP 404\); the rest was synced/);
    expect(await main.getByTestId('budget-crm').textContent()).toMatch(/Budget: [\d,]+ of 5,000 requests left this hour/);
    expect(await main.getByTestId('participations-reread').textContent()).toMatch(/participations were last read in full (just now|\d+ min ago); again every 30 days/);
    // The steward's pace ceiling and re-read interval live with the deletion limit.
    await main.getByRole('button', { name: 'Settings' }).click();
    await expect.poll(() => main.getByLabel('Pace ceiling (requests/second)').inputValue()).toBe('30');
    await screenshot(page, 'sync-unavailable');
    expect(errors).toEqual([]);
  });
});
