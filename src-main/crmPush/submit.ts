/**
 * Submit: the previewed people go to CRM+ — new ones as Contact Transactions, found ones linked.
 *
 * Crash safety (why a person is never sent twice):
 * 1. Before the request leaves, the row for the reference pair is written as 'submitting' and
 *    committed (`claim`). The pair is UNIQUE per profile, so two runs or two batches cannot
 *    both own it, and a pair already 'pending'/'confirmed'/'linked_existing'/'needs_followup' is
 *    never claimed again.
 * 2. Only a 200 moves the row to 'pending'. A refusal (400/401/422/429 given up) means CRM+ holds
 *    nothing → 'failed', claimable again. A timeout, a dropped connection or a 5xx leaves the
 *    outcome unknown → the row stays 'submitting'.
 * 3. A run that meets a 'submitting' row (a crash or an unknown outcome before) first looks the
 *    pair up by reference. Found → confirmed, nothing sent. Not found → CRM+ either never got it
 *    or holds it unprocessed until the nightly batch; sending it again is safe because the
 *    Transaction endpoint is idempotent on the reference pair: the nightly batch matches by
 *    reference first, so a second Transaction with the same pair merges into the same contact
 *    and never creates a second one. So the only re-send possible is the one person whose
 *    request was in flight at the crash, and it cannot make a duplicate contact.
 * The direct create (one person, on request) is different — it does no matching — so it runs
 * only after a fresh lookup by reference and email, never retries automatically, and carries
 * our reference pair so an interrupted one is found by the lookup, never re-created.
 *
 * Errors are per person: a 422/400 names the field and only that person stays unsent; a 429 is
 * waited out by the client (Retry-After); a 401/403 stops the run with the token message.
 */
import { PUSH_REFERENCE_SOURCE, type PushPreviewItem, type PushSettings, type PushSubmitResult, type TransactionBody } from '../../src-shared/domain/crmPush';
import { AppError } from '../../src-shared/errors';
import { PushCallError, type PushApi } from './crmApi';
import type { SubmissionsRepo, SubmissionRow, BatchRow } from './submissions';
import { SETTLED } from './submissions';
import { directCreateBody } from './transactionBody';

export interface SubmitHooks {
  /** Test seam: runs after the claim is committed, before the request leaves. */
  afterClaim?(row: SubmissionRow): void | Promise<void>;
  /** Test seam: runs after CRM+ answered 200, before the row is marked pending. */
  afterSend?(row: SubmissionRow): void | Promise<void>;
}

export interface SubmitContext {
  profileId: number;
  api: PushApi;
  repo: SubmissionsRepo;
  settings: PushSettings;
  /** The reference clock (the sandbox runs on its own). */
  now(): Promise<Date>;
  progress(current: number, total: number, message: string): void;
  /** Called for every pair settled against a known contact (links it into the join). */
  onLinked?(c: { vomoUserId: string; contactId: string; individualId: string | null; email: string | null; contactEmails: string[] }): void;
  hooks?: SubmitHooks;
  signal?: AbortSignal;
}

export function followupDue(submittedAt: Date, s: Pick<PushSettings, 'nightlyBatchWindowHours' | 'followupAfterHours'>): string {
  return new Date(submittedAt.getTime() + (s.nightlyBatchWindowHours + s.followupAfterHours) * 3_600_000).toISOString();
}

const AMBIGUOUS_STOP_AFTER = 3;

function emptyResult(batchId: number): PushSubmitResult {
  return { batchId, submitted: 0, linked: 0, created: 0, skipped: 0, failed: 0, recovered: 0, stopped: null };
}

/** An interrupted send ('submitting'): found by reference → confirmed (true); else false (resend is safe). */
async function resolveInterrupted(ctx: SubmitContext, row: SubmissionRow): Promise<boolean> {
  const found = await ctx.api.getByReference(row.reference_source, row.reference_id, row.email, ctx.signal);
  if (!found) return false;
  ctx.repo.markFound(ctx.profileId, {
    personId: row.person_id,
    vomoUserId: row.vomo_user_id,
    source: row.reference_source,
    referenceId: row.reference_id,
    name: row.display_name,
    email: row.email,
    contactId: found.mergedIntoContactId ?? found.id,
    individualId: found.individualId,
    how: row.method === 'direct' ? 'direct' : 'reference',
    status: 'confirmed',
    at: (await ctx.now()).toISOString(),
    batchId: row.batch_id,
  });
  ctx.onLinked?.({ vomoUserId: row.vomo_user_id, contactId: found.mergedIntoContactId ?? found.id, individualId: found.individualId, email: row.email, contactEmails: found.emails });
  return true;
}

type Outcome = 'submitted' | 'linked' | 'skipped' | 'failed' | 'recovered' | 'created';

