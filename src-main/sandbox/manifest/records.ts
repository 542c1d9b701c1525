/** Record totals per resource, exactly as an unfiltered list walk reports them (malformed included). */
import { contactIds, giftIds as crmGiftIds } from '../crm/lists';
import { donorIds, giftIds as raiseGiftIds, recurringIds } from '../raise/lists';
import type { World } from '../state/world';
import { userIds } from '../vomo/lists';

export function recordCounts(w: World) {
  const all = { groups: [], sortBy: null, descending: false };
  const raise = { modifiedAfter: null, sortBy: 'id', descending: false, filter: null, donorId: null };
  let malformedUsers = 0;
  let malformedContacts = 0;
  for (const i of w.scenarioIndexes) {
    const p = w.plan(i);
    if (p.vomo?.malformed && !p.vomo.deleted) malformedUsers++;
    if (p.crm?.malformed && !p.crm.deleted) malformedContacts++;
  }
  return {
    vomo: { users: userIds(w, {}).length, malformedUsers },
    crm: { contacts: contactIds(w, all, 'id').length, malformedContacts, gifts: crmGiftIds(w, all, 'id').length },
    raise: { donors: donorIds(w, raise).length, gifts: raiseGiftIds(w, raise).length, recurringGifts: recurringIds(w, raise).length, campaigns: w.ctx.campaigns.length },
  };
}
