/**
 * Reading the live source records (the "nodes" the join clusters) from the mirrors.
 * A record with gone_at set is not live: it keeps its history (links, lineage) but joins nothing.
 */
import type { Db } from '../store/db';
import { normEmail } from './normalize';

export type NodeKind = 'vomo' | 'crm_individual' | 'crm_contact' | 'raise';

export interface ContactInfo {
  id: string;
  name: string | null;
  contactType: string | null;
  address1: string | null;
  city: string | null;
  state: string | null;
  postal: string | null;
  lifeToDateCents: number | null;
  lastGiftDate: string | null;
  url: string | null;
  modifiedAt: string | null;
}

export interface MethodInfo {
  kind: 'email' | 'phone';
  value: string | null;
  emailNorm: string | null;
  optedIn: number | null;
  primary: number;
}

interface NodeBase {
  key: string;
  id: string;
  emails: string[];
}
export interface VomoNode extends NodeBase {
  kind: 'vomo';
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  address: string | null;
  updatedAt: string | null;
  userStatus: string | null;
  membershipRole: string | null;
}
export interface CrmIndividualNode extends NodeBase {
  kind: 'crm_individual';
  contactId: string;
  contact: ContactInfo;
  firstName: string | null;
  lastName: string | null;
  isPrimary: number;
  methods: MethodInfo[];
}
export interface CrmContactNode extends NodeBase {
  kind: 'crm_contact';
  contactId: string;
  contact: ContactInfo;
}
export interface RaiseNode extends NodeBase {
  kind: 'raise';
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  name: string | null;
  phone: string | null;
  address1: string | null;
  city: string | null;
  state: string | null;
  postal: string | null;
  emailOptedIn: number | null;
  crmKey: string | null;
  modifiedAt: string | null;
  isOrganization: number | null;
}
export type IdNode = VomoNode | CrmIndividualNode | CrmContactNode | RaiseNode;

export function sourceKey(kind: NodeKind, id: string): string {
  return `${kind}:${id}`;
}
export function parseSourceKey(key: string): { source: NodeKind; id: string } {
  const i = key.indexOf(':');
  return { source: key.slice(0, i) as NodeKind, id: key.slice(i + 1) };
}

/**
 * Scope: undefined = every live record of the profile; otherwise only the listed source keys
 * (merge and undo recompute one or two persons). CRM+ contacts of scoped individuals come along.
 */
