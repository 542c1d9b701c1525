/**
 * Reading the live source records (the "nodes" the join clusters) from the mirrors.
 * A record with gone_at set is not live: it keeps its history (links, lineage) but joins nothing.
 */
import type { Db } from '../store/db';
import { normEmail } from './normalize';
import { digest52 } from './digest';
import { MEASURE_INPUTS } from './measures';
import type { GiftInputs, RaiseInputs, VomoInputs } from './personMeasures';
import { fillRecordScope } from './scopeTables';
import { joinNode } from './joinNodes';
import { pageQueries } from './mirrorPages';
import type { MirrorReader } from './mirrorReader';

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
  /** Its live gifts (MEASURE_INPUTS.crmContact). */
  gifts: GiftInputs | null;
}

export interface MethodInfo {
  id: string;
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
  /** Its participations (MEASURE_INPUTS.vomo). */
  inputs: VomoInputs | null;
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
  /** Its counted gifts (MEASURE_INPUTS.raise). */
  inputs: RaiseInputs | null;
}
export type IdNode = VomoNode | CrmIndividualNode | CrmContactNode | RaiseNode;

export function sourceKey(kind: NodeKind, id: string): string {
  return `${kind}:${id}`;
}
export function parseSourceKey(key: string): { source: NodeKind; id: string } {
  const i = key.indexOf(':');
  return { source: key.slice(0, i) as NodeKind, id: key.slice(i + 1) };
}

/** The join-relevant part of a record: enough to cluster, claim person IDs and write links. */
export type JoinNode =
  | { kind: 'vomo'; key: string; id: string; emails: string[]; firstName: string | null }
  | { kind: 'crm_individual'; key: string; id: string; emails: string[]; contactId: string; firstName: string | null; isPrimary: number }
  | { kind: 'crm_contact'; key: string; id: string; emails: string[]; contactId: string; contact: { name: string | null } }
  | { kind: 'raise'; key: string; id: string; emails: string[]; firstName: string | null; crmKey: string | null };

/**
 * The layout of a record's digest and of what the node cache keeps (join fields, and the fields
 * text of identity_node_fields since 5): bump it when the column lists below, what loadJoinNodes
 * digests or the fields text change, so every cache is rebuilt from the mirrors (and the mirror
 * triggers in changeTracking.ts must then track the new columns too).
 */
export const RECORD_DIGEST_VERSION = 5;

// The columns of each record, in the order the builders below read them. Both loaders select
// exactly these (loadJoinNodes packed into one JSON array per row), so a record reads the same
// whichever loader produced it.
export const VOMO_COLS = `u.id, u.email, u.email_norm, u.first_name, u.last_name, u.phone, u.address, u.updated_at, u.user_status, u.membership_role`;
export const CONTACT_COLS = `c.id, c.name, c.contact_type, c.address1, c.city, c.state, c.postal, c.life_to_date_giving_cents, c.last_gift_date, c.contact_view_url, c.modified_at`;
export const IND_COLS = `i.id, i.contact_id, i.first_name, i.last_name, i.is_primary`;
export const METHOD_COLS = `m.individual_id, m.kind, m.value, m.email_norm, m.is_opted_in, m.is_primary, m.id`;
// `|| ''` drops the JSON subtype: json_array() then embeds the addresses as text, as a plain SELECT returns them.
export const RAISE_COLS = `d.id, d.email, d.email_norm, d.first_name, d.last_name, d.name, d.phone, d.address1, d.city, d.state, d.postal,
  d.email_opted_in, d.crm_key, d.modified_at, d.is_organization, json_extract(d.raw_json, '$.donorEmailAddresses') || ''`;
/**
 * A contact's references (its links to VOMO users and Raise donors, which split detection reads),
 * as a correlated subquery on the contact's alias: part of its digest, so a reference added to
 * an otherwise unchanged contact recomputes its persons and puts them in split detection's scope.
 */
export const CONTACT_REFERENCES = (c: string) =>
  `SELECT group_concat(r.source || char(31) || r.ref_id, char(30) ORDER BY r.source, r.ref_id)
   FROM crm_contact_references r WHERE r.profile_id = ${c}.profile_id AND r.contact_id = ${c}.id`;
export const RAISE_LIVE = `d.gone_at IS NULL AND COALESCE(d.is_test_mode, 0) = 0`;

