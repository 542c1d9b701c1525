/**
 * Conflicts: a person's VOMO and CRM+ values disagree on a field. Phones compare in E.164,
 * names case- and space-insensitively, emails as join keys, so one number written two ways is
 * not a conflict. Persisted with a status; re-evaluated after every rebuild: a resolved or
 * dismissed conflict the sources still disagree on *the same way* keeps its status; a new
 * disagreement (another fingerprint) reopens it. Every resolution is audited by the caller.
 */
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import type { Db } from '../store/db';
import type { ConflictField, IdentitySettings } from '../../src-shared/domain/identity';
import { nameKey, normEmail, normName, toE164 } from './normalize';
import { PERSON_COLUMNS } from './personRow';

export const FIELDS: ConflictField[] = ['email', 'first_name', 'last_name', 'phone'];
export const DISPLAY_COLUMN: Record<ConflictField, string> = {
  email: 'display_email',
  first_name: 'display_first_name',
  last_name: 'display_last_name',
  phone: 'display_phone',
};

export function compareKey(field: ConflictField, value: string | null, region: string): string | null {
  if (value == null || value.trim() === '') return null;
  if (field === 'email') return normEmail(value);
  if (field === 'phone') return toE164(value, region) ?? value.replace(/\D/g, '');
  return normName(value);
}

/**
 * How a person's VOMO and CRM+ values of a field disagree, as a conflict's fingerprint (each as it
 * compares), or null where they do not: one missing, the same, or VOMO's among the CRM+
 * individual's phones (in E.164, `crmPhonesE164`) or emails (`crmEmails`). An evaluation stores
 * it; a resolution stands while the sources still disagree the same way.
 */
export function disagreement(field: ConflictField, vomo: unknown, crm: unknown, crmPhonesE164: unknown, crmEmails: unknown, region: string): string | null {
  const kv = compareKey(field, vomo as string | null, region);
  const kc = compareKey(field, crm as string | null, region);
  if (kv == null || kc == null || kv === kc) return null;
  // A VOMO value matching any of the individual's phones or emails is not a disagreement.
  if (field === 'phone' && ((crmPhonesE164 as string | null) ?? '').split(' ').includes(kv)) return null;
  if (field === 'email' && ((crmEmails as string | null) ?? '').split(' ').includes(kv)) return null;
  return kv + '\u0001' + kc;
}

/** Each field's VOMO and CRM+ columns in a person row. */
const SIDE_COLUMNS: Record<ConflictField, readonly [string, string]> = {
  email: ['vomo_email', 'crm_email'],
  first_name: ['vomo_first_name', 'crm_first_name'],
  last_name: ['vomo_last_name', 'crm_last_name'],
  phone: ['vomo_phone', 'crm_phone'],
};

/** What a person shows that a chosen value moves. */
export interface Shown {
  display_first_name: string | null;
  display_last_name: string | null;
  display_email: string | null;
  display_phone: string | null;
  display_name: string;
  name_key: string | null;
  phone_e164: string | null;
}
export const SHOWN = ['display_first_name', 'display_last_name', 'display_email', 'display_phone', 'display_name', 'name_key', 'phone_e164'] as const;

export interface ChosenValue {
  field: ConflictField;
  value: string;
  fingerprint: string;
}

/** What a person shows with these chosen values on top (and what derives from them: the name, its key, the phone in E.164). */
export function showChosen(shown: Shown, chosen: readonly Pick<ChosenValue, 'field' | 'value'>[], region: string): Shown {
  const next: Shown = { ...shown };
  for (const c of chosen) next[DISPLAY_COLUMN[c.field] as 'display_email'] = c.value;
  next.display_name = [next.display_first_name, next.display_last_name].filter(Boolean).join(' ').trim() || shown.display_name;
  next.name_key = nameKey(next.display_first_name, next.display_last_name);
  next.phone_e164 = toE164(next.display_phone, region);
  return next;
}

/** A live resolution with a chosen value: what conflicts_chosen (migration 0100) holds. */
const CHOSEN = `active = 1 AND status = 'resolved' AND chosen_value IS NOT NULL`;

