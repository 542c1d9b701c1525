/**
 * Identity records as a tolerant client reads them: e_mail counts as email, FirstName as
 * firstName, "2.5" hours as 2.5; malformed records (listed in the manifest) are skipped.
 */
import type { PersonPlan } from '../generator/types';
import { normEmail } from '../state/world';
import { dayOf } from '../time';

export interface VRec {
  key: string;
  i: number;
  human: string;
  vomoUserId: number;
  email: string | null;
  rawEmail: string | null;
  first: string;
  last: string;
  phone: string | null;
  verifiedHours: number;
}
export interface IRec {
  key: string;
  i: number;
  human: string;
  contactId: number;
  individualId: number;
  emails: string[];
  first: string;
  last: string;
  phones: string[];
  isPrimary: boolean;
}
export interface DRec {
  key: string;
  i: number;
  human: string;
  donorId: number;
  emails: string[];
  first: string;
  crmKey: number | null;
}
export interface ContactGift {
  id: number;
  day: number;
  amountCents: number;
  /** Raise gift id when transactionSource is Raise and transactionId numeric. */
  raiseTx: number | null;
  claimsRaise: boolean;
  transactionId: string | null;
}
export interface DonorGift {
  id: number;
  day: number;
  createdAt: number;
  campaignId: number;
  fails: boolean;
}

export interface Extracted {
  v: VRec[];
  ind: IRec[];
  d: DRec[];
  contactGifts: Map<number, ContactGift[]>;
  donorGifts: Map<number, DonorGift[]>;
}

export function emptyExtract(): Extracted {
  return { v: [], ind: [], d: [], contactGifts: new Map(), donorGifts: new Map() };
}

export function verifiedHours(p: PersonPlan): number {
  let h = 0;
  for (const x of p.vomo?.participations ?? []) {
    const verified = x.verified ?? (x.checkedInAt !== null && x.checkedOutAt !== null);
    if (verified) h += x.hours;
  }
  return h;
}

export function extractInto(out: Extracted, p: PersonPlan): void {
  const v = p.vomo;
  if (v && !v.deleted && !v.malformed) {
    out.v.push({ key: `V${v.id}`, i: p.i, human: `${p.i}:0`, vomoUserId: v.id, email: normEmail(v.email), rawEmail: v.email, first: v.firstName, last: v.lastName, phone: v.phone, verifiedHours: verifiedHours(p) });
  }
  const c = p.crm;
  if (c && !c.deleted && !c.malformed) {
    c.individuals.forEach((ind, k) => {
      const emails = [...new Set(ind.methods.filter((m) => m.type.endsWith('Email')).map((m) => normEmail(m.value)).filter((e): e is string => !!e))];
      out.ind.push({ key: `I${ind.id}`, i: p.i, human: `${p.i}:${k}`, contactId: c.id, individualId: ind.id, emails, first: ind.firstName, last: ind.lastName, phones: ind.methods.filter((m) => m.type.endsWith('Phone')).map((m) => m.value), isPrimary: ind.isPrimary });
    });
    out.contactGifts.set(
      c.id,
      c.gifts.filter((g) => !g.deleted).map((g) => {
        const claims = (g.transactionSource ?? '').toLowerCase() === 'raise';
        return { id: g.id, day: g.day, amountCents: g.amountCents, raiseTx: claims && /^\d+$/.test(g.transactionId ?? '') ? Number(g.transactionId) : null, claimsRaise: claims, transactionId: g.transactionId };
      }),
    );
  }
  const d = p.raise;
  if (d && !d.deleted) {
    const emails = [...new Set([d.email, ...d.extraEmails].map(normEmail).filter((e): e is string => !!e))];
    out.d.push({ key: `R${d.id}`, i: p.i, human: `${p.i}:0`, donorId: d.id, emails, first: d.firstName, crmKey: d.crmKey });
    out.donorGifts.set(d.id, d.gifts.filter((g) => !g.deleted).map((g) => ({ id: g.id, day: dayOf(g.createdAt), createdAt: g.createdAt, campaignId: g.campaignId, fails: g.fails })));
  }
}