/**
 * The FROM clause of a mirror read (profile bound as @p): the whole table, or only the records
 * temp.identity_scope lists, driven from the scope (CROSS JOIN fixes the loop order) so a scoped
 * read costs key lookups, not a table scan.
 */
function recordsFrom(scoped: boolean, table: string, alias: string, src: NodeKind): string {
  return scoped ? `temp.identity_scope s CROSS JOIN ${table} ${alias} ON s.source = '${src}' AND ${alias}.profile_id = @p AND ${alias}.id = s.source_id` : `${table} ${alias}`;
}

type Row = unknown[];
const str = (v: unknown) => v as string | null;

/** Measure inputs as SQLite packs them (a JSON array, as text or already parsed), or null. */
function inputsOf<T>(json: unknown): T | null {
  return typeof json === 'string' ? (JSON.parse(json) as T) : Array.isArray(json) ? (json as T) : null;
}

function vomoNode(r: Row, inputs: unknown): VomoNode {
  const emailNorm = str(r[2]);
  return {
    kind: 'vomo',
    key: 'vomo:' + (r[0] as string),
    id: r[0] as string,
    emails: emailNorm ? [emailNorm] : [],
    email: str(r[1]),
    firstName: str(r[3]),
    lastName: str(r[4]),
    phone: str(r[5]),
    address: str(r[6]),
    updatedAt: str(r[7]),
    userStatus: str(r[8]),
    membershipRole: str(r[9]),
    inputs: inputsOf<VomoInputs>(inputs),
  };
}

function contactInfo(r: Row, gifts: unknown): ContactInfo {
  return {
    id: r[0] as string,
    name: str(r[1]),
    contactType: str(r[2]),
    address1: str(r[3]),
    city: str(r[4]),
    state: str(r[5]),
    postal: str(r[6]),
    lifeToDateCents: r[7] as number | null,
    lastGiftDate: str(r[8]),
    url: str(r[9]),
    modifiedAt: str(r[10]),
    gifts: inputsOf<GiftInputs>(gifts),
  };
}

function individualNode(r: Row, contact: ContactInfo): CrmIndividualNode {
  return {
    kind: 'crm_individual',
    key: 'crm_individual:' + (r[0] as string),
    id: r[0] as string,
    emails: [],
    contactId: contact.id,
    contact,
    firstName: str(r[2]),
    lastName: str(r[3]),
    isPrimary: (r[4] as number) ?? 0,
    methods: [],
  };
}

export const methodInfo = (r: Row): MethodInfo => ({
  kind: r[1] as 'email' | 'phone',
  value: str(r[2]),
  emailNorm: str(r[3]),
  optedIn: r[4] as number | null,
  primary: r[5] as number,
  id: r[6] as string,
});

/** Methods in order: primary first, then by id (read unordered: sorting a few per individual beats sorting them all in SQL). */
export function sortMethods(methods: MethodInfo[]): void {
  if (methods.length > 1) methods.sort((a, b) => b.primary - a.primary || (a.id < b.id ? -1 : 1));
}

/** An individual's join emails: its email methods' addresses in method order, each once. */
function emailsOf(methods: MethodInfo[]): string[] {
  return uniqueNonEmpty(methods.map((m) => (m.kind === 'email' ? m.emailNorm : null)));
}

function uniqueNonEmpty(values: (string | null)[]): string[] {
  const out: string[] = [];
  for (const v of values) if (v && !out.includes(v)) out.push(v);
  return out;
}

function finishIndividual(ind: CrmIndividualNode): void {
  sortMethods(ind.methods);
  ind.emails = emailsOf(ind.methods);
}

/** A Raise donor's addresses: the main one, then the other addresses Raise lists (each joins like the main one). */
function raiseEmails(emailNorm: string | null, more: unknown): string[] {
  const emails = emailNorm ? [emailNorm] : [];
  if (typeof more === 'string' && more !== '') {
    try {
      for (const a of JSON.parse(more) as { value?: unknown; isEmail?: boolean }[]) {
        if (a?.isEmail === false || typeof a?.value !== 'string') continue;
        const e = normEmail(a.value);
        if (e && e.includes('@') && !emails.includes(e)) emails.push(e);
      }
    } catch {
      /* not the shape we know: the main email still joins */
    }
  }
  return emails;
}

