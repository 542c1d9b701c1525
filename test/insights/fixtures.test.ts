/** Hand-built persons rows (the identity schema) and VOMO participations, for the insight tests. */
import type { Db } from '../../src-main/store/db';
import { notePersonChanges } from '../../src-main/identity/personChanges';
import { fillVomoMeasures } from '../helpers/personMeasures';

export interface PersonSeed {
  id: string;
  first?: string | null;
  last?: string | null;
  email?: string | null;
  phone?: string | null;
  vomo?: boolean;
  crm?: boolean;
  raise?: boolean;
  givingCents?: number;
  crmGifts?: number;
  raiseGifts?: number;
  firstGift?: string | null;
  lastGift?: string | null;
  firstRaiseGift?: string | null;
  optedIn?: number | null;
  crmContactId?: string | null;
  crmUrl?: string | null;
  /** VOMO participations: [checkedIn, checkedOut, hours, verified flag (undefined: not sent)]. */
  parts?: [string | null, string | null, number, (boolean | undefined)?][];
}

/** Persons with every tie and gap a sort can meet: few distinct values, and NULLs. */
export function tiedPersons(n: number): PersonSeed[] {
  const firsts = ['Ann', 'ann', 'Bo', null];
  const lasts = ['Lee', 'LEE', 'Kim', null, 'Ng'];
  return Array.from({ length: n }, (_, i) => ({
    id: `P${String(i).padStart(4, '0')}`,
    first: firsts[i % firsts.length],
    last: lasts[(i * 7) % lasts.length],
    email: i % 6 === 0 ? null : `p${i % 9}@x.example`,
    vomo: i % 3 !== 2,
    crm: i % 2 === 0,
    raise: i % 5 === 0,
    givingCents: i % 4 === 0 ? 0 : [500, 500, 1200][i % 3],
    lastGift: i % 4 === 0 || i % 5 === 0 ? null : ['2024-01-01', '2025-06-30', '2025-06-30'][i % 3],
    firstRaiseGift: i % 5 === 0 ? ['2026-10-01', '2026-10-01', '2026-09-15'][i % 3] : null,
    parts: i % 3 !== 2 ? [['2026-10-20T10:00:00Z', i % 2 ? '2026-10-20T12:00:00Z' : null, [2, 2, 3.5][i % 3], i % 4 === 1 ? undefined : true]] : [],
  }));
}

export function addProfile(db: Db, name = 'Org', crmUrl: string | null = 'https://api.virtuoussoftware.com'): number {
  const info = db
    .prepare("INSERT INTO profiles (name, vomo_url, crm_url, created_at, updated_at) VALUES (?, 'https://api.vomo.org/v1', ?, 'x', 'x')")
    .run(name, crmUrl);
  return Number(info.lastInsertRowid);
}

export function addPersons(db: Db, profileId: number, seeds: PersonSeed[]): void {
  const ins = db.prepare(`INSERT INTO persons (profile_id, id, email_norm, display_first_name, display_last_name, display_name, display_email, display_phone,
      has_vomo, has_crm, has_raise, vomo_user_id, crm_contact_id, raise_donor_id, name_key, email_opted_in, crm_url,
      crm_gift_count, raise_gift_count, lifetime_giving_cents, first_gift_date, last_gift_date, first_raise_gift_date, created_at, updated_at)
    VALUES (@pid, @id, @email_norm, @first, @last, @name, @email, @phone, @vomo, @crm, @raise, @vomo_user_id, @crm_contact_id, @raise_donor_id,
      @name_key, @opted, @crm_url, @crm_gifts, @raise_gifts, @giving, @first_gift, @last_gift, @first_raise, 'x', 'x')`);
  const link = db.prepare(
    "INSERT INTO person_links (profile_id, source, source_id, person_id, first_seen_at, last_seen_at, how, active) VALUES (?, 'vomo', ?, ?, 'x', 'x', 'email', 1)",
  );
  const part = db.prepare(
    `INSERT INTO vomo_participations (profile_id, user_id, id, hours, checked_in_at, checked_out_at, verified, raw_json, last_synced_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, '{}', 'x')`,
  );
  db.transaction(() => {
    for (const s of seeds) {
      const vomoUser = s.vomo ? `u-${s.id}` : null;
      ins.run({
        pid: profileId,
        id: s.id,
        email_norm: s.email?.toLowerCase() ?? null,
        first: s.first ?? null,
        last: s.last ?? null,
        name: [s.first, s.last].filter(Boolean).join(' ') || null,
        email: s.email ?? null,
        phone: s.phone ?? null,
        vomo: s.vomo ? 1 : 0,
        crm: s.crm ? 1 : 0,
        raise: s.raise ? 1 : 0,
        vomo_user_id: vomoUser,
        crm_contact_id: s.crmContactId ?? (s.crm ? `c-${s.id}` : null),
        raise_donor_id: s.raise ? `r-${s.id}` : null,
        name_key: `${(s.last ?? '').toLowerCase()}|${(s.first ?? '').toLowerCase()}`,
        opted: s.optedIn ?? null,
        crm_url: s.crmUrl ?? null,
        crm_gifts: s.crmGifts ?? 0,
        raise_gifts: s.raiseGifts ?? 0,
        giving: s.givingCents ?? 0,
        first_gift: s.firstGift ?? s.lastGift ?? null,
        last_gift: s.lastGift ?? null,
        first_raise: s.firstRaiseGift ?? null,
      });
      if (vomoUser) {
        link.run(profileId, vomoUser, s.id);
        (s.parts ?? []).forEach(([inAt, outAt, hours, verified], i) =>
          part.run(profileId, vomoUser, `p${i}`, hours, inAt, outAt, verified === undefined ? null : verified ? 1 : 0),
        );
      }
    }
    // What the rebuild's person pass computes from those participations.
    fillVomoMeasures(db, profileId);
  })();
}

/** What an identity run leaves: its run row, and the persons it changed noted for the lists ('all' by default). */
export function markIdentityRun(db: Db, profileId: number, changed: string[] | 'all' = 'all'): void {
  db.prepare("INSERT INTO identity_runs (profile_id, started_at, finished_at, kind) VALUES (?, 'x', 'x', 'rebuild')").run(profileId);
  notePersonChanges(db, profileId, changed);
}

/** A core whose store holds these persons as one identity run left them (measures not yet taken). */
export function coreWithPersons(seeds: PersonSeed[]): { core: ReturnType<typeof tempCore>; profileId: number } {
  const core = tempCore();
  const profileId = addProfile(core.db);
  addPersons(core.db, profileId, seeds);
  markIdentityRun(core.db, profileId);
  return { core, profileId };
}

// This file is named *.test.ts only so the node typecheck (which includes test/**/*.test.ts)
// covers it; its own check runs only when it is the file under test, not when imported.
import { describe, expect, it } from 'vitest';
import { tempCore } from '../helpers/tempCore';

describe.runIf(!!expect.getState().testPath?.endsWith('fixtures.test.ts'))('insight fixtures', () => {
  it('write persons the identity schema accepts, with links and participations', async () => {
    const core = tempCore();
    const pid = addProfile(core.db);
    addPersons(core.db, pid, [{ id: 'P1', first: 'A', vomo: true, parts: [['2026-01-01T00:00:00Z', null, 1]] }]);
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM vomo_participations').get()).toEqual({ n: 1 });
    await core.cleanup();
  });
});
