/**
 * The pre-create lookup against what Twofold already knows: the local CRM+ mirror (contacts,
 * their references and every email method, as of the last CRM+ sync) plus the contacts changed in
 * CRM+ since then, read with one query (`Last Modified Date` on or after the mirror's watermark,
 * pages of 1,000) and kept in `crm_push_lookups`, so opening the preview again spends nothing
 * while the mirror has not moved on.
 *
 * What the mirror cannot settle is a mirror that was never filled (no CRM+ contacts sync ever
 * completed): those persons are looked up one by one with `Find`, as before.
 */
import type { Db } from '../store/db';
import { crmContactsWatermark } from '../store/repos/syncHealth';
import { parseContact } from '../connectors/crm/schemas';
import { CRM_MODIFIED_PARAMETER, modifiedQueryBody } from '../connectors/crm/paging';
import type { CrmClient } from '../connectors/crm/client';
import type { FoundContact } from './crmApi';

/** One CRM+ contact as the lookup needs it. */
export interface KnownContact {
  id: string;
  name: string | null;
  mergedIntoContactId: string | null;
  /** [individual id, is primary] */
  individuals: [string, boolean][];
  /** [normalized email, individual id] */
  emails: [string, string][];
  /** [source, id] */
  references: [string, string][];
}

export interface Delta {
  basis: string;
  since: string;
  checkedAt: string;
  contacts: KnownContact[];
}

const PAGE = 1000;

function toKnown(raw: unknown): KnownContact | null {
  const p = parseContact(raw);
  if (!p.ok) return null;
  const c = p.value;
  return {
    id: c.contact.id,
    name: c.contact.name,
    mergedIntoContactId: c.contact.merged_into_contact_id,
    individuals: c.individuals.map((i) => [i.id, i.is_primary === 1] as [string, boolean]),
    emails: c.methods.filter((m) => m.kind === 'email' && m.email_norm).map((m) => [m.email_norm!, m.individual_id] as [string, string]),
    references: c.references.map((r) => [r.source, r.ref_id] as [string, string]),
  };
}

function found(c: KnownContact, email: string | null): FoundContact {
  const norm = email?.trim().toLowerCase() ?? null;
  const byEmail = norm ? c.emails.find(([e]) => e === norm)?.[1] : undefined;
  const primary = c.individuals.find(([, p]) => p)?.[0] ?? c.individuals[0]?.[0] ?? null;
  return {
    id: c.id,
    name: c.name,
    mergedIntoContactId: c.mergedIntoContactId,
    individualId: byEmail ?? primary,
    emails: [...new Set(c.emails.map(([e]) => e))],
    references: c.references.map(([source, id]) => ({ source, id })),
  };
}

export class MirrorMatcher {
  private readonly byRefStmt;
  private readonly byEmailStmt;
  private readonly contactStmt;
  private readonly individualsStmt;
  private readonly emailsStmt;
  private readonly refsStmt;
  private deltaById = new Map<string, KnownContact>();

  constructor(
    private readonly db: Db,
    private readonly profileId: number,
  ) {
    this.byRefStmt = db
      .prepare(
        `SELECT r.contact_id FROM crm_contact_references r JOIN crm_contacts c ON c.profile_id = r.profile_id AND c.id = r.contact_id
          WHERE r.profile_id = ? AND r.source = ? AND r.ref_id = ? AND c.gone_at IS NULL`,
      )
      .pluck();
    this.byEmailStmt = db
      .prepare(
        `SELECT m.contact_id FROM crm_contact_methods m JOIN crm_contacts c ON c.profile_id = m.profile_id AND c.id = m.contact_id
          WHERE m.profile_id = ? AND m.email_norm = ? AND c.gone_at IS NULL`,
      )
      .pluck();
    this.contactStmt = db.prepare('SELECT id, name, merged_into_contact_id FROM crm_contacts WHERE profile_id = ? AND id = ?');
    this.individualsStmt = db.prepare('SELECT id, is_primary FROM crm_individuals WHERE profile_id = ? AND contact_id = ? ORDER BY is_primary DESC, id');
    this.emailsStmt = db.prepare('SELECT email_norm, individual_id FROM crm_contact_methods WHERE profile_id = ? AND contact_id = ? AND email_norm IS NOT NULL');
    this.refsStmt = db.prepare('SELECT source, ref_id FROM crm_contact_references WHERE profile_id = ? AND contact_id = ?');
  }

