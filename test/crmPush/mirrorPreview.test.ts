/**
 * "Add to CRM+" on a profile whose CRM+ is synced: the preview settles every volunteer against the
 * local CRM+ mirror and one query for the contacts changed in CRM+ since that sync, announces the
 * requests before spending them, spends exactly that, and spends nothing when opened again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src-main/sandbox/index';
import { tempCore } from '../helpers/tempCore';
import { PushService } from '../../src-main/crmPush/pushService';
import { PUSH_REFERENCE_SOURCE } from '../../src-shared/domain/crmPush';
import type { Core } from '../../src-main/core/app';

let sbx: SandboxHandle;
let core: Core & { cleanup(): Promise<void> };
let profileId: number;
const crmRequests: string[] = [];

/** Counts every request the push makes to CRM+. */
const counting: typeof fetch = async (input, init) => {
  crmRequests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
  return fetch(input, init);
};

beforeAll(async () => {
  sbx = await startSandbox({ people: 300, seed: 31, rateLimits: { crm: { limit: 5000, windowMs: 3_600_000 } } });
  core = tempCore();
  const p = core.profiles.insert({ name: 'Org', vomoUrl: sbx.vomo.baseUrl, crmUrl: sbx.crm.baseUrl, raiseUrl: sbx.raise.baseUrl });
  profileId = p.id;
  for (const api of ['vomo', 'crm', 'raise'] as const) await core.secrets.set(profileId, api, sbx[api].token);
  const sync = core.sync;
  sync.configure({ vomo: { requestsPerSecond: 0 }, raise: { requestsPerSecond: 0 }, progressIntervalMs: 0 });
  expect((await sync.run(profileId)).status).toBe('ok');
}, 180_000);

afterAll(async () => {
  await core?.cleanup();
  await sbx?.stop();
});

describe('push preview against the CRM+ mirror', () => {
  it('spends exactly the requests it announced, settles everyone as CRM+ would, and spends nothing the second time', async () => {
    const svc = new PushService(core, { fetch: counting, now: async () => new Date(sbx.core.state().now), client: { minRetryDelayMs: 5, maxRetryDelayMs: 20 } });
    // A contact made in CRM+ after the sync (its nightly batch matched nobody): only CRM+ knows it now.
    const m0 = sbx.manifest();
    const newcomer = m0.contactTransactions.cases!.find((c) => c.expected === 'new')!;
    const mirroredVomo = core.db.prepare('SELECT email FROM vomo_users WHERE profile_id = ? AND id = ?').get(profileId, String(newcomer.vomoUserId)) as { email: string };
    const tx = await fetch(`${sbx.crm.baseUrl}/api/Contact/Transaction`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sbx.crm.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ referenceSource: PUSH_REFERENCE_SOURCE, referenceId: String(newcomer.vomoUserId), contactType: 'Household', firstName: 'Late', lastName: 'Comer', email: mirroredVomo.email }),
    });
    expect(tx.status).toBe(200);
    sbx.nightlyBatch();

    const plans: string[] = [];
    const off = core.events.on('task.progress', (e) => {
      if (e.task === 'crm_push' && e.step === 'plan') plans.push(`${crmRequests.length}|${e.message}`);
    });
    crmRequests.length = 0;
    const first = await svc.preview({ profileId, list: 'volunteer-only' });
    off();
    expect(first.lookup).toBe('mirror');
    expect(first.items.length).toBeGreaterThan(20);
    expect(first.requestsAnnounced).toBe(1);
    // Announced before anything was spent, and spent exactly that.
    expect(plans[0]).toMatch(/^0\|.*1 request to CRM\+ for the contacts changed since its last sync/);
    expect(crmRequests).toEqual(['POST /api/Contact/Query/FullContact']);
    expect(first.requestsSpent).toBe(1);
    // The budget shown is the latest one CRM+ reported.
    expect(first.budget.remaining).not.toBeNull();
    expect(first.budget.observedAt).not.toBeNull();

    // Every person classified as CRM+ itself would: the manifest says what the nightly batch would do.
    const cases = new Map(sbx.manifest().contactTransactions.cases!.map((c) => [String(c.vomoUserId), c]));
    const want = { reference: 'by_reference', email: 'by_email', new: 'new' } as const;
    for (const it of first.items.filter((i) => i.vomoUserId && cases.has(i.vomoUserId))) {
      const c = cases.get(it.vomoUserId!)!;
      expect({ vomo: it.vomoUserId, cls: it.classification }).toEqual({ vomo: it.vomoUserId, cls: want[c.expected as keyof typeof want] });
      if (c.contactId !== null) expect(it.contactId).toBe(String(c.contactId));
    }
    // The contact CRM+ made after the sync was found through the changed-since query.
    expect(first.items.find((i) => i.vomoUserId === String(newcomer.vomoUserId))).toMatchObject({ classification: 'by_reference' });

    // Opened again with nothing changed: nothing spent, the same answers.
    crmRequests.length = 0;
    const second = await svc.preview({ profileId, list: 'volunteer-only' });
    expect(crmRequests).toEqual([]);
    expect(second.requestsAnnounced).toBe(0);
    expect(second.requestsSpent).toBe(0);
    expect(second.items.map((i) => [i.personId, i.classification, i.contactId])).toEqual(first.items.map((i) => [i.personId, i.classification, i.contactId]));
  });

  it('can be cancelled while it looks people up, and says so', async () => {
    const svc = new PushService(core, { fetch: counting });
    core.db.prepare('DELETE FROM crm_push_lookups').run();
    const p = svc.preview({ profileId, list: 'volunteer-only' });
    setImmediate(() => svc.cancelPreview(profileId));
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(svc.cancelPreview(profileId)).toBe(false);
  });
});

describe('the mirror lookups use indexes', () => {
  const plan = (sql: string, ...params: unknown[]) => (core.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');

  it('by reference and by email drive from their indexes, never scanning contacts', () => {
    core.db.exec('ANALYZE');
    const byRef = plan(
      `SELECT r.contact_id FROM crm_contact_references r JOIN crm_contacts c ON c.profile_id = r.profile_id AND c.id = r.contact_id
        WHERE r.profile_id = ? AND r.source = ? AND r.ref_id = ? AND c.gone_at IS NULL`,
      profileId,
      PUSH_REFERENCE_SOURCE,
      '8001',
    );
    expect(byRef).toMatch(/SEARCH r USING (COVERING )?INDEX crm_references_by_ref/);
    expect(byRef).toMatch(/SEARCH c USING INDEX sqlite_autoindex_crm_contacts_1|SEARCH c USING (INTEGER )?PRIMARY KEY|SEARCH c USING INDEX/);
    expect(byRef).not.toMatch(/SCAN c\b/);
    const byEmail = plan(
      `SELECT m.contact_id FROM crm_contact_methods m JOIN crm_contacts c ON c.profile_id = m.profile_id AND c.id = m.contact_id
        WHERE m.profile_id = ? AND m.email_norm = ? AND c.gone_at IS NULL`,
      profileId,
      'someone@example.org',
    );
    expect(byEmail).toMatch(/SEARCH m USING INDEX crm_methods_by_email/);
    expect(byEmail).not.toMatch(/SCAN/);
  });
});
