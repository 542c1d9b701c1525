/**
 * The store's protection as the steward meets it, in Chromium through the real `twofold serve`
 * (its key in the real keychain): Settings → Backups writes a backup; the export dialog says
 * the CSV is unencrypted and where, a fetched download's copy leaves the data folder, and
 * Settings lists and deletes one never fetched (a list's and a reconciliation CSV's); a lost key
 * shows the "key is missing" screen, whose Restore brings the backup back after showing what
 * it holds; a second lost key is answered with "Start a new store", the old file kept aside.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gotoView, invokeInPage, launchBrowser, screenshot, startApp, type RunningApp } from './harness';
import { readHead } from '../../src-main/store/cipher';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const keytar = () => require('keytar') as typeof import('keytar');
const PASS = 'lantern orchard 1987';

async function forgetStoreKey(dataDir: string): Promise<void> {
  const salt = readHead(path.join(dataDir, 'twofold.sqlite'))!;
  expect(await keytar().deletePassword('Twofold', `store-key:${salt.toString('hex')}`)).toBe(true);
}

describe('backups, export files and a lost key in the web shell (Chromium)', () => {
  let app: RunningApp;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-e2e-store-'));
  const backupDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-e2e-backups-'));
  const backupFile = path.join(backupDir, 'hope.twofold-backup');

  beforeAll(async () => {
    app = await startApp({ dataDir });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(backupDir, { recursive: true, force: true });
  });

  it('backs up, lists and deletes export files, and recovers from a lost key', async () => {
    const { page, errors } = browser;
    await page.goto(app.url);
    await expect.poll(() => page.getByRole('button', { name: 'Explore with sandbox data' }).count(), { timeout: 30_000 }).toBe(1);
    const { profileId } = await invokeInPage<{ profileId: number }>(page, 'sandbox.start', { people: 120, seed: 4, sync: true });
    await expect.poll(async () => (await invokeInPage<{ running: unknown }>(page, 'sync.status', { profileId })).running, { timeout: 120_000, interval: 1000 }).toBeNull();
    const persons = (await invokeInPage<{ totalPersons: number }>(page, 'insights.overview', { profileId })).totalPersons;
    expect(persons).toBeGreaterThan(30);
    await page.reload();

    // The export dialog says what the file is and where it goes.
    await gotoView(page, '#/insights');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const dialog = page.getByRole('dialog', { name: /Export CSV/ });
    const note = dialog.locator('[aria-label="Export is unencrypted"]');
    await expect.poll(() => note.innerText(), { timeout: 15_000 }).toMatch(/not encrypted[\s\S]*clear text to your browser's downloads folder[\s\S]*\/exports/);
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export' }).click()]);
    expect(fs.readFileSync((await download.path())!).length).toBeGreaterThan(100);
    await screenshot(page, 'store-export-note');
    await dialog.getByRole('button', { name: 'Close' }).click();
    // The browser has it: the clear-text copy in the data folder is gone.
    const csvs = () => fs.readdirSync(path.join(dataDir, 'exports')).filter((f) => f.endsWith('.csv'));
    await expect.poll(csvs, { timeout: 15_000 }).toEqual([]);
    // A download the browser never fetched keeps its copy (for a day), listed in Settings.
    const unfetched = await invokeInPage<{ downloadId: string; rowCount: number }>(page, 'exports.create', { profileId, list: 'all' });
    expect(unfetched.rowCount).toBe(persons);
    expect(csvs()).toEqual([`${unfetched.downloadId}.csv`]);
    // A reconciliation CSV is donor data too: its unfetched copy is listed beside it.
    const run = await invokeInPage<{ id: number }>(page, 'reconcile.run', { profileId });
    expect((await invokeInPage<{ downloadId: string }>(page, 'reconcile.exportCsv', { runId: run.id })).downloadId).toBeTruthy();
    expect(csvs()).toHaveLength(2);
    expect(csvs()).toContain(`${unfetched.downloadId}.csv`);
    // The export log names it, its run and filter in words, and leaves no one out of it.
    await gotoView(page, '#/insights/exports');
    const history = page.getByRole('table', { name: 'Export history' });
    const logged = history.locator('tbody tr').filter({ hasText: 'Reconciliation findings' });
    await expect.poll(() => logged.count(), { timeout: 15_000 }).toBe(1);
    expect(await logged.innerText()).toMatch(new RegExp(`Reconciliation run ${run.id}[\\s\\S]*–`));

    // Settings → Backups: the store's protection, the export file, a backup.
    await gotoView(page, '#/settings/backups');
    await expect.poll(() => page.getByText(/Encrypted \(SQLCipher, AES-256\) with a key kept in the OS keychain/).count(), { timeout: 15_000 }).toBe(1);
    const files = page.getByRole('table', { name: 'Export files' });
    await expect.poll(() => files.locator('tbody tr').count(), { timeout: 15_000 }).toBe(2);
    const reconciliation = files.locator('tbody tr').filter({ hasText: 'Reconciliation findings' });
    expect(await reconciliation.count()).toBe(1);
    const exportPaths = await files.locator('code').allInnerTexts();
    for (const p of exportPaths) expect(fs.existsSync(p)).toBe(true);
    await reconciliation.getByRole('button', { name: /^Delete / }).click();
    await expect.poll(() => files.locator('tbody tr').count(), { timeout: 15_000 }).toBe(1);
    await files.getByRole('button', { name: /^Delete / }).click();
    await expect.poll(() => page.getByText('No export files of this profile remain.').count(), { timeout: 15_000 }).toBe(1);
    for (const p of exportPaths) expect(fs.existsSync(p)).toBe(false);

    const backupCard = page.getByLabel('Back up');
    await backupCard.getByLabel('Backup file').fill(backupFile);
    await backupCard.getByLabel('Passphrase', { exact: true }).fill(PASS);
    await backupCard.getByLabel('Passphrase again').fill(PASS);
    await backupCard.getByRole('button', { name: 'Back up now' }).click();
    await expect.poll(() => page.getByText('Backup finished').count(), { timeout: 60_000 }).toBe(1);
    expect(fs.existsSync(backupFile)).toBe(true);
    await screenshot(page, 'store-backups');

    // The keychain loses the key (a reset, a new user account): the app says so and how out.
    await app.stop();
    await forgetStoreKey(dataDir);
    app = await startApp({ dataDir });
    await page.goto(app.url);
    await expect.poll(() => page.getByRole('heading', { name: "The store's key is missing" }).count(), { timeout: 30_000 }).toBe(1);
    const why = await page.getByRole('alert').first().innerText();
    expect(why).toContain(path.join(dataDir, 'twofold.sqlite'));
    expect(why).toMatch(/restore a backup[\s\S]*start a new store/);
    await screenshot(page, 'store-missing-key');

    // Restore: what the backup holds first, then the restore, then the app.
    await page.getByLabel('Backup file').fill(backupFile);
    await page.getByLabel('Backup passphrase').fill('wrong passphrase here');
    await page.getByRole('button', { name: 'Show what it holds' }).click();
    await expect.poll(() => page.getByText(/The passphrase does not open/).count(), { timeout: 20_000 }).toBe(1);
    await page.getByLabel('Backup passphrase').fill(PASS);
    await page.getByRole('button', { name: 'Show what it holds' }).click();
    const contents = page.getByRole('table', { name: 'Backup contents' });
    await expect.poll(() => contents.locator('tbody tr').first().innerText(), { timeout: 20_000 }).toMatch(new RegExp(`Sandbox[\\s\\S]*${persons}`));
    await screenshot(page, 'store-restore-preview');
    await page.getByRole('button', { name: 'Restore this backup' }).click();
    await page.getByRole('dialog', { name: 'Restore this backup?' }).getByRole('button', { name: 'Restore' }).click();
    await expect.poll(() => page.getByRole('navigation', { name: 'Views' }).count(), { timeout: 60_000 }).toBe(1);
    expect((await invokeInPage<{ totalPersons: number }>(page, 'insights.overview', { profileId })).totalPersons).toBe(persons);
    // The unreadable store was kept beside the restored one.
    expect(fs.readdirSync(dataDir).filter((f) => f.startsWith('twofold.sqlite.before-restore-')).length).toBe(1);

    // Lost again, and this time no backup: start a new store; the old file is kept aside.
    await app.stop();
    await forgetStoreKey(dataDir);
    app = await startApp({ dataDir });
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Start a new store' }).click();
    await page.getByRole('dialog', { name: 'Start a new store?' }).getByRole('button', { name: 'Start a new store' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Explore with sandbox data' }).count(), { timeout: 30_000 }).toBe(1);
    expect(fs.readdirSync(dataDir).filter((f) => /^twofold\.sqlite\.unopened-[^-]/.test(f) && !/-(wal|shm|journal)$/.test(f)).length).toBe(1);
    expect(errors).toEqual([]);
  });
});