/**
 * A string of its own. V8 lets a slice of 13 characters or more share its parent's characters, so
 * a join email cut from the row that carries an individual's methods would keep that whole text
 * alive with the node for the rest of the join (~110 MB at a million persons).
 */
const ownString = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

const crmKeyOf = (v: unknown): string | null => (v == null ? null : String(v).trim() || null);

function raiseNode(r: Row, inputs: unknown): RaiseNode {
  return {
    kind: 'raise',
    key: 'raise:' + (r[0] as string),
    id: r[0] as string,
    emails: raiseEmails(str(r[2]), r[15]),
    email: str(r[1]),
    firstName: str(r[3]),
    lastName: str(r[4]),
    name: str(r[5]),
    phone: str(r[6]),
    address1: str(r[7]),
    city: str(r[8]),
    state: str(r[9]),
    postal: str(r[10]),
    emailOptedIn: r[11] as number | null,
    crmKey: crmKeyOf(r[12]),
    modifiedAt: str(r[13]),
    isOrganization: r[14] as number | null,
    inputs: inputsOf<RaiseInputs>(inputs),
  };
}

/** Every live record of a profile: join fields in memory, the rest as a digest (and packed, when asked). */
export interface JoinSet {
  /** In the order the join ranks them: VOMO users, CRM+ individuals, CRM+ contacts without individuals, Raise donors (each by id). */
  nodes: JoinNode[];
  /**
   * Per record: a digest of every column a person row is computed from (for an individual, its
   * household contact's and its methods' too) and of what the measures read of it (its
   * participations or gifts). Equal digests mean the record reads the same.
   */
  digests: Float64Array;
  /** Record i with every field, as loadNodes would read it; only when loaded with keepFields. */
  full: ((i: number) => IdNode) | null;
  /**
   * Record i's fields as the one JSON text the node cache keeps (identity_node_fields) and
   * nodeFromFields reads back; only when loaded with keepFields.
   */
  fieldsText?: ((i: number) => string) | null;
}

/**
 * A record from its fields, parsed: its packed columns and measure inputs; for an individual,
 * also its household contact's columns and inputs and its methods (as SQLite groups them).
 */
function nodeFromParts(n: JoinNode, rec: Row, inputs: unknown, contact?: Row, contactInputs?: unknown, methods?: Row[] | null): IdNode {
  if (n.kind === 'vomo') return vomoNode(rec, inputs);
  if (n.kind === 'raise') return raiseNode(rec, inputs);
  if (n.kind === 'crm_contact') return { kind: 'crm_contact', key: n.key, id: n.id, emails: [], contactId: n.id, contact: contactInfo(rec, inputs) };
  const ind = individualNode(rec, contactInfo(contact!, contactInputs));
  if (methods) {
    ind.methods = methods.map(methodInfo);
    finishIndividual(ind);
  }
  return ind;
}

/** A record from the fields text the node cache keeps (JoinSet.fieldsText): what full() gives. */
export function nodeFromFields(n: JoinNode, text: string): IdNode {
  const p = JSON.parse(text) as unknown[];
  return nodeFromParts(n, p[0] as Row, p[1], p[2] as Row | undefined, p[3], p[4] as Row[] | null | undefined);
}

/**
 * Where a full load hands each record's fields text (JoinSet.fieldsText's form) instead of
 * keeping it: `put` as soon as a record's text is complete, in node order; `flush` every few
 * thousand records, when the connection is free to write (better-sqlite3 refuses a write while a
 * read iterates).
 */
export interface FieldSink {
  put(kind: NodeKind, id: string, digest: number, text: string): void;
  flush(): void;
}

/**
 * The node cache (nodeCache.ts) no longer lists the records the mirrors hold: a change went
 * unmarked. Nothing computed from it may be kept; the identity service rebuilds from scratch.
 */
export class RecordCacheStale extends Error {
  constructor(detail: string) {
    super(`The record cache and the mirrors disagree (${detail}).`);
    this.name = 'RecordCacheStale';
  }
}

/** The mirror reads of a load: every live record of a kind, ordered by id by the caller (byId). */
const vomoRead = (scoped: boolean) =>
  `SELECT u.id, u.email_norm, u.first_name, json_array(${VOMO_COLS}), (${MEASURE_INPUTS.vomo('u')})
   FROM ${recordsFrom(scoped, 'vomo_users', 'u', 'vomo')} WHERE u.profile_id = @p AND u.gone_at IS NULL`;
