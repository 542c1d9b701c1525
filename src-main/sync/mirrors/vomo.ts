/** VOMO mirrors: users, and each user's participations (read from /users/{id}). */
import type { Db } from '../../store/db';
import type { VomoParticipationRow, VomoUserRow } from '../../connectors/vomo/schemas';
import { MirrorTable, type UpsertOutcome } from './table';

const USER_COLS: (keyof VomoUserRow & string)[] = [
  'id', 'email', 'email_norm', 'first_name', 'last_name', 'full_name', 'phone', 'address', 'birthday', 'gender',
  'user_status', 'membership_status', 'membership_role', 'created_at', 'updated_at',
];

export interface ParticipationCounts {
  new: number;
  updated: number;
  unchanged: number;
  removed: number;
}

export class VomoMirror {
  readonly users: MirrorTable<VomoUserRow>;
  private readonly clearDetail;
  private readonly markDetail;
  private readonly markGone;
  private readonly selParts;
  private readonly insPart;
  private readonly updPart;
  private readonly touchPart;
  private readonly delPart;
  private readonly backlog;
  private readonly backlogCount;
  private readonly selPart;
  private readonly selPartsOfDate;
  private readonly userLive;

  constructor(private readonly db: Db) {
    this.users = new MirrorTable<VomoUserRow>(db, 'vomo_users', USER_COLS);
    this.clearDetail = db.prepare('UPDATE vomo_users SET detail_fetched_at = NULL WHERE profile_id = ? AND id = ?');
    this.markDetail = db.prepare('UPDATE vomo_users SET detail_fetched_at = ? WHERE profile_id = ? AND id = ?');
    this.markGone = db.prepare('UPDATE vomo_users SET gone_at = ?, detail_fetched_at = ? WHERE profile_id = ? AND id = ?');
    this.selParts = db.prepare('SELECT id, raw_json FROM vomo_participations WHERE profile_id = ? AND user_id = ?');
    this.insPart = db.prepare(
      `INSERT INTO vomo_participations (profile_id, user_id, id, project_date_id, project_name, hours, signed_up_at,
         checked_in_at, checked_out_at, verified, raw_json, last_synced_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updPart = db.prepare(
      `UPDATE vomo_participations SET project_date_id = ?, project_name = ?, hours = ?, signed_up_at = ?, checked_in_at = ?,
         checked_out_at = ?, verified = ?, raw_json = ?, last_synced_at = ?
       WHERE profile_id = ? AND user_id = ? AND id = ?`,
    );
    this.touchPart = db.prepare('UPDATE vomo_participations SET last_synced_at = ? WHERE profile_id = ? AND user_id = ? AND id = ?');
    this.delPart = db.prepare('DELETE FROM vomo_participations WHERE profile_id = ? AND user_id = ? AND id = ?');
    this.backlog = db
      .prepare(
        `SELECT id FROM vomo_users WHERE profile_id = ? AND gone_at IS NULL
           AND (detail_fetched_at IS NULL OR detail_fetched_at < ?) AND id > ?
         ORDER BY id LIMIT ?`,
      )
      .pluck();
    this.backlogCount = db
      .prepare(`SELECT count(*) FROM vomo_users WHERE profile_id = ? AND gone_at IS NULL AND (detail_fetched_at IS NULL OR detail_fetched_at < ?)`)
      .pluck();
    this.selPart = db.prepare(
      `SELECT id, project_date_id, project_name, hours, signed_up_at, checked_in_at, checked_out_at, verified FROM vomo_participations WHERE profile_id = ? AND user_id = ? AND id = ?`,
    );
    this.selPartsOfDate = db.prepare(
      `SELECT user_id, id, project_name, hours, signed_up_at, checked_in_at, checked_out_at, verified FROM vomo_participations WHERE profile_id = ? AND project_date_id = ?`,
    );
    this.userLive = db.prepare('SELECT 1 FROM vomo_users WHERE profile_id = ? AND id = ? AND gone_at IS NULL').pluck();
  }

  /** Live users known to the mirror (a project date may list users not mirrored: quarantined, deleted). */
  hasUser(profileId: number, userId: string): boolean {
    return this.userLive.get(profileId, userId) !== undefined;
  }

  /**
   * The participants of one project date, as that date listed them: each is matched to the row of
   * the same user and id — or, when the date's entry carries another id than the user's detail
   * gave, to that user's only row on this date — and inserted, updated or left alone; rows on this
   * date whose participant is no longer listed are removed. Users not mirrored are skipped.
   */
  replaceDateParticipants(
    profileId: number,
    dateId: string,
    parts: { userId: string; row: VomoParticipationRow; raw: string }[],
    now: string,
    /** Users with an entry that could not be read: their rows on this date stay. */
    keepUsers: Set<string>,
  ): ParticipationCounts & { skipped: number } {
    type Have = { user_id: string; id: string; project_name: string | null; hours: number | null; signed_up_at: string | null; checked_in_at: string | null; checked_out_at: string | null; verified: number | null };
    const onDate = this.selPartsOfDate.all(profileId, dateId) as Have[];
    const byKey = new Map(onDate.map((r) => [`${r.user_id}/${r.id}`, r]));
    const byUser = new Map<string, Have[]>();
    for (const r of onDate) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r]);
    const counts = { new: 0, updated: 0, unchanged: 0, removed: 0, skipped: 0 };
    const seen = new Set<string>();
    const sameValues = (a: Have, b: VomoParticipationRow) =>
      a.project_name === b.project_name && a.hours === b.hours && a.signed_up_at === b.signed_up_at && a.checked_in_at === b.checked_in_at && a.checked_out_at === b.checked_out_at && a.verified === b.verified;
    for (const { userId, row: r, raw } of parts) {
      if (!this.hasUser(profileId, userId)) {
        counts.skipped++;
        continue;
      }
      let have = byKey.get(`${userId}/${r.id}`);
      if (!have) {
        const elsewhere = this.selPart.get(profileId, userId, r.id) as Have | undefined;
        if (elsewhere) have = { ...elsewhere, user_id: userId };
      }
      if (!have) {
        const mine = (byUser.get(userId) ?? []).filter((x) => !seen.has(`${userId}/${x.id}`));
        if (mine.length === 1) have = mine[0];
      }
      const id = have?.id ?? r.id;
      const key = `${userId}/${id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!have) {
        this.insPart.run(profileId, userId, id, r.project_date_id, r.project_name, r.hours, r.signed_up_at, r.checked_in_at, r.checked_out_at, r.verified, raw, now);
        counts.new++;
      } else if (sameValues(have, r)) {
        this.touchPart.run(now, profileId, userId, id);
        counts.unchanged++;
      } else {
        this.updPart.run(r.project_date_id, r.project_name, r.hours, r.signed_up_at, r.checked_in_at, r.checked_out_at, r.verified, raw, now, profileId, userId, id);
        counts.updated++;
      }
    }
    for (const r of onDate) {
      const key = `${r.user_id}/${r.id}`;
      if (!seen.has(key) && !keepUsers.has(r.user_id)) {
        this.delPart.run(profileId, r.user_id, r.id);
        counts.removed++;
      }
    }
    return counts;
  }

