/**
 * The deletion valve. A full walk marks the records it did not see as gone; an answer that only
 * looked complete (an empty page from a misbehaving server, a permission change that hides most
 * records) would make that "almost everything", and a push after it would create duplicates in
 * the organization's CRM. So before marking, the valve counts: when more than the profile's
 * share of a resource's live records would go at once, it marks nothing and holds, unless the
 * steward confirmed deletions for this run. Counting and marking happen inside the caller's
 * page transaction, so what is counted is what would be marked.
 */
import { AppError } from '../../src-shared/errors';
import type { SyncSettings } from '../../src-shared/domain/sync';

export interface DeletionHold {
  resource: string;
  /** Live records the walk did not see. */
  wouldMark: number;
  /** Live records before the sweep. */
  live: number;
}

/** A mirror that can say what a sweep would mark, and mark it. */
export interface Sweepable {
  sweepCandidates(profileId: number, walkStartedAt: string): { wouldMark: number; live: number };
  sweep(profileId: number, walkStartedAt: string, now: string): number;
}

export class DeletionValve {
  readonly holds: DeletionHold[] = [];

  constructor(private readonly opts: { limitPercent: number; confirmed: boolean }) {}

  static from(settings: SyncSettings, confirmed: boolean): DeletionValve {
    return new DeletionValve({ limitPercent: settings.deletionLimitPercent, confirmed });
  }

  /** Marks as gone what the completed full walk did not see, or holds; returns how many were marked. */
  sweep(table: Sweepable, resource: string, profileId: number, walkStartedAt: string, now: string): number {
    const { wouldMark, live } = table.sweepCandidates(profileId, walkStartedAt);
    if (wouldMark === 0) return 0;
    if (!this.opts.confirmed && wouldMark * 100 > this.opts.limitPercent * live) {
      this.holds.push({ resource, wouldMark, live });
      return 0;
    }
    return table.sweep(profileId, walkStartedAt, now);
  }

  /** The collector's verdict when something was held: nothing marked, the counts, the way on. */
  error(apiLabel: string): AppError | null {
    if (!this.holds.length) return null;
    const parts = this.holds.map((h) => `${h.wouldMark.toLocaleString('en-US')} of ${h.live.toLocaleString('en-US')} ${h.resource} (${Math.round((h.wouldMark * 100) / Math.max(1, h.live))}%)`);
    return new AppError(
      'DELETIONS_HELD',
      `${apiLabel}: this full sync would mark ${parts.join(' and ')} as deleted, more than the ${this.opts.limitPercent}% Twofold marks at once, so nothing was marked. ` +
        `If they really were deleted in ${apiLabel}, run the full sync again and confirm the deletions.`,
    );
  }
}
