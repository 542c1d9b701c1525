/**
 * A CRM+ gift that came from Raise (the platform sync writes transactionSource "Raise…" and the
 * Raise gift id as transactionId). Both giving figures (identity measures: a gift counts once)
 * and reconciliation (missing in CRM+) match Raise gifts to CRM+ gifts by this rule. The partial
 * index crm_gifts_from_raise (migration 62) carries exactly this condition, so a query that
 * repeats it looks a Raise gift's counterpart up in one probe.
 */
export function raiseOriginSql(alias: string): string {
  // A function, not LIKE: with LIKE the planner walks every CRM+ gift per Raise gift.
  return `lower(substr(${alias}.transaction_source, 1, 5)) = 'raise'`;
}

/** EXISTS: the Raise gift `g` has reached CRM+ as a gift that is still there. */
export function raiseGiftInCrmSql(g: string): string {
  return `EXISTS (SELECT 1 FROM crm_gifts cg WHERE cg.profile_id = ${g}.profile_id AND ${raiseOriginSql('cg')} AND cg.transaction_id = ${g}.id AND cg.gone_at IS NULL)`;
}
