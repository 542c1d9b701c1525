/** VOMO user ids (ascending, like Laravel's default) matching the list filters, cached per state. */
import type { VomoUserPlan } from '../generator/types';
import type { World } from '../state/world';
import { vomoUserId } from '../generator/ids';

export interface UserFilter {
  updatedAfter?: number;
  updatedBefore?: number;
  createdAfter?: number;
  createdBefore?: number;
  nameLike?: string;
  emailLike?: string;
}

export function userIds(w: World, f: UserFilter): Int32Array {
  return w.cached(`vomo.users|${JSON.stringify(f)}`, () => {
    const out: number[] = [];
    const textual = f.nameLike !== undefined || f.emailLike !== undefined;
    const ok = (upd: number, created: number) =>
      (f.updatedAfter === undefined || upd > f.updatedAfter) &&
      (f.updatedBefore === undefined || upd < f.updatedBefore) &&
      (f.createdAfter === undefined || created > f.createdAfter) &&
      (f.createdBefore === undefined || created < f.createdBefore);
    const text = (v: VomoUserPlan) =>
      (f.nameLike === undefined || `${v.firstName} ${v.lastName}`.toLowerCase().includes(f.nameLike.toLowerCase())) &&
      (f.emailLike === undefined || (typeof v.email === 'string' && v.email.toLowerCase().includes(f.emailLike.toLowerCase())));
    const b = w.base;
    for (let p = 0; p < b.vomoIdx.length; p++) {
      const i = b.vomoIdx[p]!;
      if (w.isTouched(i) || textual) {
        const v = w.plan(i).vomo;
        if (!v || v.deleted || v.id >= w.starts.vomoUser) continue;
        if (ok(v.updatedAt, v.createdAt) && text(v)) out.push(v.id);
      } else if (ok(b.vomoUpd[p]!, b.vomoCreated[p]!)) out.push(vomoUserId(i));
    }
    const later: VomoUserPlan[] = [];
    for (const [, p] of w.overrides) if (p.vomo && !p.vomo.deleted && p.vomo.id >= w.starts.vomoUser) later.push(p.vomo);
    later.sort((a, c) => a.id - c.id);
    for (const v of later) if (ok(v.updatedAt, v.createdAt) && text(v)) out.push(v.id);
    return Int32Array.from(out);
  });
}