const raiseRead = (scoped: boolean) =>
  `SELECT json_array(${RAISE_COLS}), d.id, d.email_norm, d.first_name, d.crm_key, json_extract(d.raw_json, '$.donorEmailAddresses'), (${MEASURE_INPUTS.raise('d')})
   FROM ${recordsFrom(scoped, 'raise_donors', 'd', 'raise')} WHERE d.profile_id = @p AND ${RAISE_LIVE}`;
const contactParts = () => `json_array(${CONTACT_COLS}), (${MEASURE_INPUTS.crmContact('c')}), (${CONTACT_REFERENCES('c')})`;
/**
 * A first build's CRM+ individuals, each with its household contact's columns and its methods
 * grouped as the passes group them (primary first, then by id), then char(30), then the email
 * keys; NULL for none. JSON escapes char(30), so the last one is the separator.
 */
const streamedIndividuals = () => `SELECT i.id, i.contact_id, i.first_name, i.is_primary, json_array(${IND_COLS}), ${contactParts()},
   (SELECT CASE WHEN COUNT(*) THEN json_group_array(json_array(${METHOD_COLS}) ORDER BY m.is_primary DESC, m.id) || char(30)
      || COALESCE(group_concat(CASE WHEN m.kind = 'email' THEN m.email_norm END, char(31) ORDER BY m.is_primary DESC, m.id), '') END
    FROM crm_contact_methods m INDEXED BY crm_methods_by_individual WHERE m.profile_id = i.profile_id AND m.individual_id = i.id AND m.kind IN ('email', 'phone'))
 FROM crm_individuals i CROSS JOIN crm_contacts c ON c.profile_id = i.profile_id AND c.id = i.contact_id
 WHERE i.profile_id = @p AND c.gone_at IS NULL`; // an individual whose household is gone is not live
/** Contacts without an individual (organizations, mostly): records of their own. */
const streamedBareContacts = () => `SELECT c.id, c.name, ${contactParts()} FROM crm_contacts c WHERE c.profile_id = @p AND c.gone_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM crm_individuals i WHERE i.profile_id = c.profile_id AND i.contact_id = c.id)`;
/** A streamed load's reads, in the order it makes them (the mirror reader runs them ahead). */
export const streamedReads = () => [
  { sql: vomoRead(false), alias: 'u', idAt: 0 },
  { sql: streamedIndividuals(), alias: 'i', idAt: 0 },
  { sql: streamedBareContacts(), alias: 'c', idAt: 0 },
  { sql: raiseRead(false), alias: 'd', idAt: 1 },
];

/**
 * Every live record of the profile in one sequential read per table. SQLite packs each record's
 * columns into one JSON array; the record keeps its join fields as properties and that packed
 * string only when keepFields is set (a first build, which computes every person), otherwise a
 * digest of it. A million-person rebuild holds these for the whole run: a few million small
 * objects for the garbage collector to walk, not tens of millions, and display fields are
 * unpacked one cluster at a time. Every list is in id order within its kind, the order the node
 * cache (nodeCache.ts) keeps. Scoped: only the records temp.identity_scope lists. Aligned
 * (a full recompute, whose records came from the node cache): the fields of exactly those
 * records as they read there, or RecordCacheStale (with a sink, once every record was handed to
 * it). A streamed load (a sink, unscoped) may take its pages (streamedReads()) from a mirror
 * reader on another connection (mirrorReader.ts).
 */