export function loadNodes(db: Db, profileId: number, scope?: string[]): { nodes: IdNode[]; contacts: Map<string, ContactInfo> } {
  let join = (src: string, col: string) => '';
  if (scope) {
    db.exec('CREATE TEMP TABLE IF NOT EXISTS identity_scope (source TEXT NOT NULL, source_id TEXT NOT NULL, PRIMARY KEY (source, source_id)) WITHOUT ROWID');
    db.exec('DELETE FROM temp.identity_scope');
    const ins = db.prepare('INSERT OR IGNORE INTO temp.identity_scope (source, source_id) VALUES (?, ?)');
    for (const k of scope) {
      const { source, id } = parseSourceKey(k);
      ins.run(source, id);
    }
    join = (src, col) => ` JOIN temp.identity_scope s ON s.source = '${src}' AND s.source_id = ${col}`;
  }
  const nodes: IdNode[] = [];

  const vomo = db
    .prepare(
      `SELECT u.id, u.email, u.email_norm, u.first_name, u.last_name, u.phone, u.address, u.updated_at, u.user_status, u.membership_role
       FROM vomo_users u${join('vomo', 'u.id')} WHERE u.profile_id = ? AND u.gone_at IS NULL ORDER BY u.id`,
    )
    .raw()
    .all(profileId) as unknown[][];
  for (const r of vomo) {
    const emailNorm = (r[2] as string | null) ?? null;
    nodes.push({
      kind: 'vomo',
      key: 'vomo:' + (r[0] as string),
      id: r[0] as string,
      emails: emailNorm ? [emailNorm] : [],
      email: r[1] as string | null,
      firstName: r[3] as string | null,
      lastName: r[4] as string | null,
      phone: r[5] as string | null,
      address: r[6] as string | null,
      updatedAt: r[7] as string | null,
      userStatus: r[8] as string | null,
      membershipRole: r[9] as string | null,
    });
  }

  // CRM+: contacts (live), their individuals, and the methods of those individuals.
  const contacts = new Map<string, ContactInfo>();
  const contactSql = scope
    ? `SELECT c.id, c.name, c.contact_type, c.address1, c.city, c.state, c.postal, c.life_to_date_giving_cents, c.last_gift_date, c.contact_view_url, c.modified_at
       FROM crm_contacts c WHERE c.profile_id = ? AND c.gone_at IS NULL AND (
         c.id IN (SELECT i.contact_id FROM crm_individuals i JOIN temp.identity_scope s ON s.source = 'crm_individual' AND s.source_id = i.id WHERE i.profile_id = c.profile_id)
         OR c.id IN (SELECT source_id FROM temp.identity_scope WHERE source = 'crm_contact'))`
    : `SELECT c.id, c.name, c.contact_type, c.address1, c.city, c.state, c.postal, c.life_to_date_giving_cents, c.last_gift_date, c.contact_view_url, c.modified_at
       FROM crm_contacts c WHERE c.profile_id = ? AND c.gone_at IS NULL`;
  for (const r of db.prepare(contactSql).raw().all(profileId) as unknown[][]) {
    contacts.set(r[0] as string, {
      id: r[0] as string,
      name: r[1] as string | null,
      contactType: r[2] as string | null,
      address1: r[3] as string | null,
      city: r[4] as string | null,
      state: r[5] as string | null,
      postal: r[6] as string | null,
      lifeToDateCents: r[7] as number | null,
      lastGiftDate: r[8] as string | null,
      url: r[9] as string | null,
      modifiedAt: r[10] as string | null,
    });
  }

  const individuals = new Map<string, CrmIndividualNode>();
  const contactsWithIndividuals = new Set<string>();
  const indSql = `SELECT i.id, i.contact_id, i.first_name, i.last_name, i.is_primary FROM crm_individuals i${join('crm_individual', 'i.id')}
     WHERE i.profile_id = ? ORDER BY i.id`;
  for (const r of db.prepare(indSql).raw().all(profileId) as unknown[][]) {
    const contact = contacts.get(r[1] as string);
    if (!contact) continue; // the household is gone (or out of scope)
    contactsWithIndividuals.add(contact.id);
    const node: CrmIndividualNode = {
      kind: 'crm_individual',
      key: 'crm_individual:' + (r[0] as string),
      id: r[0] as string,
      emails: [],
      contactId: contact.id,
      contact,
      firstName: r[2] as string | null,
      lastName: r[3] as string | null,
      isPrimary: (r[4] as number) ?? 0,
      methods: [],
    };
    individuals.set(node.id, node);
    nodes.push(node);
  }
  const methodSql = `SELECT m.individual_id, m.kind, m.value, m.email_norm, m.is_opted_in, m.is_primary, m.id FROM crm_contact_methods m${join('crm_individual', 'm.individual_id')}
     WHERE m.profile_id = ? AND m.kind IN ('email', 'phone')`;
  const touched: CrmIndividualNode[] = [];
  for (const r of db.prepare(methodSql).raw().all(profileId) as unknown[][]) {
    const ind = individuals.get(r[0] as string);
    if (!ind) continue;
    if (!ind.methods.length) touched.push(ind);
    ind.methods.push({ kind: r[1] as 'email' | 'phone', value: r[2] as string | null, emailNorm: r[3] as string | null, optedIn: r[4] as number | null, primary: r[5] as number, id: r[6] as string } as MethodInfo);
  }
  // Primary methods first, then by id (read unordered: sorting a few methods per individual beats sorting them all in SQL).
  for (const ind of touched) {
    if (ind.methods.length > 1) ind.methods.sort((a, b) => b.primary - a.primary || ((a as MethodInfo & { id: string }).id < (b as MethodInfo & { id: string }).id ? -1 : 1));
    for (const m of ind.methods) if (m.kind === 'email' && m.emailNorm && !ind.emails.includes(m.emailNorm)) ind.emails.push(m.emailNorm);
  }
  for (const c of contacts.values()) {
    if (contactsWithIndividuals.has(c.id)) continue;
    if (scope && !scope.includes('crm_contact:' + c.id)) continue;
    nodes.push({ kind: 'crm_contact', key: 'crm_contact:' + c.id, id: c.id, emails: [], contactId: c.id, contact: c });
  }

  const raiseSql = `SELECT d.id, d.email, d.email_norm, d.first_name, d.last_name, d.name, d.phone, d.address1, d.city, d.state, d.postal,
       d.email_opted_in, d.crm_key, d.modified_at, d.is_organization, json_extract(d.raw_json, '$.donorEmailAddresses') AS more
     FROM raise_donors d${join('raise', 'd.id')} WHERE d.profile_id = ? AND d.gone_at IS NULL AND COALESCE(d.is_test_mode, 0) = 0 ORDER BY d.id`;
  for (const r of db.prepare(raiseSql).raw().all(profileId) as unknown[][]) {
    const emailNorm = r[2] as string | null;
    const emails = emailNorm ? [emailNorm] : [];
    if (typeof r[15] === 'string') {
      // Raise also lists a donor's other addresses; each joins like the main one.
      try {
        for (const a of JSON.parse(r[15]) as { value?: unknown; isEmail?: boolean }[]) {
          if (a?.isEmail === false || typeof a?.value !== 'string') continue;
          const e = normEmail(a.value);
          if (e && e.includes('@') && !emails.includes(e)) emails.push(e);
        }
      } catch {
        /* not the shape we know: the main email still joins */
      }
    }
    const crmKey = r[12] == null ? null : String(r[12]).trim() || null;
    nodes.push({
      kind: 'raise',
      key: 'raise:' + (r[0] as string),
      id: r[0] as string,
      emails,
      email: r[1] as string | null,
      firstName: r[3] as string | null,
      lastName: r[4] as string | null,
      name: r[5] as string | null,
      phone: r[6] as string | null,
      address1: r[7] as string | null,
      city: r[8] as string | null,
      state: r[9] as string | null,
      postal: r[10] as string | null,
      emailOptedIn: r[11] as number | null,
      crmKey,
      modifiedAt: r[13] as string | null,
      isOrganization: r[14] as number | null,
    });
  }
  return { nodes, contacts };
}
