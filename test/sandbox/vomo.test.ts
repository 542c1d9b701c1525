import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src-main/sandbox/index';
import type { SandboxHandle } from '../../src-main/sandbox/index';
import { call, plain, walkVomoUsers } from './helpers';

let h: SandboxHandle;
beforeAll(async () => {
  h = await startSandbox({ people: 400, seed: 11, rateLimits: 'off' });
});
afterAll(() => h.stop());

describe('VOMO users', () => {
  it('walks every user exactly once by links.next, with Laravel pagination', async () => {
    const first = await call(h, 'vomo', '/users');
    expect(first.status).toBe(200);
    expect(first.json.meta).toMatchObject({ current_page: 1, per_page: 15, from: 1, to: 15 });
    expect(first.json.links.prev).toBeNull();
    expect(first.json.links.first).toBe(`${h.vomo.baseUrl}/users?page=1`);
    const users = await walkVomoUsers(h, plain(h));
    const m = h.manifest();
    expect(users.length).toBe(first.json.meta.total);
    expect(users.length).toBe(m.recordCounts.vomo.users);
    const ids = users.map((u) => (u.id === null ? `null:${u.email}` : String(u.id)));
    expect(new Set(ids).size).toBe(ids.length);
    // Flat snake_case records, with the documented quirks present.
    const u = users.find((x) => typeof x.id === 'number')!;
    expect(Object.keys(u)).toEqual(expect.arrayContaining(['type', 'id', 'first_name', 'last_name', 'full_name', 'email', 'phone', 'updated_at', 'created_at', 'user_status', 'membership_status', 'membership_role']));
    expect(u.updated_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    expect(users.some((x) => x.id === null)).toBe(true);
    expect(users.some((x) => typeof x.id === 'string')).toBe(true);
    expect(users.some((x) => 'e_mail' in x && !('email' in x))).toBe(true);
    expect(users.some((x) => typeof x.email === 'object' && x.email !== null)).toBe(true);
  });

  it('keeps filters in links and pages past the end are empty', async () => {
    const r = await call(h, 'vomo', '/users?updated_after=2026-06-01T00:00:00Z&page=2');
    expect(r.json.links.next ?? r.json.links.prev).toContain('updated_after=2026-06-01');
    const beyond = await call(h, 'vomo', '/users?page=999');
    expect(beyond.json.data).toEqual([]);
    expect(beyond.json.links.next).toBeNull();
    expect(beyond.json.meta.from).toBeNull();
  });

  it('filters by updated_after (exclusive) and created_before', async () => {
    const all = await walkVomoUsers(h, plain(h));
    const cut = '2026-06-01T00:00:00+00:00';
    const want = all.filter((u) => Date.parse(u.updated_at) > Date.parse(cut)).map((u) => u.updated_at + u.full_name);
    const got = (await walkVomoUsers(h, plain(h), `updated_after=${encodeURIComponent(cut)}`)).map((u) => u.updated_at + u.full_name);
    expect(got).toEqual(want);
    expect(got.length).toBeGreaterThan(0);
    const before = await walkVomoUsers(h, plain(h), 'created_before=2024-01-01');
    expect(before.every((u) => Date.parse(u.created_at) < Date.parse('2024-01-01T00:00:00Z'))).toBe(true);
    const bad = await call(h, 'vomo', '/users?updated_after=yesterday-ish');
    expect(bad.status).toBe(422);
    expect(bad.json).toEqual({ message: 'The given data was invalid.', errors: { updated_after: [expect.any(String)] } });
  });

  it('returns a user with participations, and a Laravel 404 for unknown ids', async () => {
    const m = h.manifest();
    const heavy = m.lists.topVolunteersNeverGave.list[0]!;
    const r = await call(h, 'vomo', `/users/${heavy.vomoUserIds[0]}`);
    expect(r.status).toBe(200);
    const p = r.json.data.participations;
    expect(p.length).toBeGreaterThan(100);
    expect(Object.keys(p[0])).toEqual(expect.arrayContaining(['hours', 'signed_up_at', 'checked_in_at', 'checked_out_at', 'project_date_id']));
    const hours = p.filter((x: any) => x.verified ?? (x.checked_in_at && x.checked_out_at)).reduce((s: number, x: any) => s + Number(x.hours), 0);
    expect(hours).toBe(heavy.verifiedHours);
    const missing = await call(h, 'vomo', '/users/1');
    expect(missing.status).toBe(404);
    expect(missing.json.message).toContain('No query results');
  });

  it('upserts by email: 201 on create, 200 on a case-insensitive match', async () => {
    const body = { first_name: 'Nia', last_name: 'Nal', email: 'Nia.Nal@Example.com', birthday: '1990-02-03', gender: 'F' };
    const created = await call(h, 'vomo', '/users', { body });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ code: '201', data: { first_name: 'Nia', participations: [] } });
    expect((await call(h, 'vomo', `/users/${created.json.data.id}`)).json.data.email).toBe('Nia.Nal@Example.com');
    const again = await call(h, 'vomo', '/users', { body: { ...body, email: ' nia.nal@example.com', last_name: 'Nal-Brainy' } });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ code: '200', message: 'User updated.', data: { id: created.json.data.id, last_name: 'Nal-Brainy' } });
    const invalid = await call(h, 'vomo', '/users', { body: { first_name: 'X', email: 'not-an-email' } });
    expect(invalid.status).toBe(422);
    expect(invalid.json.message).toBe('The given data was invalid.');
    expect(Object.keys(invalid.json.errors)).toEqual(expect.arrayContaining(['last_name', 'email', 'birthday', 'gender']));
  });

  it('refuses a wrong token with VOMO’s 401 body', async () => {
    const r = await call(h, 'vomo', '/users', { token: 'nope' });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ message: 'Unauthenticated.' });
  });
});

describe('VOMO limits and page size', () => {
  it('answers 429 with Retry-After once the per-second budget is spent; page size is a knob', async () => {
    const s = await startSandbox({ people: 150, seed: 2, rateLimits: { vomo: { limit: 3, windowMs: 60_000 } }, vomoPageSize: 100 });
    try {
      const codes: number[] = [];
      let last;
      for (let k = 0; k < 5; k++) codes.push((last = await call(s, 'vomo', '/users')).status);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(last!.json).toEqual({ message: 'Too Many Attempts.' });
      await fetch(`${s.admin}/rate-limits`, { method: 'POST', body: JSON.stringify({ mode: 'off' }) });
      const ok = await call(s, 'vomo', '/users');
      expect(ok.json.meta.per_page).toBe(100);
    } finally {
      await s.stop();
    }
  });
});