/**
 * Every live resolution with a chosen value, by person; null where the profile has none (most
 * stores, and every first build). Read from its own index alone (migration 0100).
 */
export function chosenValues(db: Db, profileId: number): Map<string, ChosenValue[]> | null {
  const rows = db
    .prepare(`SELECT person_id, field, chosen_value, fingerprint FROM conflicts INDEXED BY conflicts_chosen WHERE profile_id = ? AND ${CHOSEN}`)
    .raw()
    .all(profileId) as [string, ConflictField, string, string][];
  if (!rows.length) return null;
  const out = new Map<string, ChosenValue[]>();
  for (const [pid, field, value, fingerprint] of rows) {
    const c = { field, value, fingerprint };
    const list = out.get(pid);
    if (list) list.push(c);
    else out.set(pid, [c]);
  }
  return out;
}

/**
 * Of a person's chosen values, those an evaluation of this row keeps resolved (the person in both
 * systems, disagreeing on the field as when it was resolved); `col` reads the row by column name.
 * A rebuild puts these on the row it computes, so that the row reads as the evaluation leaves it:
 * the authority's value written, then the chosen one put back (applyResolvedDisplay), was two writes
 * of each such person at every recompute that reached it, and a row digest that never held.
 */
export function keptChoices(chosen: readonly ChosenValue[] | undefined, col: (name: string) => unknown, region: string): ChosenValue[] | null {
  if (!chosen || col('has_vomo') !== 1 || col('has_crm') !== 1) return null;
  let kept: ChosenValue[] | null = null;
  for (const c of chosen) {
    const [v, k] = SIDE_COLUMNS[c.field];
    if (disagreement(c.field, col(v), col(k), col('crm_phones_e164'), col('crm_emails'), region) === c.fingerprint) (kept ??= []).push(c);
  }
  return kept;
}

/** Where each column sits in a row as statement values (personValues: the profile, then PERSON_COLUMNS). */
const VALUE_AT = new Map(PERSON_COLUMNS.map((c, i) => [c as string, i + 1]));

/**
 * A computed row (as statement values) with the chosen values an evaluation keeps put on what it
 * shows; whether any was (the row's digest is then stale).
 */
export function putChosenValues(values: unknown[], chosen: readonly ChosenValue[] | undefined, region: string): boolean {
  const kept = keptChoices(chosen, (c) => values[VALUE_AT.get(c)!], region);
  if (!kept) return false;
  const shown = {} as Shown;
  for (const c of SHOWN) shown[c] = values[VALUE_AT.get(c)!] as never;
  const next = showChosen(shown, kept, region);
  for (const c of SHOWN) values[VALUE_AT.get(c)!] = next[c];
  return true;
}

interface Existing {
  id: number;
  person_id: string;
  status: string;
  fingerprint: string;
  active: number;
  person_sort: string;
}

/**
 * Up to this many persons (and where the profile has many more conflicts, readByPerson), an
 * evaluation reads their conflicts person by person (by the conflicts' UNIQUE index); beyond, in
 * one pass over the profile's. A store's conflicts may count
 * in the hundreds of thousands at a million persons (175,000 in stop 53's probe): the pass cost a
 * rebuild that looks at 11,000 persons 0.3-0.5 s, the lookups ~0.09 s.
 */
const PER_PERSON_SCOPE = 50_000;

const EXISTING_COLUMNS = 'id, person_id, field, status, fingerprint, active, person_sort';

/**
 * Whether a scope's conflicts are read person by person: only where the profile's conflicts
 * outnumber the lookups (a lookup costs a few times what a conflict read in the pass does; a
 * store with none pays no lookup at all).
 */
function readByPerson(db: Db, profileId: number, scope: ReadonlySet<string> | null): scope is ReadonlySet<string> {
  if (!scope || scope.size > PER_PERSON_SCOPE) return false;
  const conflicts = db.prepare(`SELECT COUNT(*) FROM conflicts INDEXED BY conflicts_by_first_seen WHERE profile_id = ?`).pluck().get(profileId) as number;
  return scope.size * 4 < conflicts;
}

