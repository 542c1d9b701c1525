/** Reconciliation domain: settings, findings, runs, the diff between runs, lag stats (zod + types). */
import { z } from 'zod';
import { ApiName } from './apis';

/** The steward's reconciliation settings (per profile). */
export const ReconcileSettings = z
  .object({
    /** Raise → CRM+ sync lag window: a Raise record younger than this is "not yet synced", not missing. */
    lagHours: z.number().min(0).max(24 * 90).default(24),
    /** Days a Raise gift's date and its CRM+ gift's date may differ before it is a mismatch (time zones). */
    dateToleranceDays: z.number().int().min(0).max(31).default(1),
    /** Default start of the store-vs-API re-read: this many days before the reference time (1 = yesterday). */
    sinceDays: z.number().int().min(0).max(3650).default(1),
  })
  .default({ lagHours: 24, dateToleranceDays: 1, sinceDays: 1 });
export type ReconcileSettings = z.infer<typeof ReconcileSettings>;

export const FindingKind = z.enum([
  // Raise → CRM+: donors without a crmKey, by likely reason (none of these is an error).
  'donor_not_yet_synced',
  'donor_held_back',
  'donor_probably_failed',
  // Raise → CRM+: gifts
  'gift_not_yet_synced',
  'gift_held_back',
  'gift_missing_in_crm',
  'crm_gift_without_raise',
  'gift_amount_mismatch',
  'gift_date_mismatch',
  // Store vs APIs
  'store_missing',
  'store_stale',
  // Deletion sweep
  'gone_at_source',
]);
export type FindingKind = z.infer<typeof FindingKind>;

export const FindingGroup = z.enum(['missing_in_crm', 'not_yet_synced', 'held_back', 'probably_failed', 'crm_only', 'mismatch', 'store_drift', 'gone']);
export type FindingGroup = z.infer<typeof FindingGroup>;

export const KIND_GROUP: Record<FindingKind, FindingGroup> = {
  donor_not_yet_synced: 'not_yet_synced',
  donor_held_back: 'held_back',
  donor_probably_failed: 'probably_failed',
  gift_not_yet_synced: 'not_yet_synced',
  gift_held_back: 'held_back',
  gift_missing_in_crm: 'missing_in_crm',
  crm_gift_without_raise: 'crm_only',
  gift_amount_mismatch: 'mismatch',
  gift_date_mismatch: 'mismatch',
  store_missing: 'store_drift',
  store_stale: 'store_drift',
  gone_at_source: 'gone',
};

/** Order and wording of the groups in the view, the CSV and the CLI. */
export const GROUP_LABELS: Record<FindingGroup, string> = {
  missing_in_crm: 'Missing in CRM+ after the lag window',
  not_yet_synced: 'Not yet synced',
  held_back: 'Held back by campaign sync off',
  probably_failed: 'Probably failed to sync',
  crm_only: 'In CRM+ with a Raise origin but no Raise gift',
  mismatch: 'Amount or date differs',
  store_drift: 'Missing or stale in the store',
  gone: 'Gone at the source',
};
export const GROUP_ORDER: FindingGroup[] = ['missing_in_crm', 'probably_failed', 'crm_only', 'mismatch', 'store_drift', 'gone', 'not_yet_synced', 'held_back'];

export const KIND_LABELS: Record<FindingKind, string> = {
  donor_not_yet_synced: 'Raise donor not yet synced (inside the lag window)',
  donor_held_back: 'Raise donor held back (campaign sync off)',
  donor_probably_failed: 'Raise donor with no CRM+ key after the lag window',
  gift_not_yet_synced: 'Raise gift not yet in CRM+ (inside the lag window)',
  gift_held_back: 'Raise gift held back (campaign sync off)',
  gift_missing_in_crm: 'Raise gift missing in CRM+ after the lag window',
  crm_gift_without_raise: 'CRM+ gift claims a Raise origin, no Raise gift',
  gift_amount_mismatch: 'Amounts differ between Raise and CRM+',
  gift_date_mismatch: 'Dates differ between Raise and CRM+',
  store_missing: 'Missing from the local store',
  store_stale: 'Stale in the local store',
  gone_at_source: 'Gone at the source',
};

/** "state": expected and self-resolving; "attention": worth a look; "info": handled already. */
export const KIND_SEVERITY: Record<FindingKind, 'state' | 'attention' | 'info'> = {
  donor_not_yet_synced: 'state',
  donor_held_back: 'state',
  donor_probably_failed: 'attention',
  gift_not_yet_synced: 'state',
  gift_held_back: 'state',
  gift_missing_in_crm: 'attention',
  crm_gift_without_raise: 'attention',
  gift_amount_mismatch: 'attention',
  gift_date_mismatch: 'attention',
  store_missing: 'info',
  store_stale: 'info',
  gone_at_source: 'info',
};

