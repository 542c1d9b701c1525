/**
 * "Add to CRM+" against the sandbox CRM+ server: preview vs the manifest, submit → nightly batch
 * → confirm, crash safety, per-person errors, the follow-up window, direct create.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushEnv, addPerson, type PushEnv } from './fixtures';
import { PUSH_REFERENCE_SOURCE } from '../../src-shared/domain/crmPush';

const EXPECTED = { reference: 'by_reference', email: 'by_email', new: 'new' } as const;

function mirroredVomoIds(env: PushEnv): Set<string> {
  return new Set((env.core.db.prepare('SELECT id FROM vomo_users WHERE profile_id = ? AND gone_at IS NULL').all(env.profileId) as { id: string }[]).map((r) => r.id));
}

function auditActions(env: PushEnv): string[] {
  return (env.core.db.prepare(`SELECT action FROM audit_log WHERE profile_id = ? AND action LIKE 'crm_push.%' ORDER BY id`).all(env.profileId) as { action: string }[]).map((r) => r.action);
}

describe('preview and the full cycle on the sandbox', () => {
  let env: PushEnv;
  beforeAll(async () => {
    env = await pushEnv({ people: 120, seed: 5 });
  });
  afterAll(async () => env?.close());

  it('classifies every VOMO user exactly as the manifest says, and writes nothing to CRM+', async () => {
    const manifest = env.sbx.manifest();
    const cases = manifest.contactTransactions.cases!;
    const mirrored = mirroredVomoIds(env);
    const wanted = cases.filter((c) => mirrored.has(String(c.vomoUserId)));
    // Malformed VOMO users are quarantined by the sync; everyone else is here.
    expect(wanted.length).toBeGreaterThan(cases.length - 5);
    expect(new Set(wanted.map((c) => c.expected))).toEqual(new Set(['reference', 'email', 'new']));

    const contactsBefore = env.contactCount();
    const svc = env.service();
    const preview = await svc.preview({ profileId: env.profileId, personIds: wanted.map((c) => `P${c.vomoUserId}`) });
    const byPerson = new Map(preview.items.map((it) => [it.personId, it]));
    for (const c of wanted) {
      const it = byPerson.get(`P${c.vomoUserId}`)!;
      expect({ vomo: c.vomoUserId, cls: it.classification, contact: it.contactId }).toEqual({ vomo: c.vomoUserId, cls: EXPECTED[c.expected as keyof typeof EXPECTED], contact: c.contactId === null ? null : String(c.contactId) });
      if (it.classification === 'new') {
        expect(it.body).toMatchObject({ referenceSource: PUSH_REFERENCE_SOURCE, referenceId: String(c.vomoUserId), contactType: 'Household', tags: 'Twofold volunteer' });
      } else expect(it.body).toBeNull();
    }
    expect(preview.counts.new).toBe(wanted.filter((c) => c.expected === 'new').length);
    expect(preview.callsNeeded).toBe(preview.counts.new);
    // Nothing written: no transaction held, no contact made, no POST at all.
    expect(env.sbx.core.state().pendingContactTransactions).toBe(0);
    expect(env.contactCount()).toBe(contactsBefore);
    expect(env.posts.size).toBe(0);
    expect(env.core.db.prepare('SELECT COUNT(*) AS n FROM crm_push_submissions').get()).toEqual({ n: 0 });
    expect(auditActions(env)).toEqual(['crm_push.preview']);
  });

  it('submits, the nightly batch runs, confirmation links every submitted person to its contact, no duplicates', async () => {
    const manifest = env.sbx.manifest();
    const mirrored = mirroredVomoIds(env);
    const wanted = manifest.contactTransactions.cases!.filter((c) => mirrored.has(String(c.vomoUserId)));
    const svc = env.service();
    const preview = await svc.preview({ profileId: env.profileId, personIds: wanted.map((c) => `P${c.vomoUserId}`) });
    const contactsBefore = env.contactCount();

    const result = await svc.submit({ profileId: env.profileId, batchId: preview.batchId });
    expect(result.stopped).toBeNull();
    expect(result.submitted).toBe(preview.counts.new);
    expect(result.linked).toBe(preview.counts.byReference + preview.counts.byEmail);
    expect(result.failed).toBe(0);
    expect(env.sbx.core.state().pendingContactTransactions).toBe(preview.counts.new);
    expect(env.contactCount()).toBe(contactsBefore); // held, not created yet
    for (const n of env.posts.values()) expect(n).toBe(1);

    // Pending and visible as such; a check before the batch finds nothing yet.
    expect(svc.submissions({ profileId: env.profileId, status: 'pending', offset: 0, limit: 500 }).total).toBe(preview.counts.new);
    const early = await svc.checkPending({ profileId: env.profileId, manual: true });
    expect(early).toMatchObject({ checked: preview.counts.new, confirmed: 0, stillPending: preview.counts.new, needsFollowup: 0 });

    // Re-running the same batch sends no one again.
    const again = await svc.submit({ profileId: env.profileId, batchId: preview.batchId });
    expect(again.submitted).toBe(0);
    expect(again.skipped).toBe(preview.counts.new + preview.counts.byReference + preview.counts.byEmail + preview.counts.notEligible + preview.counts.alreadySubmitted);
    for (const n of env.posts.values()) expect(n).toBe(1);

    const batch = env.sbx.nightlyBatch();
    expect(batch.processed).toBe(preview.counts.new);
    const created = batch.outcomes.filter((o) => o.outcome === 'created').length;
    expect(env.contactCount()).toBe(contactsBefore + created);

    const check = await svc.checkPending({ profileId: env.profileId, manual: true });
    expect(check).toMatchObject({ checked: preview.counts.new, confirmed: preview.counts.new, stillPending: 0, needsFollowup: 0, stopped: null });
    const contactOf = new Map(batch.outcomes.map((o) => [o.referenceId, String(o.contactId)]));
    const rows = svc.submissions({ profileId: env.profileId, offset: 0, limit: 500 }).rows;
    for (const it of preview.items.filter((i) => i.classification === 'new')) {
      const row = rows.find((r) => r.referenceId === it.vomoUserId)!;
      expect(row.status).toBe('confirmed');
      expect(row.confirmedContactId).toBe(contactOf.get(it.vomoUserId));
      // Exactly one contact carries the reference pair: no duplicate.
      expect(env.sbx.core.world.contactsByReference(PUSH_REFERENCE_SOURCE, it.vomoUserId!).length).toBe(1);
    }
    for (const it of preview.items.filter((i) => i.classification === 'by_reference' || i.classification === 'by_email')) {
      const row = rows.find((r) => r.referenceId === it.vomoUserId)!;
      expect(row).toMatchObject({ status: 'linked_existing', confirmedContactId: it.contactId, method: 'existing' });
    }
    // The contacts count grew by exactly the contacts the batch created — not one more.
    expect(env.contactCount()).toBe(contactsBefore + created);
    // A second check has nothing left to do; the links are there for the join.
    expect((await svc.checkPending({ profileId: env.profileId, manual: true })).checked).toBe(0);
    expect(svc.repo.confirmedLinks(env.profileId).length).toBe(preview.counts.new + preview.counts.byReference + preview.counts.byEmail);
    // The reference case whose CRM+ email differs is linked for the join by a decision.
    const decisions = env.core.db.prepare(`SELECT key_a, key_b, verdict FROM identity_decisions WHERE profile_id = ? AND candidate_kind = 'crm_push'`).all(env.profileId) as { key_a: string; key_b: string; verdict: string }[];
    expect(decisions.length).toBeGreaterThan(0);
    expect(decisions.every((d) => d.verdict === 'same')).toBe(true);

    const actions = auditActions(env);
    expect(actions.filter((a) => a === 'crm_push.submit').length).toBe(preview.counts.new);
    expect(actions.filter((a) => a === 'crm_push.confirm').length).toBe(preview.counts.new);
    expect(actions.filter((a) => a === 'crm_push.link_existing').length).toBe(preview.counts.byReference + preview.counts.byEmail);
    expect(actions).toContain('crm_push.preview');

    // A later preview of the same people says so, without a single CRM+ call for them.
    const later = await svc.preview({ profileId: env.profileId, personIds: wanted.map((c) => `P${c.vomoUserId}`) });
    expect(later.counts.new).toBe(0);
  });
});

describe('crash safety on the sandbox', () => {
  let env: PushEnv;
  beforeAll(async () => {
    env = await pushEnv({ people: 120, seed: 9 });
  });
  afterAll(async () => env?.close());

  it('a crash mid-batch, then a re-run, sends no one twice and leaves one contact per person', async () => {
    const ids = Array.from({ length: 8 }, (_, k) => addPerson(env.core, env.profileId, { vomoId: String(910_000 + k), first: 'Crash', last: `Tester${k}`, email: `crash.tester${k}@example.org` }));
    const preview = await env.service().preview({ profileId: env.profileId, personIds: ids });
    expect(preview.counts.new).toBe(8);
    let claims = 0;
    const crashing = env.service({
      hooks: {
        afterClaim: () => {
          if (++claims === 4) throw new Error('simulated crash: the process died');
        },
      },
    });
    await expect(crashing.submit({ profileId: env.profileId, batchId: preview.batchId })).rejects.toThrow(/simulated crash/);
    const st = (s: string) => env.core.db.prepare(`SELECT COUNT(*) AS n FROM crm_push_submissions WHERE status = ?`).get(s) as { n: number };
    expect(st('pending').n).toBe(3);
    expect(st('submitting').n).toBe(1); // committed intent, never sent

    const rerun = await env.service().submit({ profileId: env.profileId, batchId: preview.batchId });
    expect(rerun).toMatchObject({ submitted: 5, skipped: 3, failed: 0, stopped: null });
    expect(env.posts.size).toBe(8);
    for (const n of env.posts.values()) expect(n).toBe(1);
    expect(st('pending').n).toBe(8);

    const before = env.contactCount();
    env.sbx.nightlyBatch();
    expect(env.contactCount()).toBe(before + 8);
    const check = await env.service().checkPending({ profileId: env.profileId, manual: true });
    expect(check.confirmed).toBe(8);
  });

  it('a crash after CRM+ accepted a Transaction: the re-run resends only that one, and the batch still makes one contact', async () => {
    const ids = Array.from({ length: 5 }, (_, k) => addPerson(env.core, env.profileId, { vomoId: String(920_000 + k), first: 'Inflight', last: `Case${k}`, email: `inflight.case${k}@example.org` }));
    const preview = await env.service().preview({ profileId: env.profileId, personIds: ids });
    let sends = 0;
    const crashing = env.service({
      hooks: {
        afterSend: () => {
          if (++sends === 2) throw new Error('simulated crash after the 200');
        },
      },
    });
    await expect(crashing.submit({ profileId: env.profileId, batchId: preview.batchId })).rejects.toThrow(/after the 200/);
    const rerun = await env.service().submit({ profileId: env.profileId, batchId: preview.batchId });
    expect(rerun).toMatchObject({ submitted: 4, skipped: 1, stopped: null });
    const counts = ids.map((id) => env.posts.get(id.slice(1)));
    expect(counts).toEqual([1, 2, 1, 1, 1]); // only the in-flight one went twice; the Transaction is idempotent on the pair
    const before = env.contactCount();
    const batch = env.sbx.nightlyBatch();
    expect(batch.outcomes.map((o) => o.outcome).sort()).toEqual(['created', 'created', 'created', 'created', 'created', 'matchedByReference']);
    expect(env.contactCount()).toBe(before + 5);
    for (const id of ids) expect(env.sbx.core.world.contactsByReference(PUSH_REFERENCE_SOURCE, id.slice(1)).length).toBe(1);
    const check = await env.service().checkPending({ profileId: env.profileId, manual: true });
    expect(check.confirmed).toBe(5);
  });
});

describe('errors are per person on the sandbox', () => {
  let env: PushEnv;
  beforeAll(async () => {
    env = await pushEnv({ people: 120, seed: 13 });
  });
  afterAll(async () => env?.close());

  it('a 422 on one person names the field and leaves the rest sent', async () => {
    const ids = [
      addPerson(env.core, env.profileId, { vomoId: '930001', first: 'Good', last: 'One', email: 'good.one@example.org' }),
      addPerson(env.core, env.profileId, { vomoId: '930002', first: 'Bad', last: 'Email', email: 'not-an-email' }),
      addPerson(env.core, env.profileId, { vomoId: '930003', first: 'Good', last: 'Three', email: 'good.three@example.org', phone: '555-0103', address: '12 Elm St, Gotham, NJ 07001' }),
    ];
    const svc = env.service();
    const preview = await svc.preview({ profileId: env.profileId, personIds: ids });
    expect(preview.counts.new).toBe(3);
    const r = await svc.submit({ profileId: env.profileId, batchId: preview.batchId });
    expect(r).toMatchObject({ submitted: 2, failed: 1, stopped: null });
    const failed = svc.submissions({ profileId: env.profileId, status: 'failed', offset: 0, limit: 10 }).rows;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ referenceId: '930002', errorField: 'email', status: 'failed' });
    expect(failed[0]!.errorMessage).toMatch(/422/);
    expect(env.sbx.core.state().pendingContactTransactions).toBe(2);
    expect(svc.repo.get(env.profileId, PUSH_REFERENCE_SOURCE, '930003')!.status).toBe('pending');
  });

  it('a 401 stops the action with a clear message and sends nobody after it', async () => {
    const ids = [1, 2, 3].map((k) => addPerson(env.core, env.profileId, { vomoId: String(940_000 + k), first: 'Token', last: `Case${k}`, email: `token.case${k}@example.org` }));
    const svc = env.service();
    const preview = await svc.preview({ profileId: env.profileId, personIds: ids });
    await env.core.secrets.set(env.profileId, 'crm', 'sbx_wrong_token');
    const r = await svc.submit({ profileId: env.profileId, batchId: preview.batchId });
    expect(r.stopped?.code).toBe('UNAUTHENTICATED');
    expect(r.stopped?.message).toMatch(/rejected the token/);
    expect(r.submitted).toBe(0);
    for (const k of [1, 2, 3]) expect(env.posts.get(String(940_000 + k))).toBeUndefined();
    await env.core.secrets.set(env.profileId, 'crm', env.sbx.crm.token);
    // With the token fixed, the same batch goes through.
    const again = await svc.submit({ profileId: env.profileId, batchId: preview.batchId });
    expect(again).toMatchObject({ submitted: 3, stopped: null });
  });

  it('a 429 waits (Retry-After) and then goes on', async () => {
    const ids = Array.from({ length: 6 }, (_, k) => addPerson(env.core, env.profileId, { vomoId: String(950_000 + k), first: 'Slow', last: `Down${k}`, email: `slow.down${k}@example.org` }));
    const svc = env.service();
    const preview = await svc.preview({ profileId: env.profileId, personIds: ids });
    await fetch(`${env.sbx.admin}/rate-limits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: { crm: { limit: 2, windowMs: 1500 } } }) });
    const t0 = Date.now();
    const r = await svc.submit({ profileId: env.profileId, batchId: preview.batchId });
    await fetch(`${env.sbx.admin}/rate-limits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'off' }) });
    expect(r).toMatchObject({ submitted: 6, failed: 0, stopped: null });
    expect(Date.now() - t0).toBeGreaterThan(1000);
  });

  it('pending ones past the follow-up window (reference clock) are flagged for manual follow-up', async () => {
    const id = addPerson(env.core, env.profileId, { vomoId: '960001', first: 'Late', last: 'Batch', email: 'late.batch@example.org' });
    const svc = env.service();
    const preview = await svc.preview({ profileId: env.profileId, personIds: [id] });
    await svc.submit({ profileId: env.profileId, batchId: preview.batchId });
    const row = svc.repo.get(env.profileId, PUSH_REFERENCE_SOURCE, '960001')!;
    expect(Date.parse(row.followup_due_at!) - Date.parse(row.submitted_at!)).toBe((24 + 48) * 3_600_000);
    // 71 hours on (the sandbox's batch not run): still just pending.
    const at = Date.parse(row.submitted_at!);
    const soon = env.service({ now: () => new Date(at + 71 * 3_600_000) });
    expect((await soon.checkPending({ profileId: env.profileId, manual: true })).needsFollowup).toBe(0);
    const late = env.service({ now: () => new Date(at + 73 * 3_600_000) });
    const check = await late.checkPending({ profileId: env.profileId, manual: true });
    expect(check.needsFollowup).toBeGreaterThanOrEqual(1);
    expect(svc.repo.get(env.profileId, PUSH_REFERENCE_SOURCE, '960001')!.status).toBe('needs_followup');
    // It is never sent again, and it still confirms if the contact turns up.
    env.sbx.nightlyBatch();
    const after = await late.checkPending({ profileId: env.profileId, manual: true });
    expect(after.confirmed).toBeGreaterThanOrEqual(1);
    expect(svc.repo.get(env.profileId, PUSH_REFERENCE_SOURCE, '960001')!.status).toBe('confirmed');
  });

  it('"create now" for one person: a fresh lookup, then the direct create, confirmed at once, never twice', async () => {
    const id = addPerson(env.core, env.profileId, { vomoId: '970001', first: 'Right', last: 'Now', email: 'right.now@example.org' });
    const svc = env.service();
    const preview = await svc.preview({ profileId: env.profileId, personIds: [id] });
    const before = env.contactCount();
    const r = await svc.submit({ profileId: env.profileId, batchId: preview.batchId, immediatePersonId: id });
    expect(r.created).toBe(1);
    expect(env.contactCount()).toBe(before + 1);
    const row = svc.repo.get(env.profileId, PUSH_REFERENCE_SOURCE, '970001')!;
    expect(row).toMatchObject({ status: 'confirmed', method: 'direct', confirmed_how: 'direct' });
    await expect(svc.submit({ profileId: env.profileId, batchId: preview.batchId, immediatePersonId: id })).rejects.toThrow(/already linked/);
    // The batch path skips it too.
    const again = await svc.submit({ profileId: env.profileId, batchId: preview.batchId });
    expect(again.submitted).toBe(0);
    expect(env.contactCount()).toBe(before + 1);
  });
});
