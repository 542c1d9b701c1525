import { describe, expect, it } from 'vitest';
import { makeGenCtx, planPerson } from '../../src-main/sandbox/generator/index';
import { DEFAULT_START } from '../../src-main/sandbox/time';

/** The start-up index reads "lite" plans; they must agree with full plans on everything it keeps. */
describe('lite plans', () => {
  it('match full plans on ids, timestamps, gift counts, crmKey and pending syncs', () => {
    for (const lagH of [2, 72]) {
      const ctx = makeGenCtx({ seed: 77, people: 3000, startMs: DEFAULT_START, lagMs: lagH * 3_600_000 });
      for (let i = 0; i < 3000; i++) {
        const full = planPerson(ctx, i);
        const lite = planPerson(ctx, i, true);
        const pick = (p: typeof full) => ({
          v: p.vomo && [p.vomo.id, p.vomo.createdAt, p.vomo.updatedAt],
          c: p.crm && [p.crm.id, p.crm.createdAt, p.crm.modifiedAt, p.crm.gifts.map((g) => [g.id, g.day, g.amountCents, g.modifiedAt])],
          r: p.raise && [p.raise.id, p.raise.createdAt, p.raise.modifiedAt, p.raise.crmKey, !!p.raise.recurring, p.raise.gifts.map((g) => [g.id, g.createdAt, g.campaignId, g.fails])],
        });
        expect(pick(lite), `person ${i}`).toEqual(pick(full));
      }
    }
  });
});
