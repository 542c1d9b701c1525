/**
 * Insights and outreach exports: the lists a steward opens Twofold for, the overview, and the
 * CSV exports. Shared by main (queries, exports, CLI) and the renderer (ListTable, dialogs).
 */
import { z } from 'zod';
import { IsoDayOrInstant } from './dates';

/** Every list the engine serves. `all` is the People view. */
export const LIST_NAMES = [
  'all',
  'lapsed',
  'top-volunteers',
  'volunteer-only',
  'donors-only',
  'donor-volunteers',
  'raise-first-time',
  'engagement',
] as const;
export const ListName = z.enum(LIST_NAMES);
export type ListName = z.infer<typeof ListName>;

/** The engagement score and its six parts: the columns a row's `engagement` holds. */
export const ENGAGEMENT_COLUMN_KEYS = ['score', 'givingRecencyPts', 'givingFrequencyPts', 'givingAmountPts', 'servingRecencyPts', 'servingHoursPts', 'servingCountPts'] as const;

/** Every column a list row can show or export. Each list picks its own default set. */
export const COLUMN_KEYS = [
  'personId',
  'firstName',
  'lastName',
  'email',
  'phone',
  'systems',
  'emailOptedIn',
  'lifetimeGivingCents',
  'giftCount',
  'firstGiftDate',
  'lastGiftDate',
  'firstRaiseGiftDate',
  'verifiedHours',
  'totalHours',
  'participations',
  'verifiedParticipations',
  'lastParticipationAt',
  ...ENGAGEMENT_COLUMN_KEYS,
  'crmUrl',
] as const;
export const ColumnKey = z.enum(COLUMN_KEYS);
export type ColumnKey = z.infer<typeof ColumnKey>;

/** Columns a list can be sorted by; each one has an index behind it. */
export const SORT_KEYS = [
  'name',
  'email',
  'lifetimeGivingCents',
  'lastGiftDate',
  'firstRaiseGiftDate',
  'verifiedHours',
  'lastParticipationAt',
  'score',
] as const;
export const SortKey = z.enum(SORT_KEYS);
export type SortKey = z.infer<typeof SortKey>;

export const ListSort = z.object({ key: SortKey, dir: z.enum(['asc', 'desc']) });
export type ListSort = z.infer<typeof ListSort>;

/** The longest window a list accepts: a hundred years. */
export const MAX_DAYS = 36_500;
const Days = z.number().int().min(0).max(MAX_DAYS);

/** Filters a list applies; unset values fall back to the profile's insight settings. */
export const ListFilters = z
  .object({
    /** Lapsed: a last gift more than this many days before the reference day. */
    lapseDays: Days.optional(),
    /** "Still volunteering": a participation within this many days of the reference day. */
    activityDays: Days.optional(),
    /** Raise first-time donors: first gift within this many days. */
    recentDays: Days.optional(),
    /** Only persons in this system. */
    system: z.enum(['vomo', 'crm', 'raise']).optional(),
    minGivingCents: z.number().int().min(0).optional(),
    minVerifiedHours: z.number().min(0).optional(),
    /** Only persons with an email address (after field authority). */
    hasEmail: z.boolean().optional(),
  })
  .strict();
export type ListFilters = z.infer<typeof ListFilters>;

/** An instant (ISO-8601) or a day (YYYY-MM-DD); the reference for "days ago". */
export const AsOf = IsoDayOrInstant;

export const ListQuery = z.object({
  profileId: z.number().int().positive(),
  list: ListName,
  search: z.string().trim().max(200).optional(),
  filters: ListFilters.default({}),
  sort: ListSort.optional(),
  /**
   * Where the page starts: a cursor from a previous page (nextCursor / prevCursor) and which way
   * to walk from it. Absent: the first page (walking next) or the last (walking prev). Paging by
   * cursor costs the same at any depth; `offset` is read with OFFSET and slows down the deeper it
   * goes (kept for scripts that ask for a position).
   */
  cursor: z.string().max(4000).optional(),
  direction: z.enum(['next', 'prev']).default('next'),
  offset: z.number().int().min(0).max(100_000_000).default(0),
  limit: z.number().int().min(1).max(500).default(50),
  asOf: AsOf.optional(),
});
export type ListQuery = z.input<typeof ListQuery>;

export const EngagementParts = z.object({
  score: z.number(),
  givingRecencyPts: z.number(),
  givingFrequencyPts: z.number(),
  givingAmountPts: z.number(),
  servingRecencyPts: z.number(),
  servingHoursPts: z.number(),
  servingCountPts: z.number(),
  daysSinceGift: z.number().nullable(),
  daysSinceParticipation: z.number().nullable(),
  scoredAsOf: z.string().nullable(),
});
export type EngagementParts = z.infer<typeof EngagementParts>;

