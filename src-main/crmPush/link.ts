/**
 * A confirmed push makes the volunteer count as a donor-side record: their person must hold the
 * CRM+ contact. How it gets there:
 * - The usual case — the contact has the volunteer's email (the Transaction sent it): the next
 *   CRM+ sync mirrors the contact and the identity join links it by email. Nothing to record.
 * - The nightly batch merged into an existing contact under another email (matched on name,
 *   address or phone), or the pair was linked by reference to such a contact: email cannot join
 *   them, and the identity code treats a contact reference only as a merge *candidate*. So a
 *   "same" decision is recorded on the pair of source keys (vomo:<id>, crm_individual:<id> — or
 *   crm_contact:<id> for a contact without individuals), through identity's own decision API;
 *   the join re-applies decisions at every rebuild, so the link holds from the next sync on.
 *   It is never recorded over a verdict the steward already gave on that pair.
 * The submissions table also keeps every confirmed pair (SubmissionsRepo.confirmedLinks) for a
 * join that wants to read them directly.
 */
import type { Db } from '../store/db';
import { canonicalPair, recordDecision } from '../identity/decisions';
import { defaultActor } from '../store/repos/audit';

export function linkIntoJoin(
  db: Db,
  profileId: number,
  c: { vomoUserId: string; contactId: string; individualId: string | null; email: string | null; contactEmails: string[] },
): 'email' | 'decision' | 'existing_decision' {
  const email = c.email?.trim().toLowerCase() ?? null;
  if (email && c.contactEmails.includes(email)) return 'email';
  const crmKey = c.individualId ? `crm_individual:${c.individualId}` : `crm_contact:${c.contactId}`;
  const [a, b] = canonicalPair(`vomo:${c.vomoUserId}`, crmKey);
  const prior = db.prepare(`SELECT 1 FROM identity_decisions WHERE profile_id = ? AND key_a = ? AND key_b = ? AND revoked_at IS NULL`).get(profileId, a, b);
  if (prior) return 'existing_decision';
  recordDecision(db, profileId, a, b, 'same', {
    emailJoined: false,
    kind: 'crm_push',
    reason: `CRM+ contact ${c.contactId} carries Twofold's reference for VOMO user ${c.vomoUserId} (Add to CRM+).`,
    actor: defaultActor(),
    now: new Date().toISOString(),
  });
  return 'decision';
}
