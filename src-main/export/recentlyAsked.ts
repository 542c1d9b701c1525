/**
 * "Recently asked": a person who was in an outreach export within the last N days. Read from
 * person_asks, which each outreach export brings up to date as it is logged (exportLog.ts).
 */
const DAY_MS = 86_400_000;

/** The instant N days before `now` (ISO); null when the option is off (N absent or 0). */
export function askedSince(days: number | undefined | null, now: number = Date.now()): string | null {
  if (!days || days <= 0) return null;
  return new Date(now - days * DAY_MS).toISOString();
}

/** SQL: 1 when the person `personExpr` was exported for outreach since @askedSince. */
export function recentlyAskedSql(personExpr: string): string {
  return `EXISTS (SELECT 1 FROM person_asks pa
                   WHERE pa.profile_id = @pid AND pa.person_id = ${personExpr} AND pa.last_asked_at >= @askedSince)`;
}