async function sendOne(ctx: SubmitContext, batch: BatchRow, item: PushPreviewItem, body: TransactionBody): Promise<Outcome> {
  const pair = { source: PUSH_REFERENCE_SOURCE, referenceId: body.referenceId };
  let existing = ctx.repo.get(ctx.profileId, pair.source, pair.referenceId);
  if (existing && SETTLED.includes(existing.status)) return 'skipped';
  let resume = false;
  if (existing?.status === 'submitting') {
    if (await resolveInterrupted(ctx, existing)) return 'recovered';
    resume = true;
  }
  const claimed = ctx.repo.claim(
    ctx.profileId,
    { personId: item.personId, vomoUserId: item.vomoUserId!, source: pair.source, referenceId: pair.referenceId, name: item.name, email: item.email, body, batchId: batch.id, method: 'transaction' },
    { resume },
  );
  if (!claimed) return 'skipped';
  existing = ctx.repo.get(ctx.profileId, pair.source, pair.referenceId)!;
  await ctx.hooks?.afterClaim?.(existing);
  ctx.repo.countAttempt(existing.id);
  try {
    await ctx.api.submitTransaction(body, ctx.signal);
  } catch (err) {
    return settleError(ctx, existing, err);
  }
  await ctx.hooks?.afterSend?.(existing);
  const at = await ctx.now();
  ctx.repo.markPending({ ...existing, attempts: existing.attempts + 1 }, at.toISOString(), followupDue(at, ctx.settings));
  return 'submitted';
}

/** Per-person error handling; throws (stopping the run) for a refused token, the rate limit or cancel. */
function settleError(ctx: SubmitContext, row: SubmissionRow, err: unknown): 'failed' {
  const e = err instanceof PushCallError ? err : null;
  const code = err instanceof AppError ? err.code : 'INTERNAL';
  const message = (err as Error)?.message ?? String(err);
  if (code === 'UNAUTHENTICATED' || code === 'RATE_LIMITED') {
    // CRM+ refused the request itself: nothing is held there for this pair.
    ctx.repo.markFailed(row, { status: e?.status ?? null, field: null, message: `Not sent: ${message}` });
    throw err;
  }
  if (code === 'CANCELLED' || e?.ambiguous || !(err instanceof AppError)) {
    ctx.repo.markUnknown(row, `Outcome unknown: ${message}. The next run looks it up by reference before sending again.`);
    throw new AmbiguousError(err);
  }
  ctx.repo.markFailed(row, { status: e?.status ?? null, field: e?.field ?? null, message });
  return 'failed';
}

class AmbiguousError extends Error {
  constructor(readonly cause: unknown) {
    super((cause as Error)?.message ?? String(cause));
  }
}

async function linkFound(ctx: SubmitContext, batch: BatchRow, item: PushPreviewItem): Promise<Outcome> {
  const existing = ctx.repo.get(ctx.profileId, PUSH_REFERENCE_SOURCE, item.vomoUserId!);
  if (existing && (existing.status === 'confirmed' || existing.status === 'linked_existing')) return 'skipped';
  ctx.repo.markFound(ctx.profileId, {
    personId: item.personId,
    vomoUserId: item.vomoUserId!,
    source: PUSH_REFERENCE_SOURCE,
    referenceId: item.vomoUserId!,
    name: item.name,
    email: item.email,
    contactId: item.contactId!,
    individualId: item.contactIndividualId ?? null,
    how: item.classification === 'by_email' ? 'email' : 'reference',
    status: 'linked_existing',
    at: (await ctx.now()).toISOString(),
    batchId: batch.id,
  });
  ctx.onLinked?.({ vomoUserId: item.vomoUserId!, contactId: item.contactId!, individualId: item.contactIndividualId ?? null, email: item.email, contactEmails: item.contactEmails ?? [] });
  return 'linked';
}

export async function submitBatch(ctx: SubmitContext, batch: BatchRow, items: PushPreviewItem[]): Promise<PushSubmitResult> {
  const result = emptyResult(batch.id);
  let ambiguousInARow = 0;
  let i = 0;
  for (const item of items) {
    i++;
    ctx.progress(i - 1, items.length, `${item.name}`);
    let outcome: Outcome;
    try {
      if (item.classification === 'by_reference' || item.classification === 'by_email') outcome = item.contactId && item.vomoUserId ? await linkFound(ctx, batch, item) : 'skipped';
      else if (item.classification === 'new' && item.body) outcome = await sendOne(ctx, batch, item, item.body);
      else outcome = 'skipped';
      ambiguousInARow = 0;
    } catch (err) {
      if (err instanceof AmbiguousError) {
        ambiguousInARow++;
        const inner = err.cause;
        if ((inner instanceof AppError && inner.code === 'CANCELLED') || ambiguousInARow >= AMBIGUOUS_STOP_AFTER) {
          result.stopped = {
            code: inner instanceof AppError ? inner.code : 'NETWORK',
            message:
              inner instanceof AppError && inner.code === 'CANCELLED'
                ? 'Stopped on request. Run "Add to CRM+" again to finish: nobody already sent will be sent twice.'
                : `Stopped: CRM+ kept failing (${err.message}). Run "Add to CRM+" again later; interrupted sends are looked up first, nobody is sent twice.`,
          };
          break;
        }
        continue;
      }
      if (err instanceof AppError && (err.code === 'UNAUTHENTICATED' || err.code === 'RATE_LIMITED')) {
        result.failed++;
        result.stopped = {
          code: err.code,
          message:
            err.code === 'UNAUTHENTICATED'
              ? `Stopped: ${err.message}. Nobody after this person was sent.`
              : `Stopped: ${err.message}. The rest were not sent; run again after the hourly budget resets.`,
        };
        break;
      }
      throw err;
    }
    result[outcome]++;
  }
  ctx.progress(items.length, items.length, result.stopped ? result.stopped.message : 'done');
  return result;
}

