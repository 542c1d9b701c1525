/**
 * Identity end to end in Chromium, through the real `twofold serve`: mirror rows are seeded in
 * plain SQL (the e2e project does not import src-main), the join is built from the Conflicts
 * view's "Re-check now", then: resolve a conflict, approve a merge, undo it.
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openAppStore, screenshot, startApp, type RunningApp } from './harness';

async function seed(dataDir: string): Promise<void> {
  const db = await openAppStore(dataDir);
  const t = '2026-01-01T00:00:00.000Z';
  const pid = Number(db.prepare("INSERT INTO profiles (name, created_at, updated_at) VALUES ('Wayne Foundation', ?, ?)").run(t, t).lastInsertRowid);
  const vomo = db.prepare(
    `INSERT INTO vomo_users (profile_id, id, email, email_norm, first_name, last_name, phone, updated_at, raw_json, first_synced_at, last_synced_at) VALUES (?, ?, ?, lower(?), ?, ?, ?, ?, '{}', ?, ?)`,
  );
  const contact = db.prepare(`INSERT INTO crm_contacts (profile_id, id, contact_type, name, postal, raw_json, first_synced_at, last_synced_at) VALUES (?, ?, 'Household', ?, '62701', '{}', ?, ?)`);
  const ind = db.prepare(`INSERT INTO crm_individuals (profile_id, id, contact_id, first_name, last_name, is_primary) VALUES (?, ?, ?, ?, ?, 1)`);
  const method = db.prepare(
    `INSERT INTO crm_contact_methods (profile_id, id, contact_id, individual_id, type, kind, value, email_norm, is_opted_in, is_primary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 1)`,
  );
  db.transaction(() => {
    // Bruce: same email in both systems, last names disagree → one conflict.
    vomo.run(pid, '1', 'bruce@wayne.example', 'bruce@wayne.example', 'Bruce', 'Wayne', '+15551234567', t, t, t);
    contact.run(pid, '10', 'Wayne household', t, t);
    ind.run(pid, '100', '10', 'Bruce', 'Wayne-Kane');
    method.run(pid, '100-e', '10', '100', 'Home Email', 'email', 'Bruce@Wayne.example', 'bruce@wayne.example');
    method.run(pid, '100-p', '10', '100', 'Home Phone', 'phone', '(555) 123-4567', null);
    // Selina: two rows (different emails) with the same phone and name → a duplicate candidate.
    vomo.run(pid, '2', 'selina@cat.example', 'selina@cat.example', 'Selina', 'Kyle', '217-555-0199', t, t, t);
    contact.run(pid, '20', 'Selina Kyle', t, t);
    ind.run(pid, '200', '20', 'Selina', 'Kyle');
    method.run(pid, '200-e', '20', '200', 'Home Email', 'email', 'skyle@other.example', 'skyle@other.example');
    method.run(pid, '200-p', '20', '200', 'Home Phone', 'phone', '(217) 555-0199', null);
  })();
  db.close();
}

describe('identity in Chromium', () => {
  let app: RunningApp;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-e2e-identity-'));
    app = await startApp({ dataDir });
    await seed(dataDir);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('resolves a conflict, approves a merge and undoes it', async () => {
    const { page, errors } = browser;
    await page.goto(`${app.url}#/conflicts`);
    await page.getByRole('button', { name: 'Re-check now' }).click();
    const useCrm = page.getByRole('button', { name: 'Use CRM+ value for Bruce Wayne last name' });
    await expect.poll(() => useCrm.count(), { timeout: 20_000 }).toBe(1);
    await useCrm.click();
    await expect.poll(() => page.getByText('No open conflicts').count(), { timeout: 15_000 }).toBe(1);
    await page.locator('label[for$="-resolved"]').click();
    await expect.poll(() => page.getByRole('button', { name: /Reopen conflict for Bruce Wayne-Kane last name/ }).count(), { timeout: 15_000 }).toBe(1);
    await screenshot(page, 'identity-conflicts');
    // The person: every system side by side, the links with their match cards.
    await page.getByRole('button', { name: /Reopen conflict for Bruce Wayne-Kane/ }).waitFor();
    await page.getByText('Bruce Wayne-Kane', { exact: true }).first().click();
    await expect.poll(() => page.getByRole('heading', { name: 'Bruce Wayne-Kane' }).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.getByText(/Joined because the normalized email matched/).count(), { timeout: 15_000 }).toBe(1);
    await screenshot(page, 'identity-person');

    await page.goto(`${app.url}#/duplicates`);
    const approve = page.getByRole('button', { name: /Approve merge of Selina Kyle and Selina Kyle/ });
    await expect.poll(() => approve.count(), { timeout: 20_000 }).toBe(1);
    await approve.click();
    await expect.poll(() => page.getByText('No candidates to review').count(), { timeout: 15_000 }).toBe(1);
    await page.getByRole('tab', { name: /Merge history/ }).click();
    const undo = page.getByRole('button', { name: /Undo merge of Selina Kyle into Selina Kyle/ });
    await expect.poll(() => undo.count(), { timeout: 15_000 }).toBe(1);
    await screenshot(page, 'identity-merge-history');
    await undo.click();
    // The history says when, in the steward's date format.
    await expect.poll(() => page.getByText(/^undone [A-Z][a-z]{2} \d{1,2}, \d{4}$/).count(), { timeout: 15_000 }).toBe(1);
    await page.getByRole('tab', { name: /Review queue/ }).click();
    await expect.poll(() => approve.count(), { timeout: 15_000 }).toBe(1);
    expect(errors).toEqual([]);
  });

  it('pages the conflicts queue by name, forward, to the end and back, and resolves a field\u2019s every conflict', async () => {
    // 600 more persons whose first names disagree, named so the queue's order is known (more
    // than a decision made in place: resolving them all is a job).
    const db = await openAppStore(app.dataDir);
    const t = '2026-01-02T00:00:00.000Z';
    const pid = db.prepare('SELECT id FROM profiles').pluck().get() as number;
    db.transaction(() => {
      for (let i = 0; i < 600; i++) {
        const last = `${i % 2 ? 'q' : 'Q'}uinn${String(599 - i).padStart(3, '0')}`; // either case: the order ignores it
        db.prepare(
          `INSERT INTO vomo_users (profile_id, id, email, email_norm, first_name, last_name, updated_at, raw_json, first_synced_at, last_synced_at) VALUES (?, ?, ?, ?, 'Sam', ?, ?, '{}', ?, ?)`,
        ).run(pid, `q${i}`, `q${i}@quinn.example`, `q${i}@quinn.example`, last, t, t, t);
        db.prepare(`INSERT INTO crm_contacts (profile_id, id, contact_type, name, raw_json, first_synced_at, last_synced_at) VALUES (?, ?, 'Household', ?, '{}', ?, ?)`).run(pid, `c${i}`, last, t, t);
        db.prepare(`INSERT INTO crm_individuals (profile_id, id, contact_id, first_name, last_name, is_primary) VALUES (?, ?, ?, 'Samantha', ?, 1)`).run(pid, `i${i}`, `c${i}`, last);
        db.prepare(
          `INSERT INTO crm_contact_methods (profile_id, id, contact_id, individual_id, type, kind, value, email_norm, is_opted_in, is_primary) VALUES (?, ?, ?, ?, 'Home Email', 'email', ?, ?, 1, 1)`,
        ).run(pid, `m${i}`, `c${i}`, `i${i}`, `q${i}@quinn.example`, `q${i}@quinn.example`);
      }
    })();
    db.close();
    const { page, errors } = browser;
    await page.goto(`${app.url}#/conflicts`);
    await page.getByRole('button', { name: 'Re-check now' }).click();
    const pages = page.getByRole('navigation', { name: 'Conflict pages' });
    const shown = () => pages.getByText(/^Conflicts /).textContent();
    const firstPerson = () => page.getByRole('table', { name: 'Conflicts' }).getByRole('row').nth(1).textContent();
    await expect.poll(shown, { timeout: 20_000 }).toBe('Conflicts 1–50 of 600');
    expect(await firstPerson()).toMatch(/quinn000/i);
    await pages.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(shown, { timeout: 15_000 }).toBe('Conflicts 51–100 of 600');
    expect(await firstPerson()).toMatch(/quinn050/i);
    await pages.getByRole('button', { name: 'Last page' }).click();
    // The last page is the queue's last 50, and walking back goes 50 at a time from there.
    await expect.poll(shown, { timeout: 15_000 }).toBe('Conflicts 551–600 of 600');
    expect(await firstPerson()).toMatch(/quinn550/i);
    expect(await pages.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await pages.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(shown, { timeout: 15_000 }).toBe('Conflicts 501–550 of 600');
    expect(await firstPerson()).toMatch(/quinn500/i);
    await pages.getByRole('button', { name: 'First page' }).click();
    await expect.poll(shown, { timeout: 15_000 }).toBe('Conflicts 1–50 of 600');
    expect(await pages.getByRole('button', { name: 'Previous page' }).isDisabled()).toBe(true);
    await screenshot(page, 'identity-conflict-pages');
    // The fix list for CRM+ (VOMO is the first names' authority): written by a job, then downloaded.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export fix list for CRM+' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^twofold-fix-list-crm-\d{4}-\d{2}-\d{2}\.csv$/);
    const fixList = fs.readFileSync((await download.path())!, 'utf8');
    expect(fixList).toMatch(/^\ufeffTwofold person,/);
    expect(fixList.split('\r\n').filter((l) => /,Samantha,Sam,/.test(l))).toHaveLength(600);
    await expect.poll(() => page.getByText('Fix list downloaded, not encrypted').count(), { timeout: 15_000 }).toBe(1);
    // Every open first-name conflict at once: decided by a job, then the queue is empty.
    await page.getByRole('combobox', { name: 'Field' }).click();
    await page.getByRole('option', { name: /^First name/ }).click();
    await page.getByRole('button', { name: 'Use CRM+ for all' }).click();
    await expect.poll(() => page.getByText('Resolved: 600 conflicts').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.getByText('No open conflicts').count(), { timeout: 15_000 }).toBe(1);
    expect(errors).toEqual([]);
  });
});