  /** The mirror's watermark: null when no CRM+ contacts sync ever completed (the mirror knows nothing). */
  basis(): string | null {
    return crmContactsWatermark(this.db, this.profileId);
  }

  /** The changed-since answer kept from an earlier preview, if the mirror is where it was and it is fresh enough. */
  cachedDelta(maxAgeMs: number, now = Date.now()): Delta | null {
    const basis = this.basis();
    const r = this.db.prepare('SELECT basis, since, checked_at, contacts_json FROM crm_push_lookups WHERE profile_id = ?').get(this.profileId) as
      | { basis: string; since: string; checked_at: string; contacts_json: string }
      | undefined;
    if (!r || r.basis !== basis || now - Date.parse(r.checked_at) > maxAgeMs) return null;
    try {
      return { basis: r.basis, since: r.since, checkedAt: r.checked_at, contacts: JSON.parse(r.contacts_json) as KnownContact[] };
    } catch {
      return null;
    }
  }

  /**
   * Reads the contacts changed since the mirror's watermark (its whole day: CRM+ filters by
   * date), `onPage` told each page's total so a longer answer is announced before it is spent.
   */
  async fetchDelta(client: CrmClient, signal: AbortSignal | undefined, onTotal: (pages: number) => void): Promise<Delta> {
    const basis = this.basis()!;
    const since = basis.slice(0, 10);
    const body = modifiedQueryBody(since, { parameter: CRM_MODIFIED_PARAMETER, sortBy: CRM_MODIFIED_PARAMETER });
    const contacts: KnownContact[] = [];
    let skip = 0;
    for (;;) {
      const page = await client.queryFullContacts(body, skip, PAGE, signal);
      if (skip === 0 && page.total !== null) onTotal(Math.max(1, Math.ceil(page.total / PAGE)));
      for (const raw of page.list) {
        const k = toKnown(raw);
        if (k) contacts.push(k);
      }
      skip += page.list.length;
      if (page.list.length < PAGE || (page.total !== null && skip >= page.total)) break;
    }
    const delta: Delta = { basis, since, checkedAt: new Date().toISOString(), contacts };
    this.db
      .prepare(
        `INSERT INTO crm_push_lookups (profile_id, basis, since, checked_at, contacts_json) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (profile_id) DO UPDATE SET basis = excluded.basis, since = excluded.since, checked_at = excluded.checked_at, contacts_json = excluded.contacts_json`,
      )
      .run(this.profileId, delta.basis, delta.since, delta.checkedAt, JSON.stringify(contacts));
    return delta;
  }

  useDelta(delta: Delta | null): void {
    this.deltaById = new Map((delta?.contacts ?? []).map((c) => [c.id, c]));
  }

  /** A contact carrying this reference pair: the changed contacts first, then the mirror (skipping contacts that changed). */
  byReference(source: string, id: string): FoundContact | null {
    for (const c of this.deltaById.values()) if (c.references.some(([s, r]) => s === source && r === id)) return found(c, null);
    const ids = (this.byRefStmt.all(this.profileId, source, id) as string[]).filter((cid) => !this.deltaById.has(cid));
    return this.first(ids, null);
  }

  /** A contact with this email on any individual's email method. */
  byEmail(email: string): FoundContact | null {
    const norm = email.trim().toLowerCase();
    if (!norm) return null;
    for (const c of this.deltaById.values()) if (c.emails.some(([e]) => e === norm)) return found(c, norm);
    const ids = (this.byEmailStmt.all(this.profileId, norm) as string[]).filter((cid) => !this.deltaById.has(cid));
    return this.first(ids, norm);
  }

  private first(ids: string[], email: string | null): FoundContact | null {
    if (!ids.length) return null;
    const id = [...new Set(ids)].sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : 1))[0]!;
    const c = this.contactStmt.get(this.profileId, id) as { id: string; name: string | null; merged_into_contact_id: string | null } | undefined;
    if (!c) return null;
    return found(
      {
        id: c.id,
        name: c.name,
        mergedIntoContactId: c.merged_into_contact_id,
        individuals: (this.individualsStmt.all(this.profileId, id) as { id: string; is_primary: number }[]).map((i) => [i.id, i.is_primary === 1]),
        emails: (this.emailsStmt.all(this.profileId, id) as { email_norm: string; individual_id: string }[]).map((e) => [e.email_norm, e.individual_id]),
        references: (this.refsStmt.all(this.profileId, id) as { source: string; ref_id: string }[]).map((r) => [r.source, r.ref_id]),
      },
      email,
    );
  }
}
