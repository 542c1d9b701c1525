/**
 * CRM+ records, parsed defensively. Keys are camelCased first (the wire is camelCase; the seeds
 * and some tools use PascalCase), unknown fields are ignored (the raw JSON keeps them), money
 * display strings become cents, "Unavailable" becomes null, offset-less timestamps are UTC.
 * A record that still fails is quarantined by the collector with the issue list as reason.
 */
import { z } from 'zod';
import { camelizeKeys, issuesLine, normEmail, syntheticId, toDateOnly, toId, zv } from '../shared/parseValues';

const Address = z.object({
  address1: zv.text,
  address2: zv.text,
  city: zv.text,
  state: zv.text,
  postal: zv.text,
  country: zv.text,
  isPrimary: zv.bool,
});

const ContactMethod = z.object({
  id: zv.optId,
  type: zv.text,
  value: zv.text,
  isOptedIn: zv.bool,
  isPrimary: zv.bool,
});

const Individual = z.object({
  id: zv.intId,
  contactId: zv.optIntId,
  firstName: zv.text,
  middleName: zv.text,
  lastName: zv.text,
  nickname: zv.text,
  isPrimary: zv.bool,
  isSecondary: zv.bool,
  isDeceased: zv.bool,
  birthDate: zv.date,
  birthYear: zv.number,
  birthMonth: zv.number,
  birthDay: zv.number,
  modifiedDateTimeUtc: zv.timestamp,
  contactMethods: zv.list(ContactMethod),
});

const Reference = z.object({ source: zv.text, id: zv.optId, referenceId: zv.optId });

export const CrmContactSchema = z.object({
  id: zv.intId,
  contactType: zv.text,
  name: zv.text,
  isPrivate: zv.bool,
  // One object on the REST read; a formatted string on abbreviated items; an array in webhooks.
  address: z.union([Address, z.string(), z.null()]).optional(),
  contactAddresses: zv.list(Address),
  lifeToDateGiving: zv.cents,
  /** Seed spelling (numeric); used only when lifeToDateGiving is absent. */
  lifetimeGivingAmount: zv.soft.cents,
  yearToDateGiving: zv.cents,
  lastGiftAmount: zv.cents,
  lastGiftDate: zv.date,
  mergedIntoContactId: zv.optIntId,
  contactViewUrl: zv.text,
  createDateTimeUtc: zv.timestamp,
  modifiedDateTimeUtc: zv.timestamp,
  contactIndividuals: zv.list(Individual),
  contactReferences: zv.list(Reference),
  referenceSource: zv.text,
  referenceId: zv.optId,
});

export const CrmGiftSchema = z.object({
  id: zv.intId,
  contactId: zv.optIntId,
  contactIndividualId: zv.optIntId,
  transactionSource: zv.text,
  transactionId: zv.text,
  giftType: zv.text,
  giftDate: zv.date,
  giftDateFormatted: zv.soft.date,
  amount: zv.cents,
  amountFormatted: zv.soft.cents,
  currencyCode: zv.text,
  segment: zv.text,
  segmentCode: zv.soft.text,
  createDateTimeUtc: zv.timestamp,
  modifiedDateTimeUtc: zv.timestamp,
});

export interface CrmContactRow {
  id: string;
  contact_type: string | null;
  name: string | null;
  is_private: number | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  state: string | null;
  postal: string | null;
  country: string | null;
  life_to_date_giving_cents: number | null;
  year_to_date_giving_cents: number | null;
  last_gift_amount_cents: number | null;
  last_gift_date: string | null;
  merged_into_contact_id: string | null;
  contact_view_url: string | null;
  created_at: string | null;
  modified_at: string | null;
}

export interface CrmIndividualRow {
  id: string;
  contact_id: string;
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
  nickname: string | null;
  is_primary: number;
  is_secondary: number;
  is_deceased: number;
  birth_date: string | null;
  modified_at: string | null;
}

export interface CrmMethodRow {
  id: string;
  contact_id: string;
  individual_id: string;
  type: string | null;
  kind: 'email' | 'phone' | 'other';
  value: string | null;
  email_norm: string | null;
  is_opted_in: number | null;
  is_primary: number;
}

export interface CrmReferenceRow {
  contact_id: string;
  source: string;
  ref_id: string;
}

export interface ParsedContact {
  contact: CrmContactRow;
  individuals: CrmIndividualRow[];
  methods: CrmMethodRow[];
  references: CrmReferenceRow[];
}

export interface CrmGiftRow {
  id: string;
  contact_id: string | null;
  contact_individual_id: string | null;
  transaction_source: string | null;
  transaction_id: string | null;
  gift_type: string | null;
  gift_date: string | null;
  amount_cents: number | null;
  currency_code: string | null;
  segment: string | null;
  created_at: string | null;
  modified_at: string | null;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; sourceId: string | null; reason: string };

