/**
 * A steward's decision on conflicts moves only what the persons show: their displayed values are
 * picked again from their rows and the chosen values put on top, their conflicts evaluated again.
 * What that leaves is what recomputing the persons from the mirrors leaves (the way merges go),
 * and a later rebuild, incremental or from scratch, agrees with it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { identityCore } from './fixtures';
import { setConflictStatus, type ConflictRow } from '../../src-main/identity/conflicts';
import { recomputePersons } from '../../src-main/identity/recompute';
import { IdentitySettings } from '../../src-shared/domain/identity';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const SHOWN = `id, display_first_name, display_last_name, display_name, display_email, display_phone, phone_e164, name_key, open_conflicts`;

describe('a decision on conflicts', () => {
  it('leaves the persons and conflicts a recompute from the mirrors would, for every kind of decision', async () => {
    const x = identityCore();
    cleanups.push(() => x.core.cleanup());
    const { core, profileId, m } = x;
    const svc = core.identity;
    for (let i = 0; i < 6; i++) {
      m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: `Pat${i}`, last: `Vomo${i}`, phone: `+1 217 555 01${i}0` });
      m.crmContact({ id: `c${i}`, individuals: [{ id: `i${i}`, first: `Patricia${i}`, last: `Crm${i}`, primary: true, emails: [`p${i}@x.example`], phones: [`(217) 555-02${i}0`] }] });
    }
    svc.rebuild(profileId);
    const db = core.db;
    const settings = IdentitySettings.parse(undefined);
    const state = () => ({
      persons: db.prepare(`SELECT ${SHOWN} FROM persons WHERE profile_id = ? ORDER BY id`).all(profileId),
      conflicts: db.prepare(`SELECT id, person_id, field, status, resolution, chosen_value, active, person_sort, fingerprint FROM conflicts WHERE profile_id = ? ORDER BY id`).all(profileId),
    });
    const ids = (field: string, status = 'open') =>
      db.prepare(`SELECT id FROM conflicts WHERE profile_id = ? AND field = ? AND status = ? ORDER BY id`).pluck().all(profileId, field, status) as number[];
    /** The decision through the service, and (rolled back) the same decision followed by a recompute of its persons. */
    const decide = (action: 'resolve' | 'dismiss' | 'reopen', targets: number[], choice: 'vomo' | 'crm' | 'custom' | 'keep_both' | null, value: string | null = null) => {
      expect(targets.length).toBeGreaterThan(0);
      db.exec('SAVEPOINT recompute');
      const rows = targets.map((id) => db.prepare(`SELECT * FROM conflicts WHERE id = ?`).get(id) as ConflictRow);
      const status = action === 'resolve' ? 'resolved' : action === 'dismiss' ? 'dismissed' : 'open';
      for (const r of rows) setConflictStatus(db, r, status, choice, value, 'steward', '2026-03-01T00:00:00.000Z', null);
      recomputePersons(db, profileId, [...new Set(rows.map((r) => r.person_id))], settings, '2026-03-01T00:00:00.000Z');
      const byRecompute = state();
      db.exec('ROLLBACK TO recompute');
      db.exec('RELEASE recompute');
      const before = state();
      svc.setConflicts(profileId, targets, action, choice, value, null);
      const after = state();
      expect(after).toEqual(byRecompute);
      expect(after).not.toEqual(before);
      return after;
    };
    const last = ids('last_name');
    expect(last).toHaveLength(6);
    // CRM+'s last name over VOMO's (the authority): shown, and the queue's name follows.
    let s = decide('resolve', last.slice(0, 2), 'crm');
    expect(s.persons.filter((p: any) => /^Crm[01]$/.test(p.display_last_name))).toHaveLength(2);
    decide('resolve', [last[2]], 'custom', 'Vomo-Crm');
    decide('resolve', [last[3]], 'keep_both');
    decide('dismiss', ids('phone').slice(0, 3), null);
    decide('resolve', ids('first_name').slice(0, 4), 'vomo');
    // Reopened: back to what the authority picks.
    s = decide('reopen', [last[0], last[2]], null);
    expect(s.persons.filter((p: any) => /^Vomo[02]$/.test(p.display_last_name))).toHaveLength(2);
    decide('resolve', ids('email').length ? ids('email') : ids('phone'), 'crm');

    // A later rebuild agrees, incremental or from scratch.
    const decided = state();
    svc.rebuild(profileId);
    expect(state()).toEqual(decided);
    svc.rebuild(profileId, 'rebuild', { fromScratch: true });
    expect(state()).toEqual(decided);
  });

  it('a chosen phone is shown in E.164 read in the profile\u2019s region', async () => {
    const x = identityCore();
    cleanups.push(() => x.core.cleanup());
    const { core, profileId, m } = x;
    const svc = core.identity;
    await svc.setSettings(profileId, { fieldAuthority: { email: 'vomo', first_name: 'vomo', last_name: 'vomo', phone: 'vomo' }, defaultPhoneRegion: 'GB' });
    m.vomoUser({ id: 'v1', email: 'ada@x.example', first: 'Ada', last: 'King', phone: '07700 900123' });
    m.crmContact({ id: 'c1', individuals: [{ id: 'i1', first: 'Ada', last: 'King', primary: true, emails: ['ada@x.example'], phones: ['020 7946 0958'] }] });
    svc.rebuild(profileId);
    const [phone] = svc.listConflicts({ profileId, status: 'open', field: 'phone', limit: 5 }).items;
    svc.setConflicts(profileId, [phone.id], 'resolve', 'crm', null, null);
    expect(core.db.prepare(`SELECT display_phone, phone_e164 FROM persons WHERE id = ?`).get(phone.personId)).toEqual({ display_phone: '020 7946 0958', phone_e164: '+442079460958' });
  });
});
