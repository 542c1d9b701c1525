import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, startApp, type RunningApp } from './harness';

describe('profiles in the web shell (Chromium)', () => {
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

  it('adds a profile in the UI, lists it, and still has it after a reload', async () => {
    const { page, errors } = browser;
    await page.goto(app.url);
    // First run: the welcome offers both ways in.
    await expect.poll(() => page.getByRole('button', { name: 'Explore with sandbox data' }).count()).toBe(1);
    await page.getByRole('link', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'Add profile' });
    await form.getByLabel('Organization name').fill('Hope House');
    await form.getByLabel('Raise base URL (optional)').fill('https://prod-api.raisedonors.com');
    await form.getByRole('button', { name: 'Add profile' }).click();

    const table = page.getByRole('table', { name: 'Profiles' });
    await expect.poll(() => table.getByText('Hope House').count()).toBe(1);
    await expect.poll(() => table.getByText('https://prod-api.raisedonors.com').count()).toBe(1);

    await page.reload();
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Profiles' }).getByText('Hope House').count()).toBe(1);
    // The Mantine styles loaded (a real themed app, not unstyled HTML).
    const bg = await page.getByRole('button', { name: 'Add profile' }).evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(bg).not.toBe('rgba(0, 0, 0, 0)');

    // A bad URL is refused with the field's own message, and nothing is added.
    await form.getByLabel('Organization name').fill('Broken');
    await form.getByLabel('VOMO base URL').fill('not a url');
    await form.getByRole('button', { name: 'Add profile' }).click();
    await expect.poll(() => page.getByText('must be a full http(s) URL').count()).toBeGreaterThan(0);
    expect(await page.getByRole('table', { name: 'Profiles' }).getByText('Broken').count()).toBe(0);

    const file = await screenshot(page, 'profiles');
    expect(fs.statSync(file).size).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
  });
});
