/** Person i's plan: a scenario at its fixed index, else the generic generator. */
import type { GenCtx } from './build';
import { buildCampaigns } from './catalog';
import { planGeneric } from './generic';
import { planScenario, scenarioAt } from './scenarios';
import type { PersonPlan } from './types';

export type { GenCtx } from './build';

export function makeGenCtx(o: { seed: number; people: number; startMs: number; lagMs: number }): GenCtx {
  const campaigns = buildCampaigns(o.startMs);
  return { ...o, campaigns, campaignById: new Map(campaigns.map((c) => [c.id, c])) };
}

/** `lite`: only what the start-up index needs (timestamps, counts, crmKey); see planGeneric. */
export function planPerson(ctx: GenCtx, i: number, lite = false): PersonPlan {
  const j = scenarioAt(ctx.people, i);
  return j >= 0 ? planScenario(ctx, i, j) : planGeneric(ctx, i, lite);
}