function existingConflicts(db: Db, profileId: number, scope: ReadonlySet<string> | null, byPerson: boolean): Map<string, Existing> {
  const existing = new Map<string, Existing>();
  type Read = Existing & { field: string };
  const rows: Iterable<Read> =
    byPerson && scope
      ? (function* () {
          const of = db.prepare(`SELECT ${EXISTING_COLUMNS} FROM conflicts WHERE profile_id = ? AND person_id = ?`);
          for (const id of scope) yield* of.all(profileId, id) as Read[];
        })()
      : (db.prepare(`SELECT ${EXISTING_COLUMNS} FROM conflicts WHERE profile_id = ?`).iterate(profileId) as Iterable<Read>);
  for (const r of rows) if (!scope || scope.has(r.person_id)) existing.set(r.person_id + '|' + r.field, r);
  return existing;
}

export function evaluateConflicts(db: Db, profileId: number, settings: IdentitySettings, now: string, only?: string[], check: () => void = () => {}): { open: number } {
  const region = settings.defaultPhoneRegion;
  const scope = only ? new Set(only) : null;
  const byPerson = readByPerson(db, profileId, scope);
  const existing = existingConflicts(db, profileId, scope, byPerson);
  const insert = db.prepare(
    `INSERT INTO conflicts (profile_id, person_id, field, vomo_value, crm_value, authority, status, fingerprint, active, first_seen_at, last_seen_at, person_sort)
     VALUES (?, ?, ?, ?, ?, ?, 'open', ?, 1, ?, ?, ?)`,
  );
  // Every write of a conflict also writes its person's last name as shown, the queue's order
  // (person_sort, migration 0097): a person whose name changed is evaluated again, so its live
  // conflicts pass here; a name a resolution chose is written after (applyResolvedDisplay).
  const same = db.prepare(`UPDATE conflicts SET vomo_value = ?, crm_value = ?, authority = ?, active = 1, last_seen_at = ?, person_sort = ? WHERE id = ?`);
  // The same disagreement, live and queued under the same name: no indexed column is set, so
  // SQLite leaves the queue's indexes alone (an evaluation of everyone writes every conflict).
  const seenAgain = db.prepare(`UPDATE conflicts SET vomo_value = ?, crm_value = ?, authority = ?, last_seen_at = ? WHERE id = ?`);
  const reopen = db.prepare(
    `UPDATE conflicts SET vomo_value = ?, crm_value = ?, authority = ?, fingerprint = ?, active = 1, last_seen_at = ?, person_sort = ?,
       reopened_at = CASE WHEN status <> 'open' THEN ? ELSE reopened_at END,
       status = 'open', resolution = NULL, chosen_value = NULL, resolved_at = NULL, resolved_by = NULL
     WHERE id = ?`,
  );
  const seen = new Set<number>();
  const cols = `id, vomo_email, crm_email, vomo_first_name, crm_first_name, vomo_last_name, crm_last_name, vomo_phone, crm_phone, crm_phones_e164, crm_emails, display_last_name, open_conflicts`;
  /**
   * The persons in both VOMO and CRM+ (those in scope, or every one a page at a time by id). The
   * loop writes between reads, which a read still iterating would forbid; read whole, every row
   * (200,000 at a million persons) lived through the loop and was promoted into the old
   * generation, where a rebuild's collector leaves it until the end. A page dies young.
   */
  function* bothSystems(): Generator<(string | null)[]> {
    if (scope) {
      const one = db.prepare(`SELECT ${cols} FROM persons WHERE profile_id = ? AND id = ? AND has_vomo = 1 AND has_crm = 1`).raw();
      for (const id of scope) {
        const r = one.get(profileId, id) as (string | null)[] | undefined;
        if (r) yield r;
      }
      return;
    }
    const both = `SELECT ${cols} FROM persons WHERE profile_id = @p AND has_vomo = 1 AND has_crm = 1`;
    const first = db.prepare(`${both} ORDER BY id LIMIT 8192`).raw();
    const next = db.prepare(`${both} AND id > @after ORDER BY id LIMIT 8192`).raw();
    let after: string | null = null;
    for (;;) {
      const rows = (after === null ? first.all({ p: profileId }) : next.all({ p: profileId, after })) as (string | null)[][];
      if (!rows.length) return;
      yield* rows;
      after = rows[rows.length - 1][0] as string;
    }
  }
  // persons.open_conflicts is counted here, as the conflicts are written, and stored where it
  // moved: the evaluated persons' rows are read anyway, and a count by SQL afterwards cost ~50 µs
  // a person in a scope or ~0.6 s a profile at 157,000 open conflicts.
  const setOpenCount = db.prepare(`UPDATE persons SET open_conflicts = ? WHERE profile_id = ? AND id = ?`);
  // The persons with conflicts that no row read here counts (their row went, or is no longer in
  // both systems). Kept as those still to see, not those seen: a set of every person read (the
  // 260,000 of a first build at a million) cost an evaluation of everyone 0.2 s of its 1.15.
  const unseen = new Set<string>();
  for (const ex of existing.values()) unseen.add(ex.person_id);
  let n = 0;
  for (const r of bothSystems()) {
    if (n++ % 1024 === 0) check();
    const pid = r[0] as string;
    const sortName = (r[11] as string | null) ?? '';
    let open = 0;
    unseen.delete(pid);
    for (let f = 0; f < 4; f++) {
      const field = FIELDS[f];
      const v = r[1 + f * 2];
      const c = r[2 + f * 2];
      const fp = disagreement(field, v, c, r[9], r[10], region);
      if (fp === null) continue;
      const authority = settings.fieldAuthority[field];
      const ex = existing.get(pid + '|' + field);
      if (!ex) insert.run(profileId, pid, field, v, c, authority, fp, now, now, sortName);
      else {
        seen.add(ex.id);
        if (ex.fingerprint !== fp) reopen.run(v, c, authority, fp, now, sortName, now, ex.id);
        else if (ex.active === 1 && ex.person_sort === sortName) seenAgain.run(v, c, authority, now, ex.id);
        else same.run(v, c, authority, now, sortName, ex.id);
      }
      if (!ex || ex.fingerprint !== fp || ex.status === 'open') open++;
    }
    if (open !== (r[12] as unknown as number)) setOpenCount.run(open, profileId, pid);
  }
  const retire = db.prepare('UPDATE conflicts SET active = 0 WHERE id = ?');
  for (const ex of existing.values()) if (ex.active && !seen.has(ex.id)) retire.run(ex.id);
  // Conflicts whose person row disappeared, or is no longer in both systems, are retired above
  // (their person had no row to read), and so is the person's count: a count above zero has
  // conflicts behind it, and all of them are in `existing`.
  const none = db.prepare(`UPDATE persons SET open_conflicts = 0 WHERE profile_id = ? AND id = ? AND open_conflicts <> 0`);
  for (const pid of unseen) none.run(profileId, pid);
  applyResolvedDisplay(db, profileId, region, scope, byPerson);
  const open = (db.prepare(`SELECT COUNT(*) AS n FROM conflicts WHERE profile_id = ? AND active = 1 AND status = 'open'`).get(profileId) as { n: number }).n;
  return { open };
}

