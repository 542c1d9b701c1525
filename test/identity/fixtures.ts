/** Hand-built mirror rows for identity tests: each scenario of issue 5 in a few lines. */
import type { Db } from '../../src-main/store/db';
import { tempCore } from '../helpers/tempCore';
import { PERSON_COLUMNS, personRowDigest } from '../../src-main/identity/personRow';
import { loadJoinNodes } from '../../src-main/identity/nodes';

export const T0 = '2026-01-01T00:00:00.000Z';

export function identityCore() {
  const core = tempCore();
  const profile = core.profiles.insert({ name: 'Test org', vomoUrl: null, crmUrl: null, raiseUrl: null } as never);
  return { core, profileId: profile.id, m: new Mirrors(core.db, profile.id) };
}

export interface IndividualSpec {
  id: string;
  first?: string | null;
  last?: string | null;
  primary?: boolean;
  emails?: string[];
  phones?: string[];
  optedIn?: boolean;
}

export class Mirrors {
  constructor(
    readonly db: Db,
    readonly profileId: number,
  ) {}

  vomoUser(u: { id: string; email?: string | null; first?: string | null; last?: string | null; phone?: string | null; address?: string | null; updatedAt?: string; gone?: boolean }) {
    const email = u.email ?? null;
    this.db
      .prepare(
        `INSERT INTO vomo_users (profile_id, id, email, email_norm, first_name, last_name, full_name, phone, address, updated_at, raw_json, first_synced_at, last_synced_at, gone_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, ?)
         ON CONFLICT (profile_id, id) DO UPDATE SET email = excluded.email, email_norm = excluded.email_norm, first_name = excluded.first_name,
           last_name = excluded.last_name, phone = excluded.phone, address = excluded.address, updated_at = excluded.updated_at, gone_at = excluded.gone_at`,
      )
      .run(this.profileId, u.id, email, email ? email.trim().toLowerCase() : null, u.first ?? null, u.last ?? null, [u.first, u.last].filter(Boolean).join(' '), u.phone ?? null, u.address ?? null, u.updatedAt ?? T0, T0, T0, u.gone ? T0 : null);
    return this;
  }

