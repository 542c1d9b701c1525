/**
 * The pre-create lookup (seed 004 step 2, end-to-end steps 1–2): for each person, is there
 * already a CRM+ contact — first by our reference pair, then by the volunteer's email?
 *
 * Rules: persons Twofold already handled are answered from the local store without a call
 * (pending ones are never looked up here — confirmation is checkPending's job, at its polite
 * interval); Find matches exact values only, so a miss by email is not proof of absence, which
 * is why the Transaction (whose nightly batch also matches name, address, phone) is the path
 * for the rest; a refused token stops the whole lookup; any other refusal on one person marks
 * only that person.
 */
import { PUSH_REFERENCE_SOURCE, type PushPreviewItem, type PushSettings } from '../../src-shared/domain/crmPush';
import { AppError } from '../../src-shared/errors';
import { PushCallError, type FoundContact } from './crmApi';
import type { PersonForPush } from './people';
import type { SubmissionRow } from './submissions';
import { buildTransactionBody, ineligibleReason } from './transactionBody';

export function localClassification(p: PersonForPush, existing: SubmissionRow | undefined): PushPreviewItem | null {
  const base = { personId: p.personId, vomoUserId: p.vomoUserId, name: p.displayName, email: p.email, contactName: null, body: null };
  const why = ineligibleReason(p);
  if (why) return { ...base, classification: 'not_eligible', contactId: null, reason: why, submissionStatus: existing?.status ?? null };
  if (!existing) return null;
  switch (existing.status) {
    case 'confirmed':
    case 'linked_existing':
      return {
        ...base,
        classification: existing.confirmed_how === 'email' ? 'by_email' : 'by_reference',
        contactId: existing.confirmed_contact_id,
        reason: `Already linked to CRM+ contact ${existing.confirmed_contact_id} (${existing.confirmed_how === 'email' ? 'by email' : existing.confirmed_how === 'direct' ? 'created directly' : `by reference ${PUSH_REFERENCE_SOURCE}/${existing.reference_id}`}).`,
        submissionStatus: existing.status,
      };
    case 'pending':
    case 'needs_followup':
      return {
        ...base,
        classification: 'already_submitted',
        contactId: null,
        reason:
          existing.status === 'pending'
            ? `Sent on ${existing.submitted_at ?? '?'}; waiting for CRM+'s nightly batch. It will not be sent again.`
            : `Sent on ${existing.submitted_at ?? '?'} and still not in CRM+ after the follow-up window: check CRM+ by hand. It will not be sent again.`,
        submissionStatus: existing.status,
      };
    default:
      // 'submitting' (interrupted), 'failed', 'preview': look it up remotely.
      return null;
  }
}

/** Where the lookup asks: CRM+ itself (`Find`), or the local CRM+ mirror with its recent changes. */
export interface ContactFinder {
  findByReference(source: string, id: string, signal?: AbortSignal): Promise<FoundContact | null>;
  findByEmail(email: string, signal?: AbortSignal): Promise<FoundContact | null>;
}

export async function lookupPerson(api: ContactFinder, p: PersonForPush, settings: PushSettings, existing: SubmissionRow | undefined, signal?: AbortSignal): Promise<PushPreviewItem> {
  const local = localClassification(p, existing);
  if (local) return local;
  const base = { personId: p.personId, vomoUserId: p.vomoUserId, name: p.displayName, email: p.email, submissionStatus: existing?.status ?? null };
  const refId = p.vomoUserId!.trim();
  try {
    const byRef = await api.findByReference(PUSH_REFERENCE_SOURCE, refId, signal);
    if (byRef) {
      return {
        ...base,
        classification: 'by_reference',
        contactId: byRef.id,
        contactName: byRef.name,
        contactIndividualId: byRef.individualId,
        contactEmails: byRef.emails,
        body: null,
        reason: `CRM+ contact ${byRef.id}${byRef.name ? ` (${byRef.name})` : ''} already carries our reference ${PUSH_REFERENCE_SOURCE}/${refId}: it will be linked, nothing sent.`,
      };
    }
    const email = p.email?.trim();
    if (email) {
      const byEmail = await api.findByEmail(email, signal);
      if (byEmail) {
        return {
          ...base,
          classification: 'by_email',
          contactId: byEmail.id,
          contactName: byEmail.name,
          contactIndividualId: byEmail.individualId,
          contactEmails: byEmail.emails,
          body: null,
          reason: `CRM+ contact ${byEmail.id}${byEmail.name ? ` (${byEmail.name})` : ''} has the email ${email}: it will be linked, nothing sent (no duplicate).`,
        };
      }
    }
  } catch (err) {
    if (err instanceof AppError && (err.code === 'UNAUTHENTICATED' || err.code === 'CANCELLED' || err.code === 'NETWORK' || err.code === 'RATE_LIMITED')) throw err;
    if (err instanceof PushCallError && err.ambiguous) throw err;
    return {
      ...base,
      classification: 'not_eligible',
      contactId: null,
      contactName: null,
      body: null,
      reason: `The lookup in CRM+ failed for this person, so nothing will be sent: ${(err as Error).message}`,
    };
  }
  const body = buildTransactionBody(p, settings);
  const interrupted = existing?.status === 'submitting';
  return {
    ...base,
    classification: 'new',
    contactId: null,
    contactName: null,
    body,
    reason: interrupted
      ? 'An earlier send was interrupted and CRM+ does not show the contact yet: sending again is safe (the nightly batch matches our reference first).'
      : existing?.status === 'failed'
        ? `Not found in CRM+. The last send failed (${existing.error_field ? existing.error_field + ': ' : ''}${existing.error_message ?? 'refused'}); it will be sent again.`
        : `Not found in CRM+ by reference${p.email ? ' or email' : ' (no email to look up)'}: a Contact Transaction will be sent.`,
  };
}