  /** Upserts the user; a new or changed user needs its detail (participations) read again. */
  upsertUser(profileId: number, u: VomoUserRow, rawJson: string, now: string): UpsertOutcome {
    const outcome = this.users.upsert(profileId, u, rawJson, now);
    if (outcome !== 'unchanged') this.clearDetail.run(profileId, u.id);
    return outcome;
  }

  /** Users whose participations must be read: never read, or read before `before` (full sync). */
  detailBacklog(profileId: number, before: string | null, limit: number, afterId: string | null): string[] {
    return this.backlog.all(profileId, before ?? '', afterId ?? '', limit) as string[];
  }

  countDetailBacklog(profileId: number, before: string | null): number {
    return this.backlogCount.get(profileId, before ?? '') as number;
  }

  /** Replaces one user's participations with what the detail said; counts per outcome. */
  replaceParticipations(
    profileId: number,
    userId: string,
    parts: { row: VomoParticipationRow; raw: string }[],
    now: string,
    /** Participations that failed to parse: their old rows stay (nothing is lost). */
    keepIds: Set<string>,
  ): ParticipationCounts {
    const existing = new Map((this.selParts.all(profileId, userId) as { id: string; raw_json: string }[]).map((r) => [r.id, r.raw_json]));
    const counts: ParticipationCounts = { new: 0, updated: 0, unchanged: 0, removed: 0 };
    const seen = new Set<string>();
    for (const { row, raw } of parts) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      const prev = existing.get(row.id);
      const r = row;
      if (prev === undefined) {
        this.insPart.run(profileId, userId, r.id, r.project_date_id, r.project_name, r.hours, r.signed_up_at, r.checked_in_at, r.checked_out_at, r.verified, raw, now);
        counts.new++;
      } else if (prev === raw) {
        this.touchPart.run(now, profileId, userId, row.id);
        counts.unchanged++;
      } else {
        this.updPart.run(r.project_date_id, r.project_name, r.hours, r.signed_up_at, r.checked_in_at, r.checked_out_at, r.verified, raw, now, profileId, userId, r.id);
        counts.updated++;
      }
    }
    for (const id of existing.keys()) {
      if (!seen.has(id) && !keepIds.has(id)) {
        this.delPart.run(profileId, userId, id);
        counts.removed++;
      }
    }
    this.markDetail.run(now, profileId, userId);
    return counts;
  }

  /** The user's detail answered 404: it is gone at the source. */
  markUserGone(profileId: number, userId: string, now: string): void {
    this.markGone.run(now, now, profileId, userId);
  }
}
