/**
 * Volunteer hours stay current between full syncs: the sandbox serves VOMO's projects, project
 * dates and participants; an incremental sync reads the dates since the previous sync, so a
 * check-out that changes no user record still reaches the person's verified hours; and every
 * volunteer's participations are re-read in full when the last full read is older than the
 * profile's setting, with the estimate saying so first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src-main/sandbox/index';
import { Checkpoints } from '../../src-main/sync/checkpoints';
import { makeEnv, type TestEnv } from './helpers';

let h: SandboxHandle;
let env: TestEnv;

beforeAll(async () => {
  h = await startSandbox({ people: 300, seed: 15, rateLimits: 'off' });
  env = await makeEnv({ vomo: h.vomo.baseUrl, crm: h.crm.baseUrl, raise: h.raise.baseUrl }, { vomo: h.vomo.token, crm: h.crm.token, raise: h.raise.token }, { crm: { take: 200 }, raise: { take: 200 } });
  const first = await env.sync.run(env.profileId);
  expect(first.status).toBe('ok');
}, 120_000);

afterAll(async () => {
  await env?.close();
  await h?.stop();
});

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${h.vomo.baseUrl}${path}`, { headers: { Authorization: `Bearer ${h.vomo.token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function verifiedHours(vomoUserId: number): number {
  return env.core.db.prepare('SELECT vomo_hours_verified FROM persons WHERE profile_id = ? AND vomo_user_id = ?').pluck().get(env.profileId, String(vomoUserId)) as number;
}

describe('VOMO project dates', () => {
  it('the sandbox serves projects, their dates and the participants in VOMO shapes', async () => {
    const list = await get('/projects?page=1');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ data: expect.any(Array), links: expect.any(Object), meta: expect.objectContaining({ current_page: 1, total: 12 }) });
    const project = (list.body.data as { id: number }[])[0]!;
    const detail = await get(`/projects/${project.id}`);
    const data = detail.body.data as { all_dates: { id: number; starts_at: string }[]; next_date: unknown };
    expect(data.all_dates.length).toBeGreaterThan(0);
    expect(data.all_dates[0]).toMatchObject({ id: expect.any(Number), starts_at: expect.stringMatching(/\+00:00$/) });
    expect(data.next_date).toBeTruthy();
    // A date with participants: each entry is the participation as the user's detail shows it, plus its user.
    const w = h.core.world;
    const someone = [...w.allIndexes()].map((i) => w.plan(i).vomo).find((v) => v && !v.malformed && v.participations.length)!;
    const part = someone.participations[0]!;
    const date = await get(`/projects/date/${part.projectDateId}`);
    const participants = (date.body.data as { participants: Record<string, unknown>[] }).participants;
    const mine = participants.find((p) => p.id === part.id)!;
    expect(mine).toMatchObject({ user_id: someone.quirk?.idAsString ? String(someone.id) : someone.id, project_date_id: part.projectDateId, hours: expect.anything() });
    const user = await get(`/users/${someone.id}`);
    const fromUser = ((user.body.data as { participations: Record<string, unknown>[] }).participations).find((p) => p.id === part.id)!;
    const { user_id: _u, user: _user, ...same } = mine;
    expect(same).toEqual(fromUser);
    expect((await get('/projects/date/12345')).status).toBe(404);
  });

  it('a check-out on a project date before the previous sync reaches verified hours after a plain incremental sync', async () => {
    // A day of volunteering: one shift is checked in and not yet out.
    h.clock.advance({ days: 1 });
    await env.sync.run(env.profileId);
    const w = h.core.world;
    const open = w.openShifts.at(-1)!;
    const v = w.plan(open.owner).vomo!;
    const stored = env.core.db.prepare('SELECT checked_in_at, checked_out_at, project_date_id FROM vomo_participations WHERE profile_id = ? AND user_id = ? AND id = ?').get(env.profileId, String(v.id), String(open.participationId)) as { checked_in_at: string; checked_out_at: string | null; project_date_id: string };
    expect(stored.checked_in_at).toBeTruthy();
    expect(stored.checked_out_at).toBeNull();
    const hoursBefore = verifiedHours(v.id);
    const updatedBefore = env.core.db.prepare('SELECT updated_at FROM vomo_users WHERE profile_id = ? AND id = ?').pluck().get(env.profileId, String(v.id));

    // The check-out is recorded in VOMO later; the user's record does not change.
    const res = await fetch(`${h.admin}/check-out`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ vomoUserId: v.id, participationId: open.participationId }) });
    const out = (await res.json()) as { ok: boolean; hours: number };
    expect(out.ok).toBe(true);
    h.clock.advance({ hours: 2 });

    const run = await env.sync.run(env.profileId);
    expect(run.status).toBe('ok');
    const vomo = run.collectors.find((c) => c.api === 'vomo')!;
    // No user changed, so no user's detail was read: the date's participants carried it.
    expect(vomo.entities.users).toMatchObject({ new: 0, updated: 0 });
    expect(vomo.entities.participations.updated).toBeGreaterThanOrEqual(1);
    expect(env.core.db.prepare('SELECT updated_at FROM vomo_users WHERE profile_id = ? AND id = ?').pluck().get(env.profileId, String(v.id))).toBe(updatedBefore);
    const after = env.core.db.prepare('SELECT checked_out_at FROM vomo_participations WHERE profile_id = ? AND user_id = ? AND id = ?').pluck().get(env.profileId, String(v.id), String(open.participationId));
    expect(after).toBeTruthy();
    expect(verifiedHours(v.id)).toBeCloseTo(hoursBefore + out.hours, 5);
  });

  it('re-reads every volunteer in full once the last full read is older than the setting, and says so in the estimate first', async () => {
    env.sync.saveSettings(env.profileId, { ...env.sync.settings(env.profileId), participationRereadDays: 30 });
    const cps = new Checkpoints(env.core.db);
    const cp = cps.get<Record<string, unknown>>(env.profileId, 'vomo', 'participations')!;
    expect(cp.lastFullAt).toBeTruthy();
    expect(env.sync.status(env.profileId).participations.due).toBe(false);
    const est = await env.sync.estimate(env.profileId);
    expect(est.apis.find((a) => a.api === 'vomo')!.resources.find((r) => r.resource === 'participations')!.full).toBe(false);

    cps.set(env.profileId, 'vomo', 'participations', { ...cp, lastFullAt: new Date(Date.now() - 40 * 86_400_000).toISOString() });
    const users = env.core.db.prepare('SELECT count(*) FROM vomo_users WHERE profile_id = ? AND gone_at IS NULL').pluck().get(env.profileId) as number;
    expect(env.sync.status(env.profileId).participations).toMatchObject({ due: true, users, everyDays: 30 });
    const planned = (await env.sync.estimate(env.profileId)).apis.find((a) => a.api === 'vomo')!.resources.find((r) => r.resource === 'participations')!;
    expect(planned).toMatchObject({ full: true, calls: users });
    expect(planned.note).toMatch(/the last full read was 40 days ago \(every 30 days\)/);

    const shown: string[] = [];
    const off = env.core.events.on('sync.estimated', (e) => e.estimate.api === 'vomo' && shown.push(e.estimate.resources.find((r) => r.resource === 'participations')!.note ?? ''));
    const run = await env.sync.run(env.profileId);
    off();
    expect(shown[0]).toMatch(/40 days ago/);
    const p = run.collectors.find((c) => c.api === 'vomo')!.entities.participations;
    expect(p.new + p.updated + p.unchanged).toBeGreaterThan(users);
    const next = cps.get<{ lastFullAt: string }>(env.profileId, 'vomo', 'participations')!;
    expect(Date.now() - Date.parse(next.lastFullAt)).toBeLessThan(60_000);
    expect(env.sync.status(env.profileId).participations.due).toBe(false);
  });
});