export const InsightRow = z.object({
  personId: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  displayName: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  hasVomo: z.boolean(),
  hasCrm: z.boolean(),
  hasRaise: z.boolean(),
  /** null: no contact method says either way; false: the address is opted out. */
  emailOptedIn: z.boolean().nullable(),
  lifetimeGivingCents: z.number(),
  giftCount: z.number(),
  firstGiftDate: z.string().nullable(),
  lastGiftDate: z.string().nullable(),
  firstRaiseGiftDate: z.string().nullable(),
  verifiedHours: z.number(),
  totalHours: z.number(),
  participations: z.number(),
  verifiedParticipations: z.number(),
  lastParticipationAt: z.string().nullable(),
  crmUrl: z.string().nullable(),
  engagement: EngagementParts.nullable(),
});
export type InsightRow = z.infer<typeof InsightRow>;

/** How participations counted as verified, so the UI can say which rule applied. */
export const VerifiedRule = z.object({
  byFlag: z.number(),
  byCheckInOut: z.number(),
  unverified: z.number(),
  text: z.string(),
});
export type VerifiedRule = z.infer<typeof VerifiedRule>;

export const ListPage = z.object({
  list: ListName,
  rows: z.array(InsightRow),
  total: z.number(),
  offset: z.number(),
  limit: z.number(),
  /** The page after this one (null: this is the last), and the one before (null: this is the first). */
  nextCursor: z.string().nullable(),
  prevCursor: z.string().nullable(),
  sort: ListSort,
  /** The reference day the windows were measured from (YYYY-MM-DD). */
  asOfDay: z.string(),
  /** The effective filters (settings filled in). */
  filters: ListFilters,
  /** Plain words for what the list holds with these filters. */
  definition: z.string(),
  verifiedRule: VerifiedRule,
  measuresRefreshedAt: z.string().nullable(),
});
export type ListPage = z.infer<typeof ListPage>;

export const ListInfo = z.object({
  name: ListName,
  title: z.string(),
  description: z.string(),
  columns: z.array(ColumnKey),
  defaultSort: ListSort,
  sortKeys: z.array(SortKey),
  filters: z.array(z.enum(['lapseDays', 'activityDays', 'recentDays', 'system', 'minGivingCents', 'minVerifiedHours', 'hasEmail'])),
});
export type ListInfo = z.infer<typeof ListInfo>;

export const InsightSettings = z.object({
  lapseDays: Days.default(365),
  /** "Still volunteering": served within this many days; 0 is the wider reading (every current VOMO volunteer). */
  activityDays: Days.default(365),
  recentDays: Days.default(90),
  /** Default for "leave out people exported for outreach within N days" (0: off). */
  recentlyAskedDays: Days.default(0),
});
export type InsightSettings = z.infer<typeof InsightSettings>;

export const ApiSyncStatus = z.object({
  api: z.enum(['vomo', 'crm', 'raise']),
  lastRunAt: z.string().nullable(),
  lastStatus: z.string().nullable(),
  lastOkAt: z.string().nullable(),
  errorMessage: z.string().nullable(),
});

export const Overview = z.object({
  donorVolunteers: z.number(),
  volunteersOnly: z.number(),
  donorsOnly: z.number(),
  totalPersons: z.number(),
  trust: z.object({
    sync: z.array(ApiSyncStatus),
    quarantined: z.number(),
    openConflicts: z.number(),
    openDuplicates: z.number(),
    reconciliationFindings: z.number().nullable(),
    measuresRefreshedAt: z.string().nullable(),
  }),
});
export type Overview = z.infer<typeof Overview>;

export const ExportRequest = z.object({
  profileId: z.number().int().positive(),
  list: ListName,
  /** Column order of the file; empty or absent: the list's default columns. */
  columns: z.array(ColumnKey).max(COLUMN_KEYS.length).optional(),
  search: z.string().trim().max(200).optional(),
  filters: ListFilters.default({}),
  sort: ListSort.optional(),
  asOf: AsOf.optional(),
  /** Leave out email addresses whose contact method is opted out (the row stays, the address is blank). */
  excludeOptedOut: z.boolean().default(true),
  /** Leave out persons exported for outreach within this many days. */
  excludeRecentlyAskedDays: Days.optional(),
  /** An outreach export marks its persons as asked (for "recently asked"). */
  outreach: z.boolean().default(true),
});
export type ExportRequest = z.input<typeof ExportRequest>;