  participation(p: { userId: string; id: string; hours: number; verified?: boolean | null; at?: string }) {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO vomo_participations (profile_id, user_id, id, project_name, hours, signed_up_at, checked_in_at, checked_out_at, verified, raw_json, last_synced_at)
         VALUES (?, ?, ?, 'Food bank', ?, ?, ?, ?, ?, '{}', ?)`,
      )
      .run(this.profileId, p.userId, p.id, p.hours, p.at ?? T0, p.at ?? T0, p.at ?? T0, p.verified === undefined ? 1 : p.verified === null ? null : p.verified ? 1 : 0, T0);
    return this;
  }

  crmContact(c: {
    id: string;
    name?: string;
    type?: string;
    postal?: string | null;
    address1?: string | null;
    lifeToDateCents?: number | null;
    lastGiftDate?: string | null;
    individuals?: IndividualSpec[];
    references?: { source: string; id: string }[];
    gone?: boolean;
  }) {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO crm_contacts (profile_id, id, contact_type, name, address1, city, state, postal, life_to_date_giving_cents, last_gift_date, contact_view_url, raw_json, first_synced_at, last_synced_at, gone_at)
         VALUES (?, ?, ?, ?, ?, 'Springfield', 'IL', ?, ?, ?, ?, '{}', ?, ?, ?)`,
      )
      .run(this.profileId, c.id, c.type ?? 'Household', c.name ?? `Contact ${c.id}`, c.address1 ?? null, c.postal ?? null, c.lifeToDateCents ?? null, c.lastGiftDate ?? null, `https://crm.example/contact/${c.id}`, T0, T0, c.gone ? T0 : null);
    this.db.prepare(`DELETE FROM crm_contact_methods WHERE profile_id = ? AND contact_id = ?`).run(this.profileId, c.id);
    this.db.prepare(`DELETE FROM crm_individuals WHERE profile_id = ? AND contact_id = ?`).run(this.profileId, c.id);
    for (const i of c.individuals ?? []) {
      this.db
        .prepare(`INSERT INTO crm_individuals (profile_id, id, contact_id, first_name, last_name, is_primary) VALUES (?, ?, ?, ?, ?, ?)`)
        .run(this.profileId, i.id, c.id, i.first ?? null, i.last ?? null, i.primary ? 1 : 0);
      let k = 0;
      for (const e of i.emails ?? []) {
        this.db
          .prepare(`INSERT INTO crm_contact_methods (profile_id, id, contact_id, individual_id, type, kind, value, email_norm, is_opted_in, is_primary) VALUES (?, ?, ?, ?, 'Home Email', 'email', ?, ?, ?, ?)`)
          .run(this.profileId, `${i.id}-e${k}`, c.id, i.id, e, e.trim().toLowerCase(), i.optedIn === false ? 0 : 1, k === 0 ? 1 : 0);
        k++;
      }
      for (const p of i.phones ?? []) {
        this.db
          .prepare(`INSERT INTO crm_contact_methods (profile_id, id, contact_id, individual_id, type, kind, value, is_opted_in, is_primary) VALUES (?, ?, ?, ?, 'Home Phone', 'phone', ?, 1, ?)`)
          .run(this.profileId, `${i.id}-p${k}`, c.id, i.id, p, k === 0 ? 1 : 0);
        k++;
      }
    }
    for (const r of c.references ?? []) {
      this.db.prepare(`INSERT OR IGNORE INTO crm_contact_references (profile_id, contact_id, source, ref_id) VALUES (?, ?, ?, ?)`).run(this.profileId, c.id, r.source, r.id);
    }
    return this;
  }

  /** `fromRaise`: the Raise gift id this CRM+ gift is the platform sync's copy of. */
  crmGift(g: { id: string; contactId: string; amountCents: number; date: string; fromRaise?: string }) {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO crm_gifts (profile_id, id, contact_id, gift_date, amount_cents, transaction_source, transaction_id, raw_json, first_synced_at, last_synced_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, '{}', ?, ?)`,
      )
      .run(this.profileId, g.id, g.contactId, g.date, g.amountCents, g.fromRaise ? 'Raise' : null, g.fromRaise ?? null, T0, T0);
    return this;
  }

  raiseDonor(d: { id: string; email?: string | null; first?: string | null; last?: string | null; phone?: string | null; crmKey?: string | null; postal?: string | null; gone?: boolean }) {
    const email = d.email ?? null;
    this.db
      .prepare(
        `INSERT OR REPLACE INTO raise_donors (profile_id, id, first_name, last_name, name, email, email_norm, phone, postal, crm_key, is_test_mode, raw_json, first_synced_at, last_synced_at, gone_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '{}', ?, ?, ?)`,
      )
      .run(this.profileId, d.id, d.first ?? null, d.last ?? null, [d.first, d.last].filter(Boolean).join(' '), email, email ? email.trim().toLowerCase() : null, d.phone ?? null, d.postal ?? null, d.crmKey ?? null, T0, T0, d.gone ? T0 : null);
    return this;
  }

  raiseGift(g: { id: string; donorId: string; amountCents: number; date: string; status?: string }) {
    this.db
      .prepare(`INSERT OR REPLACE INTO raise_gifts (profile_id, id, donor_id, amount_cents, gift_date, status_text, raw_json, first_synced_at, last_synced_at) VALUES (?, ?, ?, ?, ?, ?, '{}', ?, ?)`)
      .run(this.profileId, g.id, g.donorId, g.amountCents, g.date, g.status ?? 'Success', T0, T0);
    return this;
  }
  /**
   * A record changed and changed back between two rebuilds: marked (the mirrors' triggers mark
   * a write that changes a row) though it reads as before, so the next rebuild reads it again, and
   * a new setting then joins everyone.
   */
  touch(source: 'vomo' | 'crm_individual' | 'crm_contact' | 'raise', id: string) {
    this.db.prepare(`INSERT OR IGNORE INTO identity_dirty (profile_id, source, source_id) VALUES (?, ?, ?)`).run(this.profileId, source, id);
    return this;
  }
}

/** The person a source record is linked to now. */
export function personOf(db: Db, profileId: number, source: string, id: string): string | undefined {
  return (db.prepare(`SELECT person_id FROM person_links WHERE profile_id = ? AND source = ? AND source_id = ? AND active = 1`).get(profileId, source, id) as { person_id: string } | undefined)
    ?.person_id;
}

export function personRow(db: Db, profileId: number, id: string): Record<string, unknown> {
  return db.prepare(`SELECT * FROM persons WHERE profile_id = ? AND id = ?`).get(profileId, id) as Record<string, unknown>;
}

/** Everything a rebuild decides, without the times it stamps. */
export function storeSnapshot(db: Db, profileId: number) {
  const persons = (db.prepare(`SELECT * FROM persons WHERE profile_id = ? ORDER BY id`).all(profileId) as Record<string, unknown>[]).map((r) => {
    const { updated_at: _u, identity_hash: _h, row_digest: _d, ...rest } = r;
    return rest;
  });
  // A row digest that no longer says what its row says would let a rebuild skip a row that must
  // change: every one left must match (a store built any way has none).
  const staleRowDigests = (
    db.prepare(`SELECT profile_id, ${PERSON_COLUMNS.join(', ')}, row_digest FROM persons WHERE profile_id = ? AND row_digest IS NOT NULL ORDER BY id`).raw().all(profileId) as unknown[][]
  )
    .filter((v) => personRowDigest(v.slice(0, -1)) !== v[v.length - 1])
    .map((v) => v[1]);
  const links = db
    .prepare(`SELECT source, source_id, person_id, email_at_link, how, match_card_json, active FROM person_links WHERE profile_id = ? ORDER BY source, source_id, person_id`)
    .all(profileId);
  const findings = db.prepare(`SELECT kind, source, source_id, person_id, detail_json FROM identity_findings WHERE profile_id = ? ORDER BY kind, source, source_id`).all(profileId);
  const conflicts = db.prepare(`SELECT person_id, field, vomo_value, crm_value, authority, status, active FROM conflicts WHERE profile_id = ? ORDER BY person_id, field`).all(profileId);
  const candidates = db
    .prepare(`SELECT person_a, person_b, key_a, key_b, kind, score, evidence_json, status FROM split_candidates WHERE profile_id = ? ORDER BY person_a, person_b`)
    .all(profileId);
  // The node cache the rebuild kept up from the mirror triggers' marks: what a full read gives.
  const nodes = db.prepare(`SELECT rank, source_id, digest, emails, first_name, contact_id, is_primary, crm_key, name FROM identity_nodes WHERE profile_id = ? ORDER BY rank, source_id`).all(profileId);
  const nodeEmails = db.prepare(`SELECT email, rank, source_id FROM identity_node_emails WHERE profile_id = ? ORDER BY email, rank, source_id`).all(profileId);
  // The fields kept for the next recompute of every person: each one kept under its record's
  // current digest reads as the mirrors do now (older ones are read again by that recompute), and
  // none is kept for a record the cache no longer lists.
  const mirror = loadJoinNodes(db, profileId, true);
  const fromMirror = new Map(mirror.nodes.map((n, i) => [n.key, mirror.fieldsText!(i)]));
  const kind = ['vomo', 'crm_individual', 'crm_contact', 'raise'];
  const nodeFieldsWrong = (
    db
      .prepare(
        `SELECT f.rank, f.source_id, f.fields FROM identity_node_fields f JOIN identity_nodes n ON n.profile_id = f.profile_id AND n.rank = f.rank AND n.source_id = f.source_id
         WHERE f.profile_id = ? AND f.digest = n.digest ORDER BY f.rank, f.source_id`,
      )
      .raw()
      .all(profileId) as [number, string, string][]
  )
    .filter(([rank, id, text]) => fromMirror.get(`${kind[rank]}:${id}`) !== text)
    .map(([rank, id]) => `${kind[rank]}:${id}`);
  const nodeFieldsOrphaned = db
    .prepare(
      `SELECT f.rank || ':' || f.source_id FROM identity_node_fields f WHERE f.profile_id = ?
       AND NOT EXISTS (SELECT 1 FROM identity_nodes n WHERE n.profile_id = f.profile_id AND n.rank = f.rank AND n.source_id = f.source_id)`,
    )
    .pluck()
    .all(profileId);
  // Every address each record has shown, current or not, and since when (a rebuild that missed
  // a readdressed record would leave its old address current or its new one missing).
  const lineage = db
    .prepare(`SELECT source, source_id, email_norm, email, first_seen_at, is_current FROM email_lineage WHERE profile_id = ? ORDER BY source, source_id, email_norm`)
    .all(profileId);
  return { persons, staleRowDigests, links, findings, conflicts, candidates, nodes, nodeEmails, nodeFieldsWrong, nodeFieldsOrphaned, lineage };
}
