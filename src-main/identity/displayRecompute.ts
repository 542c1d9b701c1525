/**
 * A new field authority or phone region when nothing else changed since the last rebuild (no
 * other setting, no record marked, no decision). The only columns an authority decides are what a
 * person displays (pickDisplay), and every value it picks among is in the person's own row (each
 * system's first and last name, email and phone). A region decides only how phones read in
 * E.164: the displayed phone's (in the row) and the CRM+ individual's phones' (crm_phones_e164,
 * read from the mirror's methods); no join key is a phone. So the persons an authority can change
 * (those in two or more systems), or for a region every person, get these computed again, and
 * nothing is joined, claimed or linked again: their clusters, inputs (identity_hash), links and
 * measures cannot have changed. A row that reads differently is updated as the join updates one
 * (only the columns that differ, updated_at, its row digest); the later steps look at those
 * persons (joinBuilder.ts says how).
 *
 * At a million persons the join of everyone did this in 22-30 s for an authority, 26-37 s for a
 * region (in process and in the bench); see the README.
 */
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import type { Db } from '../store/db';
import type { IdentitySettings } from '../../src-shared/domain/identity';
import { crmPhonesE164, DISPLAY_COLUMNS, PERSON_COLUMNS, personRowDigest, pickDisplay, type DisplaySides } from './personRow';
import { loadNodes, METHOD_COLS, methodInfo, sortMethods, type MethodInfo } from './nodes';
import { chosenValues, keptChoices, showChosen } from './conflicts';

/** Rows read per query: the loop writes between pages, which a statement still iterating would forbid. */
const PAGE = 4096;

const SIDES = [
  'vomo_first_name',
  'crm_first_name',
  'raise_first_name',
  'vomo_last_name',
  'crm_last_name',
  'raise_last_name',
  'vomo_email',
  'crm_email',
  'raise_email',
  'vomo_phone',
  'crm_phone',
  'raise_phone',
] as const satisfies readonly (keyof DisplaySides)[];
/**
 * What is read of every row looked at: the values picked among, what they make, and what the
 * phones and a nameless person's name are found by. Not the whole row (77 columns, which at a
 * million persons took 9 s of a new region's 13 s to read into JavaScript): the rows that read
 * differently, few, are read whole to be digested.
 */
const READ = ['id', ...SIDES, ...DISPLAY_COLUMNS, 'crm_phones_e164', 'crm_contact_name', 'raise_donor_id', 'crm_individual_id', 'has_vomo', 'has_crm', 'crm_emails'] as const;
const R = (c: (typeof READ)[number]) => READ.indexOf(c);
const READ_AT = new Map<string, number>(READ.map((c, i) => [c, i]));
const SIDE_R = SIDES.map(R);
const DISPLAY_R = DISPLAY_COLUMNS.map(R);
const [ID_R, CRM_PHONES_R, CONTACT_NAME_R, DONOR_R, INDIVIDUAL_R] = (['id', 'crm_phones_e164', 'crm_contact_name', 'raise_donor_id', 'crm_individual_id'] as const).map(R);
/** Where a column sits in a whole row (personValues' layout: the profile, then PERSON_COLUMNS). */
const at = (c: string) => PERSON_COLUMNS.indexOf(c as (typeof PERSON_COLUMNS)[number]) + 1;
const UPDATED = at('updated_at');

export interface DisplayRecompute {
  /** Persons looked at: those in two or more systems (for a region, every person). */
  read: number;
  /** Persons whose rows then read differently, and were updated. */
  written: string[];
}

export function recomputeDisplays(
  db: Db,
  profileId: number,
  settings: IdentitySettings,
  now: string,
  check: () => void = () => {},
  opts: { phones?: boolean } = {},
): DisplayRecompute {
  // A new phone region can change the phones of a person in one system as well as in several.
  const page = db
    .prepare(
      `SELECT ${READ.join(', ')} FROM persons
        WHERE profile_id = @p AND id > @after${opts.phones ? '' : ' AND has_vomo + has_crm + has_raise >= 2'} ORDER BY id LIMIT ${PAGE}`,
    )
    .raw();
  const pick = displayPicker(db, profileId, settings, now, opts.phones ? crmPhonesOf(db, profileId, settings.defaultPhoneRegion, check) : null, chosenValues(db, profileId));
  let read = 0;
  let after = '';
  for (;;) {
    check();
    const rows = page.all({ p: profileId, after }) as unknown[][];
    if (!rows.length) break;
    after = rows[rows.length - 1][ID_R] as string;
    read += rows.length;
    for (const row of rows) pick(row);
  }
  return { read, written: pick.written };
}

/**
 * Every CRM+ individual's phones in E.164 as the region reads them (a row's crm_phones_e164), by
 * individual; one without any is not listed. Not in the person rows, which hold only the first
 * phone as the individual wrote it: read from the mirror in one pass in individual order (no
 * record changed since the rows were computed, so the mirror holds what they were computed from).
 */