/**
 * Every live conflict names the field authority it was evaluated under: after a new authority,
 * those of persons the rebuild did not look at again take it here (their values, compared
 * system by system, cannot have changed with it).
 */
export function setConflictAuthority(db: Db, profileId: number, authority: IdentitySettings['fieldAuthority']): void {
  const set = db.prepare(`UPDATE conflicts SET authority = ? WHERE profile_id = ? AND active = 1 AND field = ? AND authority <> ?`);
  for (const field of FIELDS) set.run(authority[field], profileId, field, authority[field]);
}

/**
 * These persons' conflicts queued under the last names their rows show: for conflicts written
 * other than by an evaluation (an undone merge's, restored from a snapshot that may predate the
 * queue's names).
 */
export function queueUnderShownNames(db: Db, profileId: number, personIds: string[]): void {
  const set = db.prepare(
    `UPDATE conflicts SET person_sort = coalesce((SELECT display_last_name FROM persons p WHERE p.profile_id = conflicts.profile_id AND p.id = conflicts.person_id), '')
     WHERE profile_id = ? AND person_id = ?`,
  );
  for (const id of personIds) set.run(profileId, id);
}

/**
 * Resolved conflicts with a chosen value override the authority's display value (and what is
 * derived from it: the name, its key, the phone in E.164 in the profile's region). Read person by
 * person for a scope, each person read and written once, and only where it then reads differently.
 */