/**
 * "Create now" for one person: a fresh lookup (reference, then email), and only if CRM+ has no
 * such contact, POST /api/Contact with our reference pair. Never for a pair already sent.
 */
export async function createImmediately(ctx: SubmitContext, batch: BatchRow, item: PushPreviewItem, body: TransactionBody): Promise<PushSubmitResult> {
  const result = emptyResult(batch.id);
  const pair = { source: PUSH_REFERENCE_SOURCE, referenceId: body.referenceId };
  const existing = ctx.repo.get(ctx.profileId, pair.source, pair.referenceId);
  if (existing && SETTLED.includes(existing.status)) {
    throw new AppError(
      'CONFLICT',
      existing.status === 'pending' || existing.status === 'needs_followup'
        ? `${item.name} was already sent through a Contact Transaction; creating the contact now could leave CRM+ with two. Wait for the nightly batch, or resolve it in CRM+.`
        : `${item.name} is already linked to CRM+ contact ${existing.confirmed_contact_id}.`,
    );
  }
  if (existing?.status === 'submitting' && (await resolveInterrupted(ctx, existing))) {
    result.recovered++;
    return result;
  }
  const byRef = await ctx.api.findByReference(pair.source, pair.referenceId, ctx.signal);
  const byEmail = byRef ? null : item.email ? await ctx.api.findByEmail(item.email, ctx.signal) : null;
  const found = byRef ?? byEmail;
  if (found) {
    ctx.repo.markFound(ctx.profileId, {
      personId: item.personId,
      vomoUserId: item.vomoUserId!,
      source: pair.source,
      referenceId: pair.referenceId,
      name: item.name,
      email: item.email,
      contactId: found.id,
      individualId: found.individualId,
      how: byRef ? 'reference' : 'email',
      status: 'linked_existing',
      at: (await ctx.now()).toISOString(),
      batchId: batch.id,
    });
    ctx.onLinked?.({ vomoUserId: item.vomoUserId!, contactId: found.id, individualId: found.individualId, email: item.email, contactEmails: found.emails });
    result.linked++;
    return result;
  }
  const direct = directCreateBody(body);
  const claimed = ctx.repo.claim(
    ctx.profileId,
    { personId: item.personId, vomoUserId: item.vomoUserId!, source: pair.source, referenceId: pair.referenceId, name: item.name, email: item.email, body: direct, batchId: batch.id, method: 'direct' },
    { resume: existing?.status === 'submitting' },
  );
  if (!claimed) {
    result.skipped++;
    return result;
  }
  const row = ctx.repo.get(ctx.profileId, pair.source, pair.referenceId)!;
  await ctx.hooks?.afterClaim?.(row);
  ctx.repo.countAttempt(row.id);
  let created;
  try {
    created = await ctx.api.createContact(direct, item.email, ctx.signal);
  } catch (err) {
    try {
      settleError(ctx, row, err);
    } catch (stop) {
      if (stop instanceof AmbiguousError) {
        result.stopped = { code: 'NETWORK', message: `The outcome of the create is unknown (${stop.message}). Run it again: CRM+ is asked by reference first, so no second contact is made.` };
        return result;
      }
      throw stop;
    }
    result.failed++;
    return result;
  }
  ctx.repo.markFound(ctx.profileId, {
    personId: item.personId,
    vomoUserId: item.vomoUserId!,
    source: pair.source,
    referenceId: pair.referenceId,
    name: item.name,
    email: item.email,
    contactId: created.id,
    individualId: created.individualId,
    how: 'direct',
    status: 'confirmed',
    at: (await ctx.now()).toISOString(),
    batchId: batch.id,
  });
  ctx.onLinked?.({ vomoUserId: item.vomoUserId!, contactId: created.id, individualId: created.individualId, email: item.email, contactEmails: created.emails });
  result.created++;
  return result;
}