export function loadJoinNodes(
  db: Db,
  profileId: number,
  keepFields: boolean,
  scoped = false,
  alignTo?: Pick<JoinSet, 'nodes' | 'digests'>,
  sink?: FieldSink,
  reader?: MirrorReader | null,
): JoinSet {
  if (reader && (!sink || scoped)) throw new Error('a mirror reader runs the pages of a streamed load of every record (streamedReads())');
  if (sink && keepFields) throw new Error('a field sink takes the fields instead of keeping them');
  // The household contacts' columns are needed for their individuals' fields and their own.
  const keepContacts = keepFields || !!sink;
  // Aligned: the caller already holds these records (from the node cache) and wants their fields;
  // each record read is checked against its position and digest there instead of kept a second time.
  const align = alignTo?.nodes;
  const nodes: JoinNode[] = align ?? [];
  let count = 0; // records read so far: the position of the next one
  const add = (key: string, node: () => JoinNode) => {
    if (align) {
      if (align[count]?.key !== key) throw new RecordCacheStale(`record ${count} is ${align[count]?.key ?? 'missing'} in the cache, ${key} in the mirrors`);
    } else nodes.push(node());
    count++;
  };
  const packed: string[] = []; // per record, its packed columns (keepFields only)
  const packedInputs: (string | null)[] = []; // per record, its measure inputs (keepFields only)
  const digests: number[] = [];
  const p = { p: profileId };
  // Scoped: only the records listed in temp.identity_scope (nodeCache.ts lists the contact of
  // every listed individual too), each found by its key; otherwise one scan per table.
  const from = (table: string, alias: string, src: NodeKind) => recordsFrom(scoped, table, alias, src);
  // Each record's digest covers its packed columns and what the person measures read of it
  // (participations, gifts: a correlated subquery per record, cheaper than a grouped pass
  // and a map). Packed strings are kept only when the caller wants fields.
  const keep = (kind: NodeKind, id: string, json: string, inputs: string | null) => {
    const d = digest52([json, inputs]);
    digests.push(d);
    if (keepFields) {
      packed.push(json);
      packedInputs.push(inputs);
    }
    sink?.put(kind, id, d, `[${json},${inputs ?? 'null'}]`);
  };
  /**
   * The rows of a mirror query ordered by its table's id: in one read, or, for a sink, a page at a
   * time (keyset on the id), each page handed over before the next is read, so the sink writes
   * every few thousand records and their strings are garbage while still young.
   */
  function* byId<T extends unknown[]>(sql: string, alias: string, idAt: number): Generator<T> {
    if (!sink || scoped) {
      yield* db.prepare(`${sql} ORDER BY ${alias}.id`).raw().iterate(p) as Iterable<T>;
      return;
    }
    if (reader) {
      for (let rows = reader.page(sql) as T[]; rows.length; rows = reader.page(sql) as T[]) {
        yield* rows;
        sink.flush();
      }
      return;
    }
    const q = pageQueries(sql, alias, idAt);
    const first = db.prepare(q.first).raw();
    const next = db.prepare(q.next).raw();
    let after: string | null = null;
    for (;;) {
      const rows = (after === null ? first.all(p) : next.all({ ...p, after })) as T[];
      if (!rows.length) return;
      yield* rows;
      after = rows[rows.length - 1][idAt] as string;
      sink.flush();
    }
  }
  // Join fields as columns of their own (parsing every packed row here would cost more than the read).
  for (const [id, emailNorm, firstName, json, inputs] of byId<[string, string | null, string | null, string, string | null]>(vomoRead(scoped), 'u', 0)) {
    const key = 'vomo:' + id;
    add(key, () => joinNode.vomo(id, emailNorm, firstName));
    keep('vomo', id, json, inputs);
  }
  sink?.flush();
  // CRM+ records. Their columns (and, for an individual, its household contact's and its methods)
  // are kept for the fields only when asked; a contact's are shared by its individuals.
  const contactJson = new Map<string, string>();
  const contactInputs = new Map<string, string | null>();
  const methodsOf: (string | undefined)[] = []; // per individual: its methods, a JSON array of rows (keepFields only)
  if (sink && !scoped) crmStreamed(sink);
  else crmInPasses();

  /**
   * A first build's CRM+ read: each individual with its household contact's columns and its
   * methods in one row, a page at a time, handed to the sink as it comes. Read in passes (below),
   * every contact's and individual's columns were held until the methods were read: ~275 MB of
   * strings at a million persons, at the read's peak. The same texts and digests as the passes give.
   */
  function crmStreamed(out: FieldSink): void {
    for (const [id, contactId, firstName, isPrimary, json, cJson, cInputs, cRefs, m] of byId<
      [string, string, string | null, number | null, string, string, string | null, string | null, string | null]
    >(streamedIndividuals(), 'i', 0)) {
      const cut = m === null ? -1 : m.lastIndexOf('\u001e');
      const list = m === null ? null : m.slice(0, cut);
      const emails = m === null ? '' : ownString(m.slice(cut + 1));
      add('crm_individual:' + id, () => joinNode.individual(id, emails ? uniqueNonEmpty(emails.split('\u001f')) : null, contactId, firstName, isPrimary ?? 0));
      const d = digest52([digest52([json, digest52([cJson, cInputs, cRefs])]), list]);
      digests.push(d);
      out.put('crm_individual', id, d, `[${json},null,${cJson},${cInputs ?? 'null'},${list ?? 'null'}]`);
    }
    out.flush();
    for (const [id, name, json, inputs, refs] of byId<[string, string | null, string, string | null, string | null]>(streamedBareContacts(), 'c', 0)) {
      add('crm_contact:' + id, () => joinNode.contact(id, name));
      const d = digest52([json, inputs, refs]);
      digests.push(d);
      out.put('crm_contact', id, d, `[${json},${inputs ?? 'null'}]`);
    }
    out.flush();
  }

  /** The CRM+ read of every other load: contacts, their individuals, the individuals' methods, then the contacts without individuals. */
  function crmInPasses(): void {
    // Contacts: a digest each (its columns, gifts and references); the packed columns only when fields are kept.
    const contactDigest = new Map<string, number>();
    for (const [id, json, inputs, refs] of db
      .prepare(
        `SELECT c.id, json_array(${CONTACT_COLS}), (${MEASURE_INPUTS.crmContact('c')}), (${CONTACT_REFERENCES('c')})
         FROM ${from('crm_contacts', 'c', 'crm_contact')} WHERE c.profile_id = @p AND c.gone_at IS NULL`,
      )
      .raw()
      .iterate(p) as Iterable<[string, string, string | null, string | null]>) {
      contactDigest.set(id, digest52([json, inputs, refs]));
      if (keepContacts) {
        contactJson.set(id, json);
        contactInputs.set(id, inputs);
      }
    }
    const individualAt = new Map<string, number>();
    const firstIndividual = count;
    const sinkPacked: string[] = []; // per individual (from firstIndividual): its columns until its methods are read (sink only)
    for (const [id, contactId, firstName, isPrimary, json] of db
      .prepare(
        `SELECT i.id, i.contact_id, i.first_name, i.is_primary, json_array(${IND_COLS})
         FROM ${from('crm_individuals', 'i', 'crm_individual')} WHERE i.profile_id = @p ORDER BY i.id`,
      )
      .raw()
      .iterate(p) as Iterable<[string, string, string | null, number | null, string]>) {
      const cd = contactDigest.get(contactId);
      if (cd === undefined) continue; // the household is gone
      individualAt.set(id, count);
      const key = 'crm_individual:' + id;
      add(key, () => joinNode.individual(id, null, contactId, firstName, isPrimary ?? 0));
      // Completed with the individual's methods below.
      digests.push(digest52([json, cd]));
      if (keepFields) {
        packed.push(json);
        packedInputs.push(null);
      }
      if (sink) sinkPacked.push(json);
    }
    // Methods grouped per individual by SQLite, in the order finishIndividual() gives them
    // (primary first, then by id), with the email keys alongside: no object per method here.
    // Unscoped, `+m.profile_id` keeps the planner off the individual index: a scan and a sort
    // cost 2 s at a million persons, the index walk with a row lookup per method 2.7 s.
    const withMethods = new Uint8Array(count);
    const methodsFrom = scoped
      ? `temp.identity_scope s CROSS JOIN crm_contact_methods m INDEXED BY crm_methods_by_individual
           ON s.source = 'crm_individual' AND m.profile_id = @p AND m.individual_id = s.source_id WHERE`
      : `crm_contact_methods m WHERE +m.profile_id = @p AND`;
    for (const [individualId, list, emails] of db
      .prepare(
        `SELECT m.individual_id, json_group_array(json_array(${METHOD_COLS}) ORDER BY m.is_primary DESC, m.id),
           group_concat(CASE WHEN m.kind = 'email' THEN m.email_norm END, char(31) ORDER BY m.is_primary DESC, m.id)
         FROM ${methodsFrom} m.kind IN ('email', 'phone') GROUP BY m.individual_id`,
      )
      .raw()
      .iterate(p) as Iterable<[string, string, string | null]>) {
      const at = individualAt.get(individualId);
      if (at === undefined) continue;
      if (keepFields || sink) methodsOf[at] = list;
      if (emails && !align) nodes[at].emails = uniqueNonEmpty(emails.split('\u001f'));
      digests[at] = digest52([digests[at], list]);
      withMethods[at] = 1;
    }
    for (let at = firstIndividual; at < count; at++) if (!withMethods[at]) digests[at] = digest52([digests[at], null]);
    individualAt.clear();
    if (sink) {
      for (let at = firstIndividual; at < count; at++) {
        const n = nodes[at] as Extract<JoinNode, { kind: 'crm_individual' }>;
        sink.put('crm_individual', n.id, digests[at], `[${sinkPacked[at - firstIndividual]},null,${contactJson.get(n.contactId)!},${contactInputs.get(n.contactId) ?? 'null'},${methodsOf[at] ?? 'null'}]`);
        sinkPacked[at - firstIndividual] = '';
        methodsOf[at] = undefined;
        if ((at - firstIndividual) % 8192 === 8191) sink.flush();
      }
      sinkPacked.length = 0;
      methodsOf.length = 0;
      sink.flush();
    }
    // Contacts without an individual (organizations, mostly) are records of their own.
    for (const [id, name] of db
      .prepare(
        `SELECT c.id, c.name FROM ${from('crm_contacts', 'c', 'crm_contact')} WHERE c.profile_id = @p AND c.gone_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM crm_individuals i WHERE i.profile_id = c.profile_id AND i.contact_id = c.id)
         ORDER BY c.id`,
      )
      .raw()
      .iterate(p) as Iterable<[string, string | null]>) {
      const key = 'crm_contact:' + id;
      add(key, () => joinNode.contact(id, name));
      digests.push(contactDigest.get(id)!);
      if (keepFields) {
        packed.push(contactJson.get(id)!);
        packedInputs.push(null);
      }
      sink?.put('crm_contact', id, contactDigest.get(id)!, `[${contactJson.get(id)!},${contactInputs.get(id) ?? 'null'}]`);
    }
    contactDigest.clear();
    if (sink) {
      contactJson.clear();
      contactInputs.clear();
      sink.flush();
    }
  }
  for (const [json, id, emailNorm, firstName, crmKey, more, inputs] of byId<[string, string, string | null, string | null, unknown, unknown, string | null]>(raiseRead(scoped), 'd', 1)) {
    const key = 'raise:' + id;
    add(key, () => joinNode.raise(id, raiseEmails(emailNorm, more), firstName, crmKeyOf(crmKey)));
    keep('raise', id, json, inputs);
  }
  sink?.flush();
  if (alignTo) {
    if (count !== alignTo.nodes.length) throw new RecordCacheStale(`the cache holds ${alignTo.nodes.length} records, the mirrors ${count}`);
    for (let i = 0; i < count; i++) if (digests[i] !== alignTo.digests[i]) throw new RecordCacheStale(`${alignTo.nodes[i].key} reads differently`);
  }
  if (!keepFields) {
    contactJson.clear();
    contactInputs.clear();
    return { nodes, digests: Float64Array.from(digests), full: null, fieldsText: null };
  }
  const contacts = contactJson;
  const full = (i: number): IdNode => {
    const n = nodes[i];
    const r = JSON.parse(packed[i]) as Row;
    if (n.kind === 'crm_contact') return nodeFromParts(n, r, contactInputs.get(n.id));
    if (n.kind !== 'crm_individual') return nodeFromParts(n, r, packedInputs[i]);
    const m = methodsOf[i];
    return nodeFromParts(n, r, null, JSON.parse(contacts.get(n.contactId)!) as Row, contactInputs.get(n.contactId), m ? (JSON.parse(m) as Row[]) : null);
  };
  // The same parts as one JSON text (each part is JSON already): built when the cache is written,
  // not kept, so the fields are held once.
  const fieldsText = (i: number): string => {
    const n = nodes[i];
    if (n.kind === 'crm_contact') return `[${packed[i]},${contactInputs.get(n.id) ?? 'null'}]`;
    if (n.kind !== 'crm_individual') return `[${packed[i]},${packedInputs[i] ?? 'null'}]`;
    return `[${packed[i]},null,${contacts.get(n.contactId)!},${contactInputs.get(n.contactId) ?? 'null'},${methodsOf[i] ?? 'null'}]`;
  };
  return { nodes, digests: Float64Array.from(digests), full, fieldsText };
}

