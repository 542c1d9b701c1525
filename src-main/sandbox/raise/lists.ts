/** Ordered id lists behind Raise /list endpoints, cached per (parameters, state version). */
import { raiseDonorId, raiseGiftId } from '../generator/ids';
import type { RaiseDonorPlan, RaiseGiftPlan } from '../generator/types';
import type { World } from '../state/world';
import { cmp } from '../cmp';

export interface ListParams {
  modifiedAfter: number | null;
  sortBy: string;
  descending: boolean;
  filter: string | null;
  donorId: number | null;
}

function sortRows<T extends { id: number }>(rows: T[], key: ((r: T) => number | string) | null, desc: boolean): Int32Array {
  if (key) rows.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return (typeof ka === 'string' ? cmp(ka, kb as string) : ka - (kb as number)) || a.id - b.id;
  });
  else rows.sort((a, b) => a.id - b.id);
  const out = Int32Array.from(rows, (r) => r.id);
  return desc ? out.reverse() : out;
}

const textOf = (d: RaiseDonorPlan) => `${d.id} ${d.firstName} ${d.lastName} ${d.email ?? ''} ${d.phone ?? ''} ${d.address?.postal ?? ''} ${d.address?.state ?? ''}`.toLowerCase();

export function donorIds(w: World, p: ListParams): Int32Array {
  return w.cached(`raise.donors|${JSON.stringify(p)}`, () => {
    const b = w.base;
    const rows: { id: number; created: number; modified: number; name?: string }[] = [];
    const needPlan = p.filter !== null || p.sortBy === 'name';
    const ok = (m: number) => p.modifiedAfter === null || m > p.modifiedAfter;
    const fromPlan = (d: RaiseDonorPlan | null) => {
      if (!d || d.deleted || !ok(d.modifiedAt)) return;
      if (p.filter !== null && !textOf(d).includes(p.filter.toLowerCase())) return;
      rows.push({ id: d.id, created: d.createdAt, modified: d.modifiedAt, name: `${d.lastName} ${d.firstName}`.toLowerCase() });
    };
    for (let k = 0; k < b.raiseIdx.length; k++) {
      const i = b.raiseIdx[k]!;
      if (w.isTouched(i) || needPlan) {
        const d = w.plan(i).raise;
        if (d && d.id === raiseDonorId(i)) fromPlan(d);
      } else if (ok(b.raiseMod[k]!)) rows.push({ id: raiseDonorId(i), created: b.raiseCreated[k]!, modified: b.raiseMod[k]! });
    }
    for (const [i, pl] of w.overrides) if (pl.raise && (i < 0 || i >= w.N || pl.raise.id !== raiseDonorId(i))) fromPlan(pl.raise);
    const key = p.sortBy === 'createddate' ? (r: (typeof rows)[0]) => r.created : p.sortBy === 'modifieddate' ? (r: (typeof rows)[0]) => r.modified : p.sortBy === 'name' ? (r: (typeof rows)[0]) => r.name ?? '' : null;
    return sortRows(rows, key, p.descending);
  });
}

export function giftIds(w: World, p: ListParams): Int32Array {
  return w.cached(`raise.gifts|${JSON.stringify(p)}`, () => {
    const b = w.base;
    const plain = p.modifiedAfter === null && p.donorId === null && p.filter === null && p.sortBy === 'id';
    const rows: { g: RaiseGiftPlan; d: RaiseDonorPlan }[] = [];
    const ids: number[] = [];
    const take = (d: RaiseDonorPlan) => {
      if (d.deleted || (p.donorId !== null && d.id !== p.donorId)) return;
      for (const g of d.gifts) if (!g.deleted && (p.modifiedAfter === null || g.modifiedAt > p.modifiedAfter)) rows.push({ g, d });
    };
    if (p.donorId !== null) {
      const d = w.donor(p.donorId);
      if (d) take(d);
    } else {
      for (let k = 0; k < b.raiseIdx.length; k++) {
        const i = b.raiseIdx[k]!;
        if (w.isTouched(i)) continue;
        if (plain) for (let n = 0; n < b.raiseGiftCount[k]!; n++) ids.push(raiseGiftId(i, n));
        else if (p.modifiedAfter === null || b.raiseMod[k]! > p.modifiedAfter) take(w.plan(i).raise!);
      }
      for (const [, pl] of w.overrides) if (pl.raise) take(pl.raise);
    }
    if (plain) {
      for (const r of rows) ids.push(r.g.id);
      return Int32Array.from(ids).sort();
    }
    const s = p.sortBy;
    type Row = (typeof rows)[0] & { id: number };
    const withId = rows.map((r) => ({ ...r, id: r.g.id })) as Row[];
    const key = s === 'date' || s === 'createddate' ? (r: Row) => r.g.createdAt : s === 'modifieddate' ? (r: Row) => r.g.modifiedAt : s === 'amount' ? (r: Row) => r.g.amountCents : s === 'donorname' ? (r: Row) => `${r.d.lastName} ${r.d.firstName}`.toLowerCase() : null;
    return sortRows(withId, key, p.descending);
  });
}

export function recurringIds(w: World, p: ListParams): Int32Array {
  return w.cached(`raise.recurring|${JSON.stringify(p)}`, () => {
    const rows: { id: number; created: number; modified: number }[] = [];
    const seen = new Set<number>();
    const add = (d: RaiseDonorPlan | null) => {
      const r = d?.recurring;
      if (!d || d.deleted || !r || seen.has(r.id) || (p.modifiedAfter !== null && r.modifiedAt <= p.modifiedAfter)) return;
      seen.add(r.id);
      rows.push({ id: r.id, created: r.createdAt, modified: r.modifiedAt });
    };
    for (const i of w.base.recurIdx) add(w.plan(i).raise);
    for (const [, pl] of w.overrides) add(pl.raise);
    const key = p.sortBy === 'modifieddate' ? (r: (typeof rows)[0]) => r.modified : p.sortBy === 'createddate' ? (r: (typeof rows)[0]) => r.created : null;
    return sortRows(rows, key, p.descending);
  });
}
