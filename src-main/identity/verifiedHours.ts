/**
 * The one rule for a verified VOMO participation (the reference found no verified flag in the
 * public API): where the API sent a `verified` flag (the column is not NULL) it decides; otherwise a
 * participation with both a check-in and a check-out counts as verified. Used by the person store
 * and by the insight lists, so a person's hours read the same everywhere.
 */
export function verifiedParticipationSql(alias: string): string {
  return `(CASE WHEN ${alias}.verified IS NOT NULL THEN ${alias}.verified = 1 ELSE (${alias}.checked_in_at IS NOT NULL AND ${alias}.checked_out_at IS NOT NULL) END)`;
}
