/**
 * A new field authority when nothing else changed since the last rebuild (no other setting, no
 * record marked, no decision): the only columns an authority decides are what a person displays
 * (pickDisplay), and every value it picks among is in the person's own row (each system's first
 * and last name, email and phone). So the persons in two or more systems get their displayed
 * values picked again from their rows, and nothing is read from the mirrors, joined, claimed or
 * linked again: their clusters, inputs (identity_hash), links and measures cannot have changed.
 * A row that reads differently is updated as the join updates one (only the columns that differ,
 * updated_at, its row digest); the later steps look at those persons (joinBuilder.ts says how).
 *
 * At a million persons the join of everyone did this in 22-30 s (in process); see the README.
 */
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import type { Db } from '../store/db';
import type { IdentitySettings } from '../../src-shared/domain/identity';
import { DISPLAY_COLUMNS, PERSON_COLUMNS, personRowDigest, pickDisplay, type DisplaySides } from './personRow';
import { loadNodes } from './nodes';

/** Rows read per query: the loop writes between pages, which a statement still iterating would forbid. */
const PAGE = 4096;

const at = (c: string) => PERSON_COLUMNS.indexOf(c as (typeof PERSON_COLUMNS)[number]) + 1; // in personValues' layout
const ID = at('id');
const UPDATED = at('updated_at');
const CONTACT_NAME = at('crm_contact_name');
const DONOR = at('raise_donor_id');
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
const SIDE_AT = SIDES.map(at);
const DISPLAY_AT = DISPLAY_COLUMNS.map(at);

export interface DisplayRecompute {
  /** Persons in two or more systems: those whose displayed values were picked again. */
  read: number;
  /** Persons whose rows then read differently, and were updated. */
  written: string[];
}

export function recomputeDisplays(db: Db, profileId: number, settings: IdentitySettings, now: string, check: () => void = () => {}): DisplayRecompute {
  const page = db
    .prepare(
      `SELECT profile_id, ${PERSON_COLUMNS.join(', ')} FROM persons
        WHERE profile_id = @p AND id > @after AND has_vomo + has_crm + has_raise >= 2 ORDER BY id LIMIT ${PAGE}`,
    )
    .raw();
  const pick = displayPicker(db, profileId, settings, now);
  let read = 0;
  let after = '';
  for (;;) {
    check();
    const rows = page.all({ p: profileId, after }) as unknown[][];
    if (!rows.length) break;
    after = rows[rows.length - 1][ID] as string;
    read += rows.length;
    for (const row of rows) pick(row);
  }
  return { read, written: pick.written };
}

/**
 * These persons' displayed values picked again from their rows by the authority: after a
 * steward's decision on a conflict, whose chosen value (or none, reopened) goes on top when the
 * persons' conflicts are evaluated again (applyResolvedDisplay). Their records, clusters and
 * measures did not change, so nothing is read from the mirrors or joined again.
 */
export function redisplayPersons(db: Db, profileId: number, personIds: Iterable<string>, settings: IdentitySettings, now: string, check: () => void = () => {}): DisplayRecompute {
  const one = db.prepare(`SELECT profile_id, ${PERSON_COLUMNS.join(', ')} FROM persons WHERE profile_id = ? AND id = ?`).raw();
  const pick = displayPicker(db, profileId, settings, now);
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

/** A row's displayed values picked again; a row that then reads differently is updated (and listed in `written`). */
function displayPicker(db: Db, profileId: number, settings: IdentitySettings, now: string): ((row: unknown[]) => void) & { written: string[] } {
  const updates = new Map<string, Statement>();
  const written: string[] = [];
  const pick = (row: unknown[]) => {
    const sides = {} as Record<(typeof SIDES)[number], string | null>;
    for (let k = 0; k < SIDES.length; k++) sides[SIDES[k]] = row[SIDE_AT[k]] as string | null;
    // Asked only when no system has a name: the household's, else the donor's (read as the
    // join reads it; no record changed since the row was computed).
    const otherName = () => (row[CONTACT_NAME] as string | null) ?? donorName(db, profileId, row[DONOR] as string | null);
    const shown = pickDisplay(settings, sides, otherName);
    const set: number[] = [];
    for (let k = 0; k < DISPLAY_COLUMNS.length; k++) {
      const v = shown[DISPLAY_COLUMNS[k]];
      if (row[DISPLAY_AT[k]] === v) continue;
      row[DISPLAY_AT[k]] = v;
      set.push(k);
    }
    if (!set.length) return;
    row[UPDATED] = now;
    const sig = set.join(',');
    let stmt = updates.get(sig);
    if (!stmt) {
      const cols = set.map((k) => `${DISPLAY_COLUMNS[k]} = ?`).join(', ');
      updates.set(sig, (stmt = db.prepare(`UPDATE persons SET ${cols}, updated_at = ?, row_digest = ? WHERE profile_id = ? AND id = ?`)));
    }
    stmt.run(...set.map((k) => row[DISPLAY_AT[k]]), now, personRowDigest(row), profileId, row[ID]);
    written.push(row[ID] as string);
  };
  return Object.assign(pick, { written });
}

function donorName(db: Db, profileId: number, donorId: string | null): string | null {
  if (!donorId) return null;
  const donor = loadNodes(db, profileId, [`raise:${donorId}`]).nodes.find((n) => n.kind === 'raise');
  return donor?.kind === 'raise' ? donor.name : null;
}