function applyResolvedDisplay(db: Db, profileId: number, region: string, scope: ReadonlySet<string> | null, byPerson: boolean): void {
  type Chosen = { person_id: string; field: ConflictField; chosen_value: string };
  const resolved = `SELECT person_id, field, chosen_value FROM conflicts INDEXED BY conflicts_chosen WHERE profile_id = ? AND ${CHOSEN}`;
  const chosenOf = new Map<string, Chosen[]>();
  const add = (c: Chosen) => {
    const list = chosenOf.get(c.person_id);
    if (list) list.push(c);
    else chosenOf.set(c.person_id, [c]);
  };
  if (byPerson && scope) {
    const of = db.prepare(`${resolved} AND person_id = ?`);
    for (const id of scope) for (const c of of.all(profileId, id) as Chosen[]) add(c);
  } else for (const c of db.prepare(resolved).all(profileId) as Chosen[]) if (!scope || scope.has(c.person_id)) add(c);
  if (!chosenOf.size) return;
  const read = db.prepare(`SELECT ${SHOWN.join(', ')} FROM persons WHERE profile_id = ? AND id = ?`);
  const write = db.prepare(`UPDATE persons SET ${SHOWN.map((c) => `${c} = ?`).join(', ')} WHERE profile_id = ? AND id = ?`);
  const sortName = db.prepare(`UPDATE conflicts SET person_sort = ? WHERE profile_id = ? AND person_id = ? AND person_sort IS NOT ?`);
  for (const [pid, chosen] of chosenOf) {
    const p = read.get(profileId, pid) as Shown | undefined;
    if (!p) continue;
    const next = showChosen(p, chosen.map((c) => ({ field: c.field, value: c.chosen_value })), region);
    if (SHOWN.some((c) => next[c] !== p[c])) write.run(...SHOWN.map((c) => next[c]), profileId, pid);
    const last = chosen.find((c) => c.field === 'last_name');
    if (last) sortName.run(last.chosen_value, profileId, pid, last.chosen_value);
  }
}

export type Choice = 'vomo' | 'crm' | 'custom' | 'keep_both';

export interface ConflictRow {
  id: number;
  profile_id: number;
  person_id: string;
  field: ConflictField;
  vomo_value: string | null;
  crm_value: string | null;
  authority: string;
  status: 'open' | 'resolved' | 'dismissed';
  resolution: string | null;
  chosen_value: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  note: string | null;
  fingerprint: string;
  active: number;
  first_seen_at: string;
  last_seen_at: string;
  reopened_at: string | null;
}

/** A decision's statement, prepared once per connection: a bulk decision sets 73,000 conflicts, and each prepare cost ~14 µs. */
const statusStatements = new WeakMap<Db, Statement>();

export function setConflictStatus(
  db: Db,
  row: ConflictRow,
  status: 'resolved' | 'dismissed' | 'open',
  choice: Choice | null,
  value: string | null,
  actor: string,
  now: string,
  note: string | null,
): void {
  let chosen: string | null = null;
  if (status === 'resolved') {
    if (choice === 'vomo') chosen = row.vomo_value;
    else if (choice === 'crm') chosen = row.crm_value;
    else if (choice === 'custom') chosen = value;
  }
  let update = statusStatements.get(db);
  if (!update) statusStatements.set(db, (update = db.prepare(`UPDATE conflicts SET status = ?, resolution = ?, chosen_value = ?, resolved_at = ?, resolved_by = ?, note = ? WHERE id = ?`)));
  update.run(
    status,
    status === 'resolved' ? choice : null,
    chosen,
    status === 'open' ? null : now,
    status === 'open' ? null : actor,
    note,
    row.id,
  );
}