/** Contact-method kind from its type string ("Home Email", "Mobile Phone", "Fax", "Twitter"). */
export function methodKind(type: string | null): 'email' | 'phone' | 'other' {
  if (!type) return 'other';
  if (/email/i.test(type)) return 'email';
  if (/phone|mobile|fax/i.test(type)) return 'phone';
  return 'other';
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function bestId(raw: unknown): string | null {
  if (!raw || typeof raw !== 'object') return null;
  const o = raw as Record<string, unknown>;
  const id = toId(o.id ?? o.Id ?? o.ID);
  return id ?? null;
}

export function parseContact(raw: unknown): ParseResult<ParsedContact> {
  const src = camelizeKeys(raw);
  if (!src || typeof src !== 'object' || Array.isArray(src)) return { ok: false, sourceId: null, reason: 'not an object' };
  const r = CrmContactSchema.safeParse(src);
  if (!r.success) return { ok: false, sourceId: bestId(src), reason: issuesLine(r.error.issues) };
  const c = r.data;
  const addr =
    c.address && typeof c.address === 'object'
      ? c.address
      : (c.contactAddresses.find((a) => a.isPrimary === 1) ?? c.contactAddresses[0] ?? null);
  const contact: CrmContactRow = {
    id: c.id,
    contact_type: c.contactType,
    name: c.name,
    is_private: c.isPrivate,
    address1: addr?.address1 ?? null,
    address2: addr?.address2 ?? null,
    city: addr?.city ?? null,
    state: addr?.state ?? null,
    postal: addr?.postal ?? null,
    country: addr?.country ?? null,
    life_to_date_giving_cents: c.lifeToDateGiving ?? c.lifetimeGivingAmount,
    year_to_date_giving_cents: c.yearToDateGiving,
    last_gift_amount_cents: c.lastGiftAmount,
    last_gift_date: c.lastGiftDate,
    merged_into_contact_id: c.mergedIntoContactId,
    contact_view_url: c.contactViewUrl,
    created_at: c.createDateTimeUtc,
    modified_at: c.modifiedDateTimeUtc,
  };
  const individuals: CrmIndividualRow[] = [];
  const methods: CrmMethodRow[] = [];
  const seenMethod = new Set<string>();
  for (const ind of c.contactIndividuals) {
    let birth = ind.birthDate;
    if (!birth && ind.birthYear && ind.birthMonth && ind.birthDay) {
      birth = toDateOnly(`${ind.birthYear}-${pad2(ind.birthMonth)}-${pad2(ind.birthDay)}`) ?? null;
    }
    individuals.push({
      id: ind.id,
      contact_id: c.id,
      first_name: ind.firstName,
      middle_name: ind.middleName,
      last_name: ind.lastName,
      nickname: ind.nickname,
      is_primary: ind.isPrimary ?? 0,
      is_secondary: ind.isSecondary ?? 0,
      is_deceased: ind.isDeceased ?? 0,
      birth_date: birth,
      modified_at: ind.modifiedDateTimeUtc,
    });
    for (const m of ind.contactMethods) {
      const kind = methodKind(m.type);
      let id = m.id ?? `${ind.id}:${m.type ?? ''}:${m.value ?? ''}`;
      if (seenMethod.has(id)) id = `${id}:${syntheticId(m)}`;
      seenMethod.add(id);
      methods.push({
        id,
        contact_id: c.id,
        individual_id: ind.id,
        type: m.type,
        kind,
        value: m.value,
        email_norm: kind === 'email' ? normEmail(m.value) : null,
        is_opted_in: m.isOptedIn,
        is_primary: m.isPrimary ?? 0,
      });
    }
  }
  const references: CrmReferenceRow[] = [];
  const seenRef = new Set<string>();
  const addRef = (source: string | null, id: string | null) => {
    if (!source || !id) return;
    const k = `${source}\u0000${id}`;
    if (seenRef.has(k)) return;
    seenRef.add(k);
    references.push({ contact_id: c.id, source, ref_id: id });
  };
  for (const ref of c.contactReferences) addRef(ref.source, ref.id ?? ref.referenceId);
  addRef(c.referenceSource, c.referenceId);
  return { ok: true, value: { contact, individuals, methods, references } };
}

export function parseGift(raw: unknown): ParseResult<CrmGiftRow> {
  const src = camelizeKeys(raw);
  if (!src || typeof src !== 'object' || Array.isArray(src)) return { ok: false, sourceId: null, reason: 'not an object' };
  const r = CrmGiftSchema.safeParse(src);
  if (!r.success) return { ok: false, sourceId: bestId(src), reason: issuesLine(r.error.issues) };
  const g = r.data;
  return {
    ok: true,
    value: {
      id: g.id,
      contact_id: g.contactId,
      contact_individual_id: g.contactIndividualId,
      transaction_source: g.transactionSource,
      transaction_id: g.transactionId,
      gift_type: g.giftType,
      gift_date: g.giftDate ?? g.giftDateFormatted,
      amount_cents: g.amount ?? g.amountFormatted,
      currency_code: g.currencyCode,
      segment: g.segment ?? g.segmentCode,
      created_at: g.createDateTimeUtc,
      modified_at: g.modifiedDateTimeUtc,
    },
  };
}
