/**
 * "Add to CRM+" end to end in Chromium, through the real `twofold serve` and its embedded
 * sandbox: preview (lookup result + exact Transaction body), confirm, see it pending, advance
 * the sandbox (its nightly batch runs at 04:00 on advance), "Check pending", see it confirmed.
 *
 * It needs, in the app: "Explore with sandbox data" (sandbox.start), a sync of the Sandbox
 * profile followed by the identity rebuild (started here through sync.start if the app did not
 * start one), and the AddToCrmButton mounted in the Insights list toolbar with the list's search
 * passed through (`search`), so a search narrows the preview to one volunteer; the submissions
 * panel is the one the preview shows after Confirm.
 * (Plain SQL and fetch here; the harness opens the store with its key from the keychain.)
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openAppStore, screenshot, startApp, type RunningApp, gotoView } from './harness';
import { invokeInPage } from './harness';

const invoke = invokeInPage;

describe('Add to CRM+ in the web shell (Chromium)', () => {
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

  it('previews, confirms, shows pending, and after the sandbox moves on shows confirmed', async () => {
    const { page, errors } = browser;
    await page.goto(app.url);
    await expect.poll(() => page.getByRole('button', { name: 'Explore with sandbox data' }).count(), { timeout: 30_000 }).toBe(1);
    // What "Explore with sandbox data" does, with a small organization so the sync takes seconds.
    const { profileId } = await invoke<{ profileId: number }>(page, 'sandbox.start', { people: 150, seed: 3, sync: true });
    await page.reload();
    await expect.poll(() => page.getByText('Sandbox', { exact: true }).count(), { timeout: 30_000 }).toBeGreaterThan(0);

    // The person store: wait for the app's own first sync, or start one.
    const db = await openAppStore(app.dataDir, { readonly: true });
    const persons = () => (db.prepare('SELECT COUNT(*) AS n FROM persons WHERE profile_id = ?').get(profileId) as { n: number }).n;
    const syncRuns = () => (db.prepare(`SELECT COUNT(*) AS n FROM sync_runs WHERE profile_id = ?`).get(profileId) as { n: number }).n;
    const running = async () => (await invoke<{ running: unknown }>(page, 'sync.status', { profileId })).running;
    if (!(await running()) && syncRuns() === 0) await invoke(page, 'sync.start', { profileId });
    await expect.poll(running, { timeout: 120_000, interval: 1000 }).toBeNull();
    // The identity service rebuilds after every sync once it exists; make sure the join ran.
    if (persons() === 0) await invoke(page, 'identity.rebuild', { profileId });
    await expect.poll(persons, { timeout: 60_000, interval: 1000 }).toBeGreaterThan(100);

    // One volunteer in VOMO only, with an email nobody else has: the search narrows the list to them.
    const target = db
      .prepare(
        `SELECT p.id, p.vomo_user_id, p.display_name, p.display_email FROM persons p
         WHERE p.profile_id = ? AND p.has_vomo = 1 AND p.has_crm = 0 AND p.has_raise = 0 AND p.display_email LIKE '%@%'
           AND p.vomo_last_name IS NOT NULL AND p.vomo_first_name IS NOT NULL
           AND (SELECT COUNT(*) FROM persons q WHERE q.profile_id = p.profile_id AND q.display_email = p.display_email) = 1
         ORDER BY p.id LIMIT 1`,
      )
      .get(profileId) as { id: string; vomo_user_id: string; display_name: string; display_email: string };
    expect(target).toBeTruthy();

    await gotoView(page, '#/insights/volunteer-only');
    const list = page.getByRole('table', { name: 'Volunteers only' });
    await page.getByLabel('Search Volunteers only').fill(target.display_email);
    await expect.poll(() => list.getByRole('row').count(), { timeout: 20_000 }).toBe(2); // header + 1

    // Preview: the lookup result and the exact body; nothing sent yet.
    await page.getByRole('button', { name: 'Add to CRM+' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add to CRM+: preview' });
    const previewTable = dialog.getByRole('table', { name: 'Add to CRM+ preview' });
    await expect.poll(() => previewTable.getByRole('row').count(), { timeout: 30_000 }).toBe(2);
    const row = previewTable.getByRole('row', { name: target.display_name });
    await expect.poll(() => row.getByText('New: will be sent').count()).toBe(1);
    await row.getByRole('button', { name: `Show Transaction body for ${target.display_name}` }).click();
    const body = JSON.parse((await dialog.getByLabel(`Transaction body for ${target.display_name}`, { exact: true }).textContent()) ?? '{}') as Record<string, string>;
    expect(body).toMatchObject({ referenceSource: 'Twofold/VOMO', referenceId: target.vomo_user_id, contactType: 'Household', emailType: 'Home Email', tags: 'Twofold volunteer' });
    expect(body.email?.toLowerCase()).toBe(target.display_email.toLowerCase());
    expect((db.prepare('SELECT COUNT(*) AS n FROM crm_push_submissions').get() as { n: number }).n).toBe(0);
    // Looked up against the local CRM+ copy: what it spent is what it announced, next to the one budget figure.
    expect(await dialog.getByTestId('push-requests').textContent()).toMatch(/This preview spent (\d+) CRM\+ requests? \(announced \1\); sending needs 1\. CRM\+ budget: [\d,]+ of 5,000 left this hour/);
    await screenshot(page, 'crm-push-preview');

    // Confirm → pending.
    await dialog.getByRole('button', { name: 'Confirm: send 1, link 0' }).click();
    await expect.poll(() => dialog.getByRole('status', { name: 'Submit result' }).count(), { timeout: 30_000 }).toBe(1);
    const panel = dialog.getByRole('region', { name: 'CRM+ submissions' });
    const subs = panel.getByRole('table', { name: 'CRM+ submissions' });
    await expect.poll(() => subs.getByRole('row', { name: target.display_name }).getByText('Pending').count(), { timeout: 20_000 }).toBe(1);
    await panel.getByRole('button', { name: 'Check pending' }).click();
    await expect.poll(() => panel.getByRole('status', { name: 'Check result' }).textContent(), { timeout: 20_000 }).toContain('0 confirmed');

    // The sandbox moves on a day: its nightly batch creates the contact.
    const adv = await invoke<{ ok: true; result: unknown }>(page, 'sandbox.admin', { profileId, action: 'advance', days: 1 });
    expect(adv.ok).toBe(true);
    await panel.getByRole('button', { name: 'Check pending' }).click();
    await expect.poll(() => panel.getByRole('status', { name: 'Check result' }).textContent(), { timeout: 20_000 }).toContain('1 confirmed');
    await panel.getByText(/^Confirmed \(1\)$/).click();
    await expect.poll(() => subs.getByRole('row', { name: target.display_name }).getByText('Confirmed').count(), { timeout: 20_000 }).toBe(1);
    const saved = db.prepare('SELECT status, confirmed_contact_id FROM crm_push_submissions WHERE reference_id = ?').get(target.vomo_user_id) as { status: string; confirmed_contact_id: string };
    expect(saved.status).toBe('confirmed');
    expect(saved.confirmed_contact_id).toMatch(/^\d+$/);
    await screenshot(page, 'crm-push-confirmed');
    db.close();
    expect(errors).toEqual([]);
  });
});