export const ExportResult = z.object({
  exportId: z.number(),
  rowCount: z.number(),
  excludedOptedOut: z.number(),
  excludedRecentlyAsked: z.number(),
  fileName: z.string(),
  /** Where the file was written (Electron, CLI). */
  filePath: z.string().nullable(),
  /** Fetch with downloadUrl(id) (web shell). */
  downloadId: z.string().nullable(),
  cancelled: z.boolean(),
});
export type ExportResult = z.infer<typeof ExportResult>;

export const ExportLogEntry = z.object({
  id: z.number(),
  createdAt: z.string(),
  actor: z.string(),
  list: z.string(),
  filters: z.record(z.string(), z.unknown()),
  columns: z.array(z.string()),
  rowCount: z.number(),
  excludedOptedOut: z.number(),
  excludedRecentlyAsked: z.number(),
  outreach: z.boolean(),
  fileName: z.string(),
});
export type ExportLogEntry = z.infer<typeof ExportLogEntry>;

/** Column headers (CSV and table). */
export const COLUMN_LABELS: Record<ColumnKey, string> = {
  personId: 'Person ID',
  firstName: 'First name',
  lastName: 'Last name',
  email: 'Email',
  phone: 'Phone',
  systems: 'Systems',
  emailOptedIn: 'Email opted in',
  lifetimeGivingCents: 'Lifetime giving',
  giftCount: 'Gifts',
  firstGiftDate: 'First gift',
  lastGiftDate: 'Last gift',
  firstRaiseGiftDate: 'First Raise gift',
  verifiedHours: 'Verified hours',
  totalHours: 'All hours',
  participations: 'Participations',
  verifiedParticipations: 'Verified participations',
  lastParticipationAt: 'Last participation',
  score: 'Engagement score',
  givingRecencyPts: 'Giving recency pts',
  givingFrequencyPts: 'Giving frequency pts',
  givingAmountPts: 'Giving amount pts',
  servingRecencyPts: 'Serving recency pts',
  servingHoursPts: 'Serving hours pts',
  servingCountPts: 'Serving count pts',
  crmUrl: 'CRM+ link',
};

export const SORT_LABELS: Record<SortKey, string> = {
  name: 'Name',
  email: 'Email',
  lifetimeGivingCents: 'Lifetime giving',
  lastGiftDate: 'Last gift',
  firstRaiseGiftDate: 'First Raise gift',
  verifiedHours: 'Verified hours',
  lastParticipationAt: 'Last participation',
  score: 'Engagement score',
};

/** The sort key a column sorts by, when it can be sorted. */
export const COLUMN_SORT: Partial<Record<ColumnKey, SortKey>> = {
  lastName: 'name',
  firstName: 'name',
  email: 'email',
  lifetimeGivingCents: 'lifetimeGivingCents',
  lastGiftDate: 'lastGiftDate',
  firstRaiseGiftDate: 'firstRaiseGiftDate',
  verifiedHours: 'verifiedHours',
  lastParticipationAt: 'lastParticipationAt',
  score: 'score',
};

/**
 * The engagement score: giving (recency, frequency, amount) beside serving (recency, hours,
 * count). Six parts, each 0–5 points from this published table, summed to 0–30; nothing is
 * weighted or hidden. The main side turns the same table into SQL (src-main/insights/engagement.ts).
 */
/** Thresholds in ascending order of the input; points awarded for values at or below/above. */
export interface PartRule {
  key: 'givingRecencyPts' | 'givingFrequencyPts' | 'givingAmountPts' | 'servingRecencyPts' | 'servingHoursPts' | 'servingCountPts';
  label: string;
  /** 'recency': fewer days, more points; 'amount': more, more points. */
  kind: 'recency' | 'amount';
  /** For recency: max days for 5,4,3,2 points (older: 1; none: 0). For amount: min value for 1..5 points. */
  steps: number[];
  unit: string;
}

export const ENGAGEMENT_RULES: PartRule[] = [
  { key: 'givingRecencyPts', label: 'Giving recency', kind: 'recency', steps: [90, 180, 365, 730], unit: 'days since last gift' },
  { key: 'givingFrequencyPts', label: 'Giving frequency', kind: 'amount', steps: [1, 2, 4, 7, 12], unit: 'gifts' },
  { key: 'givingAmountPts', label: 'Giving amount', kind: 'amount', steps: [1, 10_000, 50_000, 100_000, 500_000], unit: 'lifetime cents' },
  { key: 'servingRecencyPts', label: 'Serving recency', kind: 'recency', steps: [90, 180, 365, 730], unit: 'days since last participation' },
  { key: 'servingHoursPts', label: 'Serving hours', kind: 'amount', steps: [0.01, 5, 20, 50, 100], unit: 'verified hours' },
  { key: 'servingCountPts', label: 'Serving count', kind: 'amount', steps: [1, 2, 4, 7, 12], unit: 'participations' },
];