function crmPhonesOf(db: Db, profileId: number, region: string, check: () => void): Map<string, string> {
  const out = new Map<string, string>();
  let individual: string | null = null;
  let methods: MethodInfo[] = [];
  const done = () => {
    if (individual === null) return;
    sortMethods(methods); // the order the join reads them in
    const phones = crmPhonesE164(methods, region);
    if (phones) out.set(individual, phones);
  };
  let n = 0;
  const read = db.prepare(`SELECT ${METHOD_COLS} FROM crm_contact_methods m NOT INDEXED WHERE m.profile_id = ? AND m.kind = 'phone' ORDER BY m.individual_id`).raw();
  for (const r of read.iterate(profileId) as Iterable<unknown[]>) {
    if ((++n & 0xffff) === 0) check();
    if (r[0] !== individual) {
      done();
      individual = r[0] as string | null;
      methods = [];
    }
    methods.push(methodInfo(r));
  }
  done();
  return out;
}

/**
 * These persons' displayed values picked again from their rows by the authority: after a
 * steward's decision on a conflict, whose chosen value (or none, reopened) goes on top when the
 * persons' conflicts are evaluated again (applyResolvedDisplay). Their records, clusters and
 * measures did not change, so nothing is read from the mirrors or joined again.
 */
export function redisplayPersons(db: Db, profileId: number, personIds: Iterable<string>, settings: IdentitySettings, now: string, check: () => void = () => {}): DisplayRecompute {
  const one = db.prepare(`SELECT ${READ.join(', ')} FROM persons WHERE profile_id = ? AND id = ?`).raw();
  // The chosen values go on when the persons' conflicts are evaluated next: checking here which
  // of them that evaluation keeps would parse each phone twice more (a bulk resolution of 49,000
  // phone conflicts at a million persons: 3.0-4.0 → 5.4-6.4 s for this step).
  const pick = displayPicker(db, profileId, settings, now, null, null);
  let read = 0;
  let n = 0;
  for (const id of personIds) {
    if (n++ % 1024 === 0) check();
    const row = one.get(profileId, id) as unknown[] | undefined;
    if (!row) continue;
    read++;
    pick(row);
  }
  return { read, written: pick.written };
}

/**
 * A row's displayed values picked again, and with `crmPhones` its CRM+ phones read again as well
 * (rows as READ lists their columns), with the chosen values of the person's resolved conflicts on
 * top where its evaluation keeps them (conflicts.ts: keptChoices); a row that then reads
 * differently is updated (and listed in `written`).
 */
function displayPicker(
  db: Db,
  profileId: number,
  settings: IdentitySettings,
  now: string,
  crmPhones: Map<string, string> | null,
  chosen: ReturnType<typeof chosenValues>,
): ((row: unknown[]) => void) & { written: string[] } {
  const region = settings.defaultPhoneRegion;
  const columns: string[] = crmPhones ? [...DISPLAY_COLUMNS, 'crm_phones_e164'] : [...DISPLAY_COLUMNS];
  const readAt = crmPhones ? [...DISPLAY_R, CRM_PHONES_R] : DISPLAY_R;
  const wholeAt = columns.map(at);
  const whole = db.prepare(`SELECT profile_id, ${PERSON_COLUMNS.join(', ')} FROM persons WHERE profile_id = ? AND id = ?`).raw();
  const updates = new Map<string, Statement>();
  const written: string[] = [];
  const pick = (row: unknown[]) => {
    const sides = {} as Record<(typeof SIDES)[number], string | null>;
    for (let k = 0; k < SIDES.length; k++) sides[SIDES[k]] = row[SIDE_R[k]] as string | null;
    // Asked only when no system has a name: the household's, else the donor's (read as the
    // join reads it; no record changed since the row was computed).
    const otherName = () => (row[CONTACT_NAME_R] as string | null) ?? donorName(db, profileId, row[DONOR_R] as string | null);
    let shown = pickDisplay(settings, sides, otherName);
    const phones = crmPhones ? (row[INDIVIDUAL_R] == null ? null : (crmPhones.get(row[INDIVIDUAL_R] as string) ?? null)) : row[CRM_PHONES_R];
    const kept = chosen && keptChoices(chosen.get(row[ID_R] as string), (c) => (c === 'crm_phones_e164' ? phones : row[READ_AT.get(c)!]), region);
    if (kept) shown = showChosen(shown, kept, region);
    const set: number[] = [];
    const values: unknown[] = [];
    for (let k = 0; k < columns.length; k++) {
      const v = k < DISPLAY_COLUMNS.length ? shown[DISPLAY_COLUMNS[k]] : phones;
      if (row[readAt[k]] === v) continue;
      set.push(k);
      values.push(v);
    }
    if (!set.length) return;
    const id = row[ID_R] as string;
    const full = whole.get(profileId, id) as unknown[];
    for (let j = 0; j < set.length; j++) full[wholeAt[set[j]]] = values[j];
    full[UPDATED] = now;
    const sig = set.join(',');
    let stmt = updates.get(sig);
    if (!stmt) {
      const cols = set.map((k) => `${columns[k]} = ?`).join(', ');
      updates.set(sig, (stmt = db.prepare(`UPDATE persons SET ${cols}, updated_at = ?, row_digest = ? WHERE profile_id = ? AND id = ?`)));
    }
    stmt.run(...values, now, personRowDigest(full), profileId, id);
    written.push(id);
  };
  return Object.assign(pick, { written });
}

function donorName(db: Db, profileId: number, donorId: string | null): string | null {
  if (!donorId) return null;
  const donor = loadNodes(db, profileId, [`raise:${donorId}`]).nodes.find((n) => n.kind === 'raise');
  return donor?.kind === 'raise' ? donor.name : null;
}
