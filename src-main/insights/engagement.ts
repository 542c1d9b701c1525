/**
 * The engagement score: giving (recency, frequency, amount of gifts) beside serving (recency,
 * hours and count of participations). Six parts, each 0–5 points from a published threshold
 * table, summed to 0–30. Nothing is weighted or hidden: the UI shows each part and its inputs.
 *
 * The same tables generate the SQL that materializes the parts in `insight_measures` (so the
 * list can be sorted by score with an index) and the text the UI shows as the legend.
 */

import { type PartRule } from '../../src-shared/domain/insights';

export { ENGAGEMENT_RULES, describeRule, type PartRule } from '../../src-shared/domain/insights';

/** SQL CASE giving the points of one part for the SQL expression `x` (NULL: no data, 0 points). */
export function pointsSql(rule: PartRule, x: string): string {
  if (rule.kind === 'recency') {
    const [a, b, c, d] = rule.steps;
    return `(CASE WHEN ${x} IS NULL OR ${x} < 0 THEN 0 WHEN ${x} <= ${a} THEN 5 WHEN ${x} <= ${b} THEN 4 WHEN ${x} <= ${c} THEN 3 WHEN ${x} <= ${d} THEN 2 ELSE 1 END)`;
  }
  const whens = rule.steps
    .map((min, i) => ({ min, pts: i + 1 }))
    .reverse()
    .map(({ min, pts }) => `WHEN ${x} >= ${min} THEN ${pts}`)
    .join(' ');
  return `(CASE WHEN ${x} IS NULL THEN 0 ${whens} ELSE 0 END)`;
}

/** The same rule in JS (tests check SQL and JS agree). */
export function pointsOf(rule: PartRule, value: number | null): number {
  if (value === null || value === undefined) return 0;
  if (rule.kind === 'recency') {
    if (value < 0) return 0;
    const [a, b, c, d] = rule.steps;
    return value <= a! ? 5 : value <= b! ? 4 : value <= c! ? 3 : value <= d! ? 2 : 1;
  }
  let pts = 0;
  rule.steps.forEach((min, i) => {
    if (value >= min) pts = i + 1;
  });
  return pts;
}
