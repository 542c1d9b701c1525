/**
 * One pass over the whole population at start-up, keeping only compact typed arrays: which
 * person has which record, and the timestamps that filters and sorts need. A few tens of bytes
 * per person; the records themselves are regenerated on demand.
 */
import type { GenCtx } from '../generator/build';
import { planPerson } from '../generator/index';
import { eligibleInitially } from '../generator/baseSync';

export interface PendingSync {
  i: number;
  giftId: number;
  at: number;
}

export interface BaseIndex {
  vomoIdx: Int32Array;
  vomoUpd: Float64Array;
  vomoCreated: Float64Array;
  crmIdx: Int32Array;
  crmMod: Float64Array;
  crmCreated: Float64Array;
  /** Positions into crmIdx ordered by (modifiedDateTimeUtc, id). */
  crmByMod: Int32Array;
  crmGiftCount: Uint8Array;
  raiseIdx: Int32Array;
  raiseMod: Float64Array;
  raiseCreated: Float64Array;
  raiseGiftCount: Uint8Array;
  recurIdx: Int32Array;
  pending: PendingSync[];
  generatedMs: number;
}

export function buildBaseIndex(ctx: GenCtx): BaseIndex {
  const t0 = Date.now();
  const N = ctx.people;
  const vomoIdx = new Int32Array(N);
  const vomoUpd = new Float64Array(N);
  const vomoCreated = new Float64Array(N);
  const crmIdx = new Int32Array(N);
  const crmMod = new Float64Array(N);
  const crmCreated = new Float64Array(N);
  const crmGiftCount = new Uint8Array(N);
  const raiseIdx = new Int32Array(N);
  const raiseMod = new Float64Array(N);
  const raiseCreated = new Float64Array(N);
  const raiseGiftCount = new Uint8Array(N);
  const recurIdx = new Int32Array(N);
  let nv = 0;
  let nc = 0;
  let nr = 0;
  let nrec = 0;
  const pending: PendingSync[] = [];
  for (let i = 0; i < N; i++) {
    const p = planPerson(ctx, i, true);
    if (p.vomo) {
      vomoIdx[nv] = i;
      vomoUpd[nv] = p.vomo.updatedAt;
      vomoCreated[nv++] = p.vomo.createdAt;
    }
    if (p.crm) {
      crmIdx[nc] = i;
      crmMod[nc] = p.crm.modifiedAt;
      crmCreated[nc] = p.crm.createdAt;
      crmGiftCount[nc++] = p.crm.gifts.length;
    }
    if (p.raise) {
      raiseIdx[nr] = i;
      raiseMod[nr] = p.raise.modifiedAt;
      raiseCreated[nr] = p.raise.createdAt;
      raiseGiftCount[nr++] = p.raise.gifts.length;
      if (p.raise.recurring) recurIdx[nrec++] = i;
      for (const g of p.raise.gifts) {
        if (eligibleInitially(ctx, g) && g.createdAt + ctx.lagMs > ctx.startMs) pending.push({ i, giftId: g.id, at: g.createdAt + ctx.lagMs });
      }
    }
  }
  const mod = crmMod.subarray(0, nc);
  const order = new Int32Array(nc);
  for (let k = 0; k < nc; k++) order[k] = k;
  order.sort((a, b) => mod[a]! - mod[b]! || a - b);
  pending.sort((a, b) => a.at - b.at || a.giftId - b.giftId);
  // slice() (not subarray) so the oversized buffers are released.
  return {
    vomoIdx: vomoIdx.slice(0, nv),
    vomoUpd: vomoUpd.slice(0, nv),
    vomoCreated: vomoCreated.slice(0, nv),
    crmIdx: crmIdx.slice(0, nc),
    crmMod: crmMod.slice(0, nc),
    crmCreated: crmCreated.slice(0, nc),
    crmByMod: order,
    crmGiftCount: crmGiftCount.slice(0, nc),
    raiseIdx: raiseIdx.slice(0, nr),
    raiseMod: raiseMod.slice(0, nr),
    raiseCreated: raiseCreated.slice(0, nr),
    raiseGiftCount: raiseGiftCount.slice(0, nr),
    recurIdx: recurIdx.slice(0, nrec),
    pending,
    generatedMs: Date.now() - t0,
  };
}

/** Position of person i in a sorted index array, or -1. */
export function posOf(idx: Int32Array, i: number): number {
  let lo = 0;
  let hi = idx.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = idx[mid]!;
    if (v === i) return mid;
    if (v < i) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