/**
 * Scope: undefined = every live record of the profile; otherwise only the listed source keys
 * (the one or two persons a merge or an undo recomputes). CRM+ contacts of scoped individuals
 * come along. Scoped reads start from the scope table (CROSS JOIN fixes the loop order) so
 * they cost lookups, not table scans.
 */
export function loadNodes(db: Db, profileId: number, scope?: string[]): { nodes: IdNode[]; contacts: Map<string, ContactInfo> } {
  const from = (table: string, alias: string, src: NodeKind) => recordsFrom(!!scope, table, alias, src);
  let scopedContacts: Set<string> | null = null;
  if (scope) {
    fillRecordScope(db, 'identity_scope', scope);
    scopedContacts = new Set();
    for (const k of scope) {
      const { source, id } = parseSourceKey(k);
      if (source === 'crm_contact') scopedContacts.add(id);
    }
  }
  const nodes: IdNode[] = [];
  const p = { p: profileId };
  // Each record with its measure inputs, as the last column.
  for (const r of db
    .prepare(`SELECT ${VOMO_COLS}, (${MEASURE_INPUTS.vomo('u')}) FROM ${from('vomo_users', 'u', 'vomo')} WHERE u.profile_id = @p AND u.gone_at IS NULL ORDER BY u.id`)
    .raw()
    .iterate(p) as Iterable<Row>) {
    nodes.push(vomoNode(r, r[r.length - 1]));
  }

  // CRM+: contacts (live), their individuals, and the methods of those individuals.
  const contacts = new Map<string, ContactInfo>();
  const contactCols = `${CONTACT_COLS}, (${MEASURE_INPUTS.crmContact('c')})`;
  const contactSql = scope
    ? `SELECT ${contactCols} FROM (
         SELECT i.contact_id AS id FROM temp.identity_scope s CROSS JOIN crm_individuals i ON s.source = 'crm_individual' AND i.profile_id = @p AND i.id = s.source_id
         UNION SELECT source_id FROM temp.identity_scope WHERE source = 'crm_contact') x
       CROSS JOIN crm_contacts c ON c.profile_id = @p AND c.id = x.id WHERE c.gone_at IS NULL`
    : `SELECT ${contactCols} FROM crm_contacts c WHERE c.profile_id = @p AND c.gone_at IS NULL`;
  for (const r of db.prepare(contactSql).raw().iterate(p) as Iterable<Row>) contacts.set(r[0] as string, contactInfo(r, r[r.length - 1]));

  const individuals = new Map<string, CrmIndividualNode>();
  const contactsWithIndividuals = new Set<string>();
  for (const r of db.prepare(`SELECT ${IND_COLS} FROM ${from('crm_individuals', 'i', 'crm_individual')} WHERE i.profile_id = @p ORDER BY i.id`).raw().iterate(p) as Iterable<Row>) {
    const contact = contacts.get(r[1] as string);
    if (!contact) continue; // the household is gone (or out of scope)
    contactsWithIndividuals.add(contact.id);
    const node = individualNode(r, contact);
    individuals.set(node.id, node);
    nodes.push(node);
  }
  const methodSql = scope
    ? `SELECT ${METHOD_COLS} FROM temp.identity_scope s CROSS JOIN crm_contact_methods m INDEXED BY crm_methods_by_individual
         ON s.source = 'crm_individual' AND m.profile_id = @p AND m.individual_id = s.source_id
       WHERE m.kind IN ('email', 'phone')`
    : `SELECT ${METHOD_COLS} FROM crm_contact_methods m NOT INDEXED WHERE m.profile_id = @p AND m.kind IN ('email', 'phone')`;
  for (const r of db.prepare(methodSql).raw().iterate(p) as Iterable<Row>) individuals.get(r[0] as string)?.methods.push(methodInfo(r));
  for (const ind of individuals.values()) finishIndividual(ind);
  for (const c of contacts.values()) {
    if (contactsWithIndividuals.has(c.id)) continue;
    if (scopedContacts && !scopedContacts.has(c.id)) continue;
    nodes.push({ kind: 'crm_contact', key: 'crm_contact:' + c.id, id: c.id, emails: [], contactId: c.id, contact: c });
  }
  for (const r of db
    .prepare(`SELECT ${RAISE_COLS}, (${MEASURE_INPUTS.raise('d')}) FROM ${from('raise_donors', 'd', 'raise')} WHERE d.profile_id = @p AND ${RAISE_LIVE} ORDER BY d.id`)
    .raw()
    .iterate(p) as Iterable<Row>) {
    nodes.push(raiseNode(r, r[r.length - 1]));
  }
  return { nodes, contacts };
}
