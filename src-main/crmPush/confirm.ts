/**
 * Confirm: pending submissions are looked up by our reference pair,
 * GET /api/Contact/{referenceSource}/{referenceId} (seed 004 step 4, pattern B), which answers
 * 404 while the Transaction is held and the contact once the nightly batch created it or merged
 * it into an existing one.
 *
 * Rules: politely — an automatic pass (after a sync) looks a row up at most once per
 * `pollIntervalHours` of wall time; the steward's "Check pending" looks up every waiting row
 * once. A found contact (followed through `mergedIntoContactId`) is linked to the person. A row
 * still not found once the reference clock passes its follow-up time (submission + the nightly
 * batch window + the follow-up window, seed 004 step 5) becomes 'needs_followup': the
 * Transaction may sit in CRM+'s needs-update bucket and wants a human. Such rows keep being
 * checked, and are confirmed if the contact shows up after all. Interrupted sends
 * ('submitting') found here are confirmed too; not found, they wait for the next submit run.
 */
import type { PushCheckResult, PushSettings } from '../../src-shared/domain/crmPush';
import { AppError } from '../../src-shared/errors';
import type { PushApi } from './crmApi';
import type { SubmissionsRepo } from './submissions';

export interface ConfirmContext {
  profileId: number;
  api: PushApi;
  repo: SubmissionsRepo;
  settings: PushSettings;
  now(): Promise<Date>;
  progress(current: number, total: number, message: string): void;
  /** Called for every confirmed row (links it into the join). */
  onConfirmed?(row: { personId: string | null; vomoUserId: string; contactId: string; individualId: string | null; email: string | null; contactEmails: string[] }): void;
  signal?: AbortSignal;
}

export async function checkPending(ctx: ConfirmContext, opts: { manual: boolean }): Promise<PushCheckResult> {
  const rows = ctx.repo.awaiting(ctx.profileId);
  const result: PushCheckResult = { checked: 0, confirmed: 0, stillPending: 0, needsFollowup: 0, notDue: 0, stopped: null };
  const pollMs = ctx.settings.pollIntervalHours * 3_600_000;
  const wallNow = Date.now();
  let i = 0;
  for (const row of rows) {
    i++;
    if (!opts.manual && row.last_checked_at && wallNow - Date.parse(row.last_checked_at) < pollMs) {
      result.notDue++;
      continue;
    }
    ctx.progress(i - 1, rows.length, row.display_name ?? row.reference_id);
    let found;
    try {
      found = await ctx.api.getByReference(row.reference_source, row.reference_id, row.email, ctx.signal);
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'NETWORK';
      result.stopped = {
        code,
        message:
          code === 'UNAUTHENTICATED'
            ? `Stopped: ${(err as Error).message}.`
            : `Stopped after ${result.checked} look-ups: ${(err as Error).message}. The rest are checked next time.`,
      };
      break;
    }
    result.checked++;
    const now = await ctx.now();
    if (found) {
      const contactId = found.mergedIntoContactId ?? found.id;
      ctx.repo.markFound(ctx.profileId, {
        personId: row.person_id,
        vomoUserId: row.vomo_user_id,
        source: row.reference_source,
        referenceId: row.reference_id,
        name: row.display_name,
        email: row.email,
        contactId,
        individualId: found.individualId,
        how: row.method === 'direct' ? 'direct' : 'reference',
        status: 'confirmed',
        at: now.toISOString(),
        batchId: row.batch_id,
      });
      ctx.onConfirmed?.({ personId: row.person_id, vomoUserId: row.vomo_user_id, contactId, individualId: found.individualId, email: row.email, contactEmails: found.emails });
      result.confirmed++;
      continue;
    }
    if (row.status === 'submitting') {
      ctx.repo.markChecked(row, false);
      result.stillPending++;
      continue;
    }
    const overdue = row.followup_due_at !== null && now.getTime() >= Date.parse(row.followup_due_at);
    ctx.repo.markChecked(row, overdue);
    if (overdue) result.needsFollowup++;
    else result.stillPending++;
  }
  ctx.progress(rows.length, rows.length, result.stopped?.message ?? 'done');
  return result;
}
