/**
 * Drill-down from a finding to the joined person: through the active person link of the source
 * record, else the person row's own per-system column (the store may be mid-rebuild).
 */
import type { Db } from '../store/db';
import type { PersonRef } from './types';

const COLUMN: Record<PersonRef['source'], string> = {
  vomo: 'vomo_user_id',
  crm_contact: 'crm_contact_id',
  crm_individual: 'crm_individual_id',
  raise: 'raise_donor_id',
};

/** The refs that have an id (for FindingDraft.personRefs). */
export function refs(...list: ({ source: PersonRef['source']; id: string | null | undefined } | null)[]): PersonRef[] {
  return list.filter((r): r is PersonRef => !!r && !!r.id);
}

export function encodeRefs(list: PersonRef[] | undefined): string | null {
  return list?.length ? list.map((r) => `${r.source}:${r.id}`).join('|') : null;
}

export function decodeRefs(text: string | null): PersonRef[] {
  if (!text) return [];
  return text.split('|').flatMap((part) => {
    const i = part.indexOf(':');
    const source = part.slice(0, i) as PersonRef['source'];
    return i > 0 && source in COLUMN ? [{ source, id: part.slice(i + 1) }] : [];
  });
}

type Stmt = { get(...args: unknown[]): unknown };

export class PersonLookup {
  private readonly byLink: Stmt;
  private readonly byColumn: Record<string, Stmt>;
  private readonly cache = new Map<string, string | null>();
  constructor(
    db: Db,
    private readonly profileId: number,
  ) {
    this.byLink = db.prepare('SELECT person_id FROM person_links WHERE profile_id = ? AND source = ? AND source_id = ? AND active = 1 LIMIT 1').pluck();
    this.byColumn = Object.fromEntries(
      Object.entries(COLUMN).map(([k, col]) => [k, db.prepare(`SELECT id FROM persons WHERE profile_id = ? AND ${col} = ? LIMIT 1`).pluck()]),
    );
  }

  find(ref: PersonRef | null | undefined): string | null {
    if (!ref || !ref.id) return null;
    const key = `${ref.source}:${ref.id}`;
    if (this.cache.has(key)) return this.cache.get(key)!;
    let id = (this.byLink.get(this.profileId, ref.source, ref.id) as string | undefined) ?? null;
    if (!id && ref.source === 'crm_contact') {
      // Identity may link individuals only; any individual of the contact leads to a person of it.
      id = (this.byColumn.crm_contact!.get(this.profileId, ref.id) as string | undefined) ?? null;
    }
    if (!id) id = (this.byColumn[ref.source]!.get(this.profileId, ref.id) as string | undefined) ?? null;
    this.cache.set(key, id);
    return id;
  }

  first(list: PersonRef[] | undefined): string | null {
    for (const r of list ?? []) {
      const id = this.find(r);
      if (id) return id;
    }
    return null;
  }
}
