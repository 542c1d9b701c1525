/**
 * Raise records (Donor, Gift, RecurringGift, Campaign), parsed defensively: keys camelCased
 * first, unknown fields ignored (raw JSON keeps them), ids as numbers or strings, amounts as
 * numbers or display strings, timestamps with or without offset (none → UTC).
 */
import { z } from 'zod';
import { camelizeKeys, issuesLine, normEmail, toId, zv } from '../shared/parseValues';

const Address = z.object({ address1: zv.text, address2: zv.text, city: zv.text, state: zv.text, postal: zv.text });
const EmailEntry = z.object({ value: zv.text, isPrimary: zv.bool, isOptedIn: zv.bool, isEmail: zv.bool });

export const RaiseDonorSchema = z.object({
  id: zv.intId,
  firstName: zv.text,
  lastName: zv.text,
  name: zv.text,
  email: zv.text,
  emailOptedIn: zv.bool,
  isOptedIn: zv.bool,
  phone: zv.text,
  primaryAddress: z.union([Address, z.null()]).optional(),
  donorEmailAddresses: zv.list(EmailEntry),
  isOrganization: zv.bool,
  isArchived: zv.bool,
  isTestMode: zv.bool,
  crmKey: zv.text,
  crmSecondKey: zv.text,
  crmKeyUrls: z.unknown().optional(),
  createdDate: zv.timestamp,
  modifiedDate: zv.timestamp,
});

export const RaiseGiftSchema = z.object({
  id: zv.intId,
  donorId: zv.optIntId,
  donor: z.union([z.object({ id: zv.optIntId }), z.null()]).optional(),
  campaignId: zv.optIntId,
  campaign: z.union([z.object({ id: zv.optIntId, name: zv.text }), z.null()]).optional(),
  campaignName: zv.text,
  amount: zv.cents,
  formattedAmount: zv.soft.cents,
  currency: zv.text,
  currencyCode: zv.text,
  date: zv.timestamp,
  statusText: zv.text,
  status: zv.text,
  transactionId: zv.text,
  recurringGiftId: zv.optIntId,
  createdDate: zv.timestamp,
  modifiedDate: zv.timestamp,
});

export const RaiseRecurringSchema = z.object({
  id: zv.intId,
  donorId: zv.optIntId,
  amount: zv.cents,
  formattedAmount: zv.soft.cents,
  currencyCode: zv.text,
  currency: zv.text,
  frequency: zv.text,
  formattedFrequency: zv.soft.text,
  status: zv.text,
  statusText: zv.text,
  formattedStatus: zv.soft.text,
  startDate: zv.date,
  nextChargeDate: zv.date,
  crmKey: zv.text,
  createdDate: zv.timestamp,
  modifiedDate: zv.timestamp,
});

export const RaiseCampaignSchema = z.object({
  id: zv.intId,
  campaignId: zv.optIntId,
  name: zv.text,
  canSync: zv.bool,
  crmKey: zv.text,
  startDate: zv.timestamp,
  endDate: zv.timestamp,
  createdDateTime: zv.timestamp,
  createdDate: zv.timestamp,
  modifiedDateTime: zv.timestamp,
  modifiedDate: zv.timestamp,
});

export interface RaiseDonorRow {
  id: string;
  first_name: string | null;
  last_name: string | null;
  name: string | null;
  email: string | null;
  email_norm: string | null;
  email_opted_in: number | null;
  phone: string | null;
  address1: string | null;
  city: string | null;
  state: string | null;
  postal: string | null;
  is_organization: number | null;
  is_archived: number | null;
  is_test_mode: number | null;
  crm_key: string | null;
  crm_second_key: string | null;
  crm_url: string | null;
  created_at: string | null;
  modified_at: string | null;
}

export interface RaiseGiftRow {
  id: string;
  donor_id: string | null;
  campaign_id: string | null;
  campaign_name: string | null;
  amount_cents: number | null;
  currency_code: string | null;
  gift_date: string | null;
  status_text: string | null;
  transaction_id: string | null;
  recurring_gift_id: string | null;
  created_at: string | null;
  modified_at: string | null;
}

export interface RaiseRecurringRow {
  id: string;
  donor_id: string | null;
  amount_cents: number | null;
  currency_code: string | null;
  frequency: string | null;
  status: string | null;
  start_date: string | null;
  next_charge_date: string | null;
  crm_key: string | null;
  created_at: string | null;
  modified_at: string | null;
}

export interface RaiseCampaignRow {
  id: string;
  name: string | null;
  can_sync: number | null;
  crm_key: string | null;
  start_date: string | null;
  end_date: string | null;
  created_at: string | null;
  modified_at: string | null;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; sourceId: string | null; reason: string };

function prepare(raw: unknown): Record<string, unknown> | null {
  const src = camelizeKeys(raw);
  return src && typeof src === 'object' && !Array.isArray(src) ? (src as Record<string, unknown>) : null;
}