export const Finding = z.object({
  id: z.number(),
  kind: FindingKind,
  group: FindingGroup,
  api: ApiName,
  resource: z.string(),
  sourceId: z.string(),
  subject: z.string(),
  personId: z.string().nullable(),
  label: z.string().nullable(),
  crmUrl: z.string().nullable(),
  occurredAt: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  /** Set when the report shows this finding against the previous run. */
  change: z.enum(['new', 'changed', 'same', 'fixed']).nullable(),
});
export type Finding = z.infer<typeof Finding>;

export const LagStats = z.object({
  /** Matched Raise gift → CRM+ gift pairs the figures come from. */
  count: z.number(),
  medianSeconds: z.number().nullable(),
  p95Seconds: z.number().nullable(),
  minSeconds: z.number().nullable(),
  maxSeconds: z.number().nullable(),
  /** Share of matched pairs that arrived inside the current window. */
  withinWindowShare: z.number().nullable(),
  histogram: z.array(z.object({ label: z.string(), upToSeconds: z.number().nullable(), count: z.number() })),
});
export type LagStats = z.infer<typeof LagStats>;

export const CampaignHeldBack = z.object({
  campaignId: z.string(),
  name: z.string().nullable(),
  gifts: z.number(),
  amountCents: z.number(),
  donors: z.number(),
});
export type CampaignHeldBack = z.infer<typeof CampaignHeldBack>;

export const ApiCheck = z.object({
  api: ApiName,
  resource: z.string(),
  /** 'ok', 'skipped' (no connector / not configured), 'failed' (the API could not be read). */
  status: z.enum(['ok', 'skipped', 'failed']),
  checked: z.number(),
  missing: z.number(),
  stale: z.number(),
  resynced: z.number(),
  message: z.string().nullable(),
});
export type ApiCheck = z.infer<typeof ApiCheck>;

export const SweepCheck = z.object({
  api: ApiName,
  resource: z.string(),
  status: z.enum(['ok', 'skipped', 'failed']),
  sourceIds: z.number(),
  markedGone: z.number(),
  reappeared: z.number(),
  message: z.string().nullable(),
});
export type SweepCheck = z.infer<typeof SweepCheck>;

export const RunSettings = z.object({
  since: z.string(),
  lagHours: z.number(),
  dateToleranceDays: z.number(),
  asOf: z.string(),
  asOfSource: z.enum(['input', 'sandbox', 'api', 'data', 'wall']),
  checkApis: z.boolean(),
  sweep: z.boolean(),
  resync: z.boolean(),
});
export type RunSettings = z.infer<typeof RunSettings>;

export const RunSummary = z.object({
  byKind: z.record(z.string(), z.number()),
  byGroup: z.record(z.string(), z.number()),
  total: z.number(),
  raise: z.object({
    donors: z.number(),
    donorsLinked: z.number(),
    donorsUnlinked: z.number(),
    gifts: z.number(),
    giftsMatched: z.number(),
    crmGiftsFromRaise: z.number(),
  }),
  campaignsSyncOff: z.array(CampaignHeldBack),
  lag: LagStats,
  /** Real-world figures, not errors: records with no partner in the other system. */
  partners: z.object({
    volunteersWithoutCrm: z.number(),
    contactsWithoutVomo: z.number(),
    basis: z.enum(['persons', 'email']),
  }),
  apiChecks: z.array(ApiCheck),
  sweeps: z.array(SweepCheck),
  /** Steward-facing notes: an API that could not be read, a step skipped. */
  notes: z.array(z.string()),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RunInfo = z.object({
  id: z.number(),
  profileId: z.number(),
  at: z.string(),
  asOf: z.string(),
  finishedAt: z.string().nullable(),
  status: z.enum(['running', 'ok', 'partial', 'failed']),
  settings: RunSettings,
  summary: RunSummary.nullable(),
  previousRunId: z.number().nullable(),
});
export type RunInfo = z.infer<typeof RunInfo>;

export const RunDiff = z.object({
  previousRunId: z.number().nullable(),
  new: z.number(),
  fixed: z.number(),
  changed: z.number(),
  same: z.number(),
  byGroup: z.record(z.string(), z.object({ new: z.number(), fixed: z.number(), changed: z.number(), count: z.number(), previous: z.number() })),
});
export type RunDiff = z.infer<typeof RunDiff>;

export const ReportPage = z.object({
  run: RunInfo,
  diff: RunDiff,
  findings: z.array(Finding),
  total: z.number(),
  /** The page after this one, or before it; null where the list ends. */
  nextCursor: z.string().nullable(),
  prevCursor: z.string().nullable(),
});
export type ReportPage = z.infer<typeof ReportPage>;