/** Plain words for the legend: "Giving recency: days since last gift ≤90 → 5, …". */
export function describeRule(rule: PartRule): string {
  if (rule.kind === 'recency') {
    const [a, b, c, d] = rule.steps;
    return `${rule.label}: ${rule.unit} ≤${a} → 5, ≤${b} → 4, ≤${c} → 3, ≤${d} → 2, older → 1, none → 0`;
  }
  const money = rule.unit === 'lifetime cents';
  const fmt = (v: number) => (money ? `$${(v / 100).toLocaleString('en-US')}` : String(v));
  return `${rule.label}: ${rule.steps.map((min, i) => `≥${fmt(min)} → ${i + 1}`).join(', ')} (${money ? 'lifetime giving' : rule.unit})`;
}

/** A list's name for people: the export history and the CLI say "Lapsed donors", not "lapsed". */
export const LIST_LABELS: Record<ListName, string> = {
  all: 'People',
  lapsed: 'Lapsed donors',
  'top-volunteers': 'Volunteers who never gave',
  'volunteer-only': 'Volunteers only',
  'donors-only': 'Donors only',
  'donor-volunteers': 'Donor-volunteers',
  'raise-first-time': 'New Raise donors',
  engagement: 'Engagement',
};

/**
 * An export's filters as the steward set them, in words: "Lapse window 365 days · Sorted by
 * Lifetime giving, highest first · Search "ada"". Keys it does not know are left out.
 */
/**
 * Files of donor data written outside a list's export, logged beside those exports (their entry's
 * `list`) so that the export log says who was in them and Settings lists the files that remain.
 */
export const FILE_EXPORT_LABELS = {
  'fix-list-vomo': 'Fix list for VOMO',
  'fix-list-crm': 'Fix list for CRM+',
  reconciliation: 'Reconciliation findings',
} as const;
export type FileExportKind = keyof typeof FILE_EXPORT_LABELS;

/** Whether an export log entry is a fix list's or a reconciliation CSV's (nothing left out, never outreach). */
export function isFileExport(list: string): list is FileExportKind {
  return Object.hasOwn(FILE_EXPORT_LABELS, list);
}

/** What an export log entry's `list` reads as: a list's name, a file export's, or as stored. */
export function exportLabel(list: string): string {
  return LIST_LABELS[list as ListName] ?? FILE_EXPORT_LABELS[list as FileExportKind] ?? list;
}

export function describeFilters(f: Record<string, unknown>, fmt: { money(cents: number): string; count(n: number): string; day(d: string): string }): string[] {
  const out: string[] = [];
  const n = (v: unknown) => (typeof v === 'number' ? v : null);
  if (n(f.lapseDays) !== null) out.push(`Lapse window ${fmt.count(n(f.lapseDays)!)} days`);
  if (n(f.activityDays) !== null) out.push(n(f.activityDays) ? `Served within ${fmt.count(n(f.activityDays)!)} days` : 'Any current VOMO volunteer');
  if (n(f.recentDays) !== null) out.push(`Recent window ${fmt.count(n(f.recentDays)!)} days`);
  if (typeof f.system === 'string') out.push(`Only in ${({ vomo: 'VOMO', crm: 'CRM+', raise: 'Raise' } as Record<string, string>)[f.system] ?? f.system}`);
  if (n(f.minGivingCents) !== null) out.push(`Lifetime giving at least ${fmt.money(n(f.minGivingCents)!)}`);
  if (n(f.minVerifiedHours) !== null) out.push(`At least ${fmt.count(n(f.minVerifiedHours)!)} verified hours`);
  if (f.hasEmail === true) out.push('With an email');
  if (typeof f.search === 'string' && f.search) out.push(`Search "${f.search}"`);
  const sort = f.sort as { key?: string; dir?: string } | undefined;
  if (sort?.key && sort.key in SORT_LABELS) {
    const asc = sort.dir === 'asc';
    const text = sort.key === 'name' || sort.key === 'email' ? (asc ? 'A to Z' : 'Z to A') : /Date|At$/.test(sort.key) ? (asc ? 'oldest first' : 'newest first') : asc ? 'lowest first' : 'highest first';
    out.push(`Sorted by ${SORT_LABELS[sort.key as SortKey]}, ${text}`);
  }
  if (typeof f.asOfDay === 'string') out.push(`As of ${fmt.day(f.asOfDay)}`);
  if (n(f.reconcileRunId) !== null) out.push(`Reconciliation run ${n(f.reconcileRunId)}`);
  if (typeof f.findings === 'string' && f.findings) out.push(f.findings);
  return out;
}
