/**
 * A rebuild computes each person's measures in its person pass, from the measure inputs it reads
 * with every record (personMeasures.ts), instead of a set-based pass over every participation and
 * gift afterwards (applyMeasures in measures.ts, which merges, undo and resolutions still use).
 * The two must agree on the sandbox to the cent and the quarter hour, and on every date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src-main/sandbox/index';
import { applyMeasures } from '../../src-main/identity/measures';
import { MEASURE_COLUMNS } from '../../src-main/identity/personMeasures';
import { makeEnv, type TestEnv } from '../sync/helpers';
import { identityCore } from './fixtures';

type Row = Record<string, string | number | null>;

describe('measures in the person pass', () => {
  let h: SandboxHandle;
  let env: TestEnv;
  beforeAll(async () => {
    h = await startSandbox({ people: 400, seed: 31, rateLimits: 'off', port: 0 });
    env = await makeEnv({ vomo: h.vomo.baseUrl, crm: h.crm.baseUrl, raise: h.raise.baseUrl }, { vomo: h.vomo.token, crm: h.crm.token, raise: h.raise.token }, { crm: { take: 200 }, raise: { take: 200 } });
    await env.sync.run(env.profileId);
    // A few days of activity: new hours, gifts, corrections, incremental rebuilds after each sync.
    for (let day = 1; day <= 2; day++) {
      h.clock.advance({ days: 1 });
      await env.sync.run(env.profileId);
    }
  });
  afterAll(async () => {
    await env?.close();
    await h?.stop();
  });

  const measures = (db = env.core.db, profileId = env.profileId): Row[] =>
    db.prepare(`SELECT id, crm_giving_owner, ${MEASURE_COLUMNS.join(', ')} FROM persons WHERE profile_id = ? ORDER BY id`).all(profileId) as Row[];
  const quarterHours = (v: unknown) => Math.round(Number(v) * 4);
  const expectSame = (pass: Row[], sql: Row[]) => {
    expect(sql.length).toBe(pass.length);
    for (let i = 0; i < pass.length; i++) {
      const a = pass[i];
      const b = sql[i];
      for (const c of MEASURE_COLUMNS) {
        if (c === 'vomo_hours_total' || c === 'vomo_hours_verified') expect(quarterHours(a[c]), `${a.id} ${c}`).toBe(quarterHours(b[c]));
        else expect(a[c], `${a.id} ${c}`).toEqual(b[c]); // cents, counts and dates exactly
      }
    }
  };

  it('equal the set-based SQL path to the cent, the quarter hour and the day', () => {
    const db = env.core.db;
    const pass = measures();
    // The sandbox exercises every input: hours (some verified), CRM+ and Raise gifts, refunds.
    const sum = (c: string) => pass.reduce((a, r) => a + Number(r[c] ?? 0), 0);
    for (const c of ['vomo_hours_total', 'vomo_hours_verified', 'crm_gift_count', 'raise_giving_cents', 'lifetime_giving_cents']) expect(sum(c), c).toBeGreaterThan(0);
    expect(pass.filter((r) => r.first_gift_date !== null).length).toBeGreaterThan(10);

    db.transaction(() => applyMeasures(db, env.profileId))();
    expectSame(pass, measures());
    // Where the SQL path derives the giving owner itself (after a merge), it agrees with the join's.
    const ids = pass.map((r) => String(r.id));
    db.transaction(() => applyMeasures(db, env.profileId, ids))();
    expect(measures().map((r) => [r.id, r.crm_giving_owner])).toEqual(pass.map((r) => [r.id, r.crm_giving_owner]));
  });

  it('agree on the edge cases: a contact’s own dates and totals, households, refunds, two users in one person', () => {
    const x = identityCore();
    const { m, core, profileId } = x;
    try {
      // A contact whose own last gift date is later than any synced gift, and no lifeToDate.
      m.vomoUser({ id: 'v1', email: 'ann@x.example', first: 'Ann', last: 'Lee' });
      m.participation({ userId: 'v1', id: 'a1', hours: 2.25, at: '2025-03-01T10:00:00Z' });
      m.participation({ userId: 'v1', id: 'a2', hours: 1.5, verified: false, at: '2025-04-01T10:00:00Z' });
      m.crmContact({ id: 'c1', lastGiftDate: '2025-12-24T00:00:00', individuals: [{ id: 'i1', first: 'Ann', last: 'Lee', primary: true, emails: ['ann@x.example'] }, { id: 'i2', first: 'Bo', last: 'Lee', emails: ['bo@x.example'] }] });
      m.crmGift({ id: 'g1', contactId: 'c1', amountCents: 1234, date: '2025-02-01' });
      m.crmGift({ id: 'g2', contactId: 'c1', amountCents: 766, date: '2025-06-01' });
      // A contact with a lifeToDate and an older own last gift date; a Raise donor with a refund.
      m.crmContact({ id: 'c2', lifeToDateCents: 50000, lastGiftDate: '2020-01-01', individuals: [{ id: 'i3', first: 'Cy', last: 'Ng', primary: true, emails: ['cy@x.example'] }] });
      m.crmGift({ id: 'g3', contactId: 'c2', amountCents: 100, date: '2024-05-05' });
      m.raiseDonor({ id: 'r1', email: 'cy@x.example', first: 'Cy', last: 'Ng' });
      m.raiseGift({ id: 'rg1', donorId: 'r1', amountCents: 60000, date: '2025-07-01T12:00:00Z' });
      m.raiseGift({ id: 'rg2', donorId: 'r1', amountCents: 999, date: '2025-08-01T12:00:00Z', status: 'Refunded' });
      // Two VOMO users the steward said are one person.
      m.vomoUser({ id: 'v2', email: 'dee@x.example', first: 'Dee', last: 'Fox' });
      m.vomoUser({ id: 'v3', email: 'dee.fox@y.example', first: 'Dee', last: 'Fox' });
      m.participation({ userId: 'v2', id: 'a3', hours: 3, at: '2025-01-01T10:00:00Z' });
      m.participation({ userId: 'v3', id: 'a4', hours: 0.75, at: '2025-09-01T10:00:00Z' });
      core.db
        .prepare(`INSERT INTO identity_decisions (profile_id, key_a, key_b, verdict, decided_at, decided_by) VALUES (?, 'vomo:v2', 'vomo:v3', 'same', ?, 'test')`)
        .run(profileId, new Date().toISOString());
      core.identity.rebuild(profileId);
      const pass = measures(core.db, profileId);
      const ann = pass.find((r) => r.first_participation_at === '2025-03-01T10:00:00Z')!;
      expect([ann.crm_life_to_date_cents, ann.last_gift_date, ann.vomo_hours_total, ann.vomo_hours_verified]).toEqual([2000, '2025-12-24', 3.75, 2.25]);
      const cy = pass.find((r) => r.raise_gift_count === 1)!;
      // CRM+'s lifetime plus the Raise gift CRM+ does not have yet (the refund does not count).
      expect([cy.lifetime_giving_cents, cy.last_gift_date, cy.first_gift_date]).toEqual([110000, '2025-07-01', '2024-05-05']);
      expect(pass.find((r) => r.vomo_participations_count === 2 && r.vomo_hours_total === 3.75 && r.first_participation_at === '2025-01-01T10:00:00Z')).toBeDefined();
      core.db.transaction(() => applyMeasures(core.db, profileId))();
      expectSame(pass, measures(core.db, profileId));
    } finally {
      void core.cleanup();
    }
  });
});
