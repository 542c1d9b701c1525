/**
 * The exact POST /api/Contact/Transaction body for one volunteer (api-shapes §1.6; seed 004
 * step 3), and the direct-create body for the one-person "create now" path (§1.7).
 *
 * Rules: flat camelCase; our reference pair always first (it is the nightly batch's strongest
 * match signal); contactType "Household"; only fields we actually have are present (an empty
 * string would overwrite what CRM+ holds when the batch merges); tags one semicolon-separated
 * string; originSegmentCode only when the steward configured one. Pure: the preview shows
 * this object and the submit sends this object.
 */
import { PUSH_REFERENCE_SOURCE, type PushSettings, type TransactionBody } from '../../src-shared/domain/crmPush';

export interface PushPerson {
  personId: string;
  vomoUserId: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  /** VOMO's address is one free-text string ("12 Elm St, Gotham, NJ 07001"). */
  address: string | null;
}

const clean = (v: string | null | undefined): string | undefined => {
  const t = (v ?? '').replace(/\s+/g, ' ').trim();
  return t ? t : undefined;
};

/** Splits "line, city, ST 12345" into the Transaction's address fields; otherwise address1 only. */
export function splitAddress(raw: string | null): Pick<TransactionBody, 'address1' | 'address2' | 'city' | 'state' | 'postal'> {
  const text = clean(raw);
  if (!text) return {};
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length >= 3) {
    const last = parts[parts.length - 1];
    const m = /^([A-Za-z]{2})\s+(\d{5}(?:-\d{4})?)$/.exec(last);
    if (m) {
      const line = parts.slice(0, parts.length - 2);
      return {
        address1: line[0],
        ...(line.length > 1 ? { address2: line.slice(1).join(', ') } : {}),
        city: parts[parts.length - 2],
        state: m[1].toUpperCase(),
        postal: m[2],
      };
    }
  }
  return { address1: text };
}

export function normalizeTags(tags: string): string | undefined {
  const list = tags
    .split(/[;,]/)
    .map((t) => t.trim())
    .filter(Boolean);
  return list.length ? [...new Set(list)].join(';') : undefined;
}

/** Why this person cannot be sent, or null when a body can be built. */
export function ineligibleReason(p: PushPerson): string | null {
  if (!clean(p.vomoUserId)) return 'Not a VOMO volunteer: there is no VOMO user id to use as the reference.';
  if (!clean(p.firstName) || !clean(p.lastName)) return 'First and last name are both needed to create a CRM+ contact.';
  return null;
}

export function buildTransactionBody(p: PushPerson, settings: Pick<PushSettings, 'tags' | 'originSegmentCode'>): TransactionBody {
  const why = ineligibleReason(p);
  if (why) throw new Error(why);
  const email = clean(p.email);
  const phone = clean(p.phone);
  const tags = normalizeTags(settings.tags);
  const segment = clean(settings.originSegmentCode);
  const body: TransactionBody = {
    referenceSource: PUSH_REFERENCE_SOURCE,
    referenceId: clean(p.vomoUserId)!,
    contactType: 'Household',
    firstName: clean(p.firstName)!,
    lastName: clean(p.lastName)!,
    ...(email ? { emailType: 'Home Email', email } : {}),
    ...(phone ? { phoneType: 'Mobile Phone', phone } : {}),
    ...splitAddress(p.address),
    ...(tags ? { tags } : {}),
    ...(segment ? { originSegmentCode: segment } : {}),
  };
  return body;
}

/**
 * POST /api/Contact (direct create) from the same data: top-level reference pair (not
 * contactReferences[]), stateCode/countryCode on writes. Used only for one person, on request,
 * after a fresh lookup found nothing: this endpoint does no matching at all.
 */
export function directCreateBody(t: TransactionBody): Record<string, unknown> {
  const methods: Record<string, unknown>[] = [];
  if (t.email) methods.push({ type: t.emailType ?? 'Home Email', value: t.email, isPrimary: true, isOptedIn: true });
  if (t.phone) methods.push({ type: t.phoneType ?? 'Mobile Phone', value: t.phone, isPrimary: true });
  const address = t.address1
    ? [{ label: 'Home', address1: t.address1, address2: t.address2, city: t.city, stateCode: t.state, postal: t.postal, countryCode: t.country, isPrimary: true }]
    : [];
  return {
    contactType: t.contactType,
    referenceSource: t.referenceSource,
    referenceId: t.referenceId,
    name: `${t.firstName} ${t.lastName}`,
    contactIndividuals: [{ firstName: t.firstName, lastName: t.lastName, isPrimary: true, contactMethods: methods }],
    contactAddresses: address,
    ...(t.tags ? { tags: t.tags } : {}),
  };
}
