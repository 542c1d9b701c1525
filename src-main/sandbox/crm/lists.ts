/**
 * Ordered id lists behind CRM+ Query endpoints, cached per (query, state version). Untouched
 * base contacts are filtered on the start-up typed arrays, so a Last Modified Date walk over a
 * million contacts never regenerates anyone who cannot match.
 */
import { crmContactId, crmGiftId } from '../generator/ids';
import type { CrmContactPlan, CrmGiftPlan } from '../generator/types';
import { posOf } from '../state/baseIndex';
import type { World } from '../state/world';
import type { Condition, ParsedQuery } from './conditions';
import { dateMatches, lowerBound, numMatches, strMatches } from './conditions';
import { cmp } from '../cmp';

interface ContactRow {
  id: number;
  created: number;
  modified: number;
  get(): CrmContactPlan;
}

export type ContactSort = 'id' | 'modified' | 'created' | 'name';
export type GiftSort = 'id' | 'modified' | 'created' | 'giftDate' | 'amount';

export function contactSortKey(s: string | null): ContactSort | null {
  if (s === null || s === '') return 'id';
  const k = s.replace(/[\s_]/g, '').toLowerCase();
  if (['id', 'contactid'].includes(k)) return 'id';
  if (['lastmodifieddate', 'modifieddatetimeutc', 'modifieddatetime', 'modifieddate', 'lastmodified'].includes(k)) return 'modified';
  if (['createdate', 'createdatetimeutc', 'createddatetime', 'createddatetimeutc', 'createddate'].includes(k)) return 'created';
  if (['name', 'contactname'].includes(k)) return 'name';
  return null;
}

export function giftSortKey(s: string | null): GiftSort | null {
  if (s === null || s === '') return 'id';
  const k = s.replace(/[\s_]/g, '').toLowerCase();
  if (['id', 'giftid', 'batch', 'receiptdate'].includes(k)) return 'id';
  if (['giftdate', 'date'].includes(k)) return 'giftDate';
  if (k === 'amount') return 'amount';
  if (['lastmodifieddate', 'modifieddatetimeutc', 'modifieddatetime', 'modifieddate'].includes(k)) return 'modified';
  if (['createdate', 'createdatetimeutc', 'createddatetime', 'createddate'].includes(k)) return 'created';
  return null;
}

function contactEmails(c: CrmContactPlan): string[] {
  const out: string[] = [];
  if (c.malformed) return out;
  for (const ind of c.individuals) for (const m of ind.methods) if (m.type.endsWith('Email')) out.push(m.value);
  return out;
}

function contactCond(row: ContactRow, c: Condition, now: number): boolean {
  switch (c.parameter) {
    case 'Contact Id':
      return numMatches(row.id, c);
    case 'Last Modified Date':
      return dateMatches(row.modified, c, now);
    case 'Create Date':
    case 'Create DateTime UTC':
      return dateMatches(row.created, c, now);
    case 'Email Address':
      return strMatches(contactEmails(row.get()), c);
    case 'Contact Type':
      return strMatches([row.get().contactType], c);
  }
  return false;
}

const matchRow = (q: ParsedQuery, row: ContactRow, now: number) => !q.groups.length || q.groups.some((g) => g.every((c) => contactCond(row, c, now)));

function planRow(c: CrmContactPlan): ContactRow {
  return { id: c.id, created: c.createdAt, modified: c.modifiedAt, get: () => c };
}

/** Small candidate sets when every group pins a contact id or an exact email. */
function narrowCandidates(w: World, q: ParsedQuery): CrmContactPlan[] | null {
  if (!q.groups.length) return null;
  const out = new Map<number, CrmContactPlan>();
  for (const g of q.groups) {
    const pin = g.find((c) => (c.parameter === 'Contact Id' && (c.operator === 'Is' || c.operator === 'In')) || (c.parameter === 'Email Address' && c.operator === 'Is'));
    if (!pin) return null;
    if (pin.parameter === 'Contact Id') {
      for (const v of pin.operator === 'In' ? pin.values : [pin.value!]) {
        const c = w.contact(Number(v));
        if (c) out.set(c.id, c);
      }
    } else for (const c of w.contactsByEmail(pin.value!)) out.set(c.id, c);
  }
  return [...out.values()];
}

