/**
 * "Recently asked": a person who was in an outreach export within the last N days. Read from
 * the export log (export_members joined to exports), through export_members_by_person.
 */
const DAY_MS = 86_400_000;

/** The instant N days before `now` (ISO); null when the option is off (N absent or 0). */
export function askedSince(days: number | undefined | null, now: number = Date.now()): string | null {
  if (!days || days <= 0) return null;
  return new Date(now - days * DAY_MS).toISOString();
}

/** SQL: 1 when the person `personExpr` was exported for outreach since @askedSince. */
export function recentlyAskedSql(personExpr: string): string {
  return `EXISTS (SELECT 1 FROM export_members em JOIN exports e ON e.id = em.export_id
                   WHERE em.profile_id = @pid AND em.person_id = ${personExpr}
                     AND e.outreach = 1 AND e.created_at >= @askedSince)`;
}
