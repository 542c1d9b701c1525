/**
 * The Raise → CRM+ platform sync as it stood at the start: every eligible Raise gift whose lag
 * had passed is already a CRM+ gift (transactionSource "Raise", transactionId = Raise gift id)
 * on the donor's contact, and the donor carries crmKey. Gifts still inside the lag are returned
 * so the World can sync them when its clock passes.
 */
import { crmQuantize, dayOf } from '../time';
import type { GenCtx } from './build';
import { addCrmGift, contact, formatPhone, individual } from './build';
import { Rng } from '../prng';
import type { PersonPlan, RaiseGiftPlan } from './types';

export function eligibleInitially(ctx: GenCtx, g: RaiseGiftPlan): boolean {
  return !g.fails && (ctx.campaignById.get(g.campaignId)?.canSync ?? false);
}

export function applyBaseSync(ctx: GenCtx, plan: PersonPlan, lite = false): RaiseGiftPlan[] {
  const d = plan.raise;
  if (!d) return [];
  const pending: RaiseGiftPlan[] = [];
  const gifts = [...d.gifts].sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
  const r = new Rng(plan.i * 7919 + 17);
  for (const g of gifts) {
    if (!eligibleInitially(ctx, g)) continue;
    const at = g.createdAt + ctx.lagMs;
    if (at > ctx.startMs) {
      pending.push(g);
      continue;
    }
    if (!plan.crm) {
      const phone = d.phone ? formatPhone(d.phone.replace(/\D/g, '').slice(-10), 'paren') : null;
      plan.crm = contact(plan.i, {
        createdAt: at,
        individuals: lite
          ? []
          : [
          individual(plan.i, 0, {
            first: d.firstName,
            last: d.lastName,
            gender: null,
            isPrimary: true,
            emails: d.email ? [['Home Email', d.email.trim()]] : [],
            phones: phone ? [['Mobile Phone', phone]] : [],
          }),
        ],
        address: d.address,
        tags: ['Raise Donor'],
      });
    }
    if (d.crmKey === null) {
      d.crmKey = plan.crm.id;
      if (at > d.modifiedAt) d.modifiedAt = at;
    }
    addCrmGift(plan.i, plan.crm, dayOf(g.createdAt), g.amountCents, 'Credit', r, ctx.startMs, {
      source: 'Raise',
      transactionId: String(g.id),
      segment: ctx.campaignById.get(g.campaignId)?.name,
      createdAt: crmQuantize(at, g.id),
    });
  }
  return pending;
}