export function contactIds(w: World, q: ParsedQuery, sort: ContactSort): Int32Array {
  return w.cached(`crm.contacts|${JSON.stringify(q)}|${sort}`, () => {
    const now = w.now;
    const out: ContactRow[] = [];
    const narrow = narrowCandidates(w, q);
    if (narrow) {
      for (const c of narrow) if (matchRow(q, planRow(c), now)) out.push(planRow(c));
      return finish(out, sort === 'modified' ? 'modified' : sort, q.descending);
    }
    const b = w.base;
    const later: CrmContactPlan[] = [];
    for (const [i, p] of w.overrides) {
      const c = p.crm;
      if (!c || c.deleted) continue;
      const pos = i >= 0 && i < w.N ? posOf(b.crmIdx, i) : -1;
      if (pos < 0 || c.id !== crmContactId(i) || (sort === 'modified' && c.modifiedAt !== b.crmMod[pos])) later.push(c);
    }
    const visit = (p: number) => {
      const i = b.crmIdx[p]!;
      let row: ContactRow;
      if (w.isTouched(i)) {
        const c = w.plan(i).crm;
        if (!c || c.deleted || c.id !== crmContactId(i) || (sort === 'modified' && c.modifiedAt !== b.crmMod[p])) return;
        row = planRow(c);
      } else row = { id: crmContactId(i), created: b.crmCreated[p]!, modified: b.crmMod[p]!, get: () => w.plan(i).crm! };
      if (matchRow(q, row, now)) out.push(row);
    };
    if (sort === 'modified') for (let k = 0; k < b.crmByMod.length; k++) visit(b.crmByMod[k]!);
    else for (let p = 0; p < b.crmIdx.length; p++) visit(p);
    later.sort((a, c) => (sort === 'modified' ? a.modifiedAt - c.modifiedAt : 0) || a.id - c.id);
    for (const c of later) if (matchRow(q, planRow(c), now)) out.push(planRow(c));
    // Base order is already right for id and modified (overlay times all follow the start).
    return finish(out, sort === 'id' || sort === 'modified' ? null : sort, q.descending, w);
  });
}

function finish(rows: ContactRow[], sortBy: ContactSort | null, desc: boolean, w?: World): Int32Array {
  if (sortBy === 'id') rows.sort((a, b) => a.id - b.id);
  else if (sortBy === 'modified') rows.sort((a, b) => a.modified - b.modified || a.id - b.id);
  else if (sortBy === 'created') rows.sort((a, b) => a.created - b.created || a.id - b.id);
  else if (sortBy === 'name') {
    const names = new Map(rows.map((r) => [r.id, r.get().name.toLowerCase()]));
    rows.sort((a, b) => cmp(names.get(a.id)!, names.get(b.id)!) || a.id - b.id);
  }
  void w;
  const ids = Int32Array.from(rows, (r) => r.id);
  return desc ? ids.reverse() : ids;
}

// ---- gifts ----

function giftCond(g: CrmGiftPlan, c: Condition, now: number): boolean {
  switch (c.parameter) {
    case 'Gift Id':
      return numMatches(g.id, c);
    case 'Contact Id':
      return numMatches(g.contactId, c);
    case 'Gift Date':
      return dateMatches(g.day * 86_400_000, c, now);
    case 'Amount':
      return numMatches(g.amountCents / 100, c);
    case 'Transaction Source':
      return strMatches(g.transactionSource ? [g.transactionSource] : [], c);
    case 'Last Modified Date':
      return dateMatches(g.modifiedAt, c, now);
    case 'Create Date':
      return dateMatches(g.createdAt, c, now);
  }
  return false;
}

export function giftIds(w: World, q: ParsedQuery, sort: GiftSort): Int32Array {
  return w.cached(`crm.gifts|${JSON.stringify(q)}|${sort}`, () => {
    const now = w.now;
    const b = w.base;
    const plain = !q.groups.length && sort === 'id';
    const minMod = lowerBound(q, 'Last Modified Date', now);
    const rows: CrmGiftPlan[] = [];
    const ids: number[] = [];
    const later: CrmGiftPlan[] = [];
    const take = (g: CrmGiftPlan, inSlot: boolean) => {
      if (g.deleted) return;
      if (!inSlot) later.push(g);
      else if (!q.groups.length || q.groups.some((gr) => gr.every((c) => giftCond(g, c, now)))) {
        if (plain) ids.push(g.id);
        else rows.push(g);
      }
    };
    for (let p = 0; p < b.crmIdx.length; p++) {
      const i = b.crmIdx[p]!;
      if (w.isTouched(i)) continue;
      if (plain) {
        for (let k = 0; k < b.crmGiftCount[p]!; k++) ids.push(crmGiftId(i, k));
        continue;
      }
      if (minMod !== null && b.crmMod[p]! < minMod) continue; // a contact's modified time bounds its gifts'
      for (const g of w.plan(i).crm!.gifts) take(g, true);
    }
    // Touched people and orphans: their base gifts belong in id order, later ones at the end.
    const touched = [...w.overrides.keys()].sort((a, c) => a - c);
    const slot: CrmGiftPlan[] = [];
    for (const i of touched) {
      const c = w.plan(i).crm;
      if (!c || c.deleted) continue;
      for (const g of c.gifts) (g.id < w.starts.crmGift && i >= 0 ? slot : later).push(g);
    }
    for (const g of slot) take(g, true);
    const laterAll = later.splice(0);
    for (const g of laterAll) {
      if (g.deleted || (q.groups.length && !q.groups.some((gr) => gr.every((c) => giftCond(g, c, now))))) continue;
      if (plain) ids.push(g.id);
      else rows.push(g);
    }
    let out: Int32Array;
    if (plain) {
      out = Int32Array.from(ids).sort();
    } else {
      const key = sort === 'id' ? (g: CrmGiftPlan) => g.id : sort === 'modified' ? (g: CrmGiftPlan) => g.modifiedAt : sort === 'created' ? (g: CrmGiftPlan) => g.createdAt : sort === 'giftDate' ? (g: CrmGiftPlan) => g.day : (g: CrmGiftPlan) => g.amountCents;
      rows.sort((a, c) => key(a) - key(c) || a.id - c.id);
      out = Int32Array.from(rows, (g) => g.id);
    }
    return q.descending ? out.reverse() : out;
  });
}