function fail(src: Record<string, unknown> | null, issues: { path: PropertyKey[]; message: string }[] | string): { ok: false; sourceId: string | null; reason: string } {
  return { ok: false, sourceId: src ? (toId(src.id) ?? null) : null, reason: typeof issues === 'string' ? issues : issuesLine(issues) };
}

/** First `url` in crmKeyUrls (an object map of integration → {url, crmKey}). */
function firstCrmUrl(v: unknown): string | null {
  if (!v || typeof v !== 'object') return null;
  const entries = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
  for (const e of entries) {
    if (e && typeof e === 'object') {
      const url = (e as Record<string, unknown>).url ?? (e as Record<string, unknown>).Url;
      if (typeof url === 'string' && url.trim()) return url.trim();
    } else if (typeof e === 'string' && /^https?:/i.test(e)) return e;
  }
  return null;
}

export function parseRaiseDonor(raw: unknown): ParseResult<RaiseDonorRow> {
  const src = prepare(raw);
  if (!src) return fail(null, 'not an object');
  const r = RaiseDonorSchema.safeParse(src);
  if (!r.success) return fail(src, r.error.issues);
  const d = r.data;
  const primaryEmail = d.donorEmailAddresses.find((e) => e.isPrimary === 1 && e.isEmail !== 0) ?? d.donorEmailAddresses.find((e) => e.isEmail !== 0);
  const email = d.email ?? primaryEmail?.value ?? null;
  const emailEntry = email ? d.donorEmailAddresses.find((e) => normEmail(e.value) === normEmail(email)) : undefined;
  return {
    ok: true,
    value: {
      id: d.id,
      first_name: d.firstName,
      last_name: d.lastName,
      name: d.name ?? ([d.firstName, d.lastName].filter(Boolean).join(' ') || null),
      email,
      email_norm: normEmail(email),
      email_opted_in: d.emailOptedIn ?? emailEntry?.isOptedIn ?? d.isOptedIn ?? null,
      phone: d.phone,
      address1: d.primaryAddress?.address1 ?? null,
      city: d.primaryAddress?.city ?? null,
      state: d.primaryAddress?.state ?? null,
      postal: d.primaryAddress?.postal ?? null,
      is_organization: d.isOrganization,
      is_archived: d.isArchived,
      is_test_mode: d.isTestMode,
      crm_key: d.crmKey,
      crm_second_key: d.crmSecondKey,
      crm_url: firstCrmUrl(d.crmKeyUrls),
      created_at: d.createdDate,
      modified_at: d.modifiedDate,
    },
  };
}

export function parseRaiseGift(raw: unknown): ParseResult<RaiseGiftRow> {
  const src = prepare(raw);
  if (!src) return fail(null, 'not an object');
  const r = RaiseGiftSchema.safeParse(src);
  if (!r.success) return fail(src, r.error.issues);
  const g = r.data;
  return {
    ok: true,
    value: {
      id: g.id,
      donor_id: g.donorId ?? g.donor?.id ?? null,
      campaign_id: g.campaignId ?? g.campaign?.id ?? null,
      campaign_name: g.campaignName ?? g.campaign?.name ?? null,
      amount_cents: g.amount ?? g.formattedAmount,
      currency_code: g.currency ?? g.currencyCode,
      gift_date: g.date,
      status_text: g.statusText ?? g.status,
      transaction_id: g.transactionId,
      recurring_gift_id: g.recurringGiftId,
      created_at: g.createdDate,
      modified_at: g.modifiedDate,
    },
  };
}

export function parseRaiseRecurring(raw: unknown): ParseResult<RaiseRecurringRow> {
  const src = prepare(raw);
  if (!src) return fail(null, 'not an object');
  const r = RaiseRecurringSchema.safeParse(src);
  if (!r.success) return fail(src, r.error.issues);
  const g = r.data;
  return {
    ok: true,
    value: {
      id: g.id,
      donor_id: g.donorId,
      amount_cents: g.amount ?? g.formattedAmount,
      currency_code: g.currencyCode ?? g.currency,
      frequency: g.formattedFrequency ?? g.frequency,
      status: g.formattedStatus ?? g.statusText ?? g.status,
      start_date: g.startDate,
      next_charge_date: g.nextChargeDate,
      crm_key: g.crmKey,
      created_at: g.createdDate,
      modified_at: g.modifiedDate,
    },
  };
}

export function parseRaiseCampaign(raw: unknown): ParseResult<RaiseCampaignRow> {
  let src = prepare(raw);
  if (!src) return fail(null, 'not an object');
  if (src.id === undefined && src.campaignId !== undefined) src = { ...src, id: src.campaignId };
  const r = RaiseCampaignSchema.safeParse(src);
  if (!r.success) return fail(src, r.error.issues);
  const c = r.data;
  return {
    ok: true,
    value: {
      id: c.id,
      name: c.name,
      can_sync: c.canSync,
      crm_key: c.crmKey,
      start_date: c.startDate,
      end_date: c.endDate,
      created_at: c.createdDateTime ?? c.createdDate,
      modified_at: c.modifiedDateTime ?? c.modifiedDate,
    },
  };
}
