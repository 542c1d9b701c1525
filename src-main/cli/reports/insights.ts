/**
 * `twofold report <profile> overlap|lapsed|top-volunteers|volunteer-only|donors-only|donor-volunteers|raise-first-time|engagement`.
 * `overlap --json` prints the four numbers; a list prints an array of rows, each with personId,
 * email, firstName, lastName and the list's own measures. `--lapse-days N` sets the lapse window;
 * the reference day is today unless TWOFOLD_AS_OF (or --as-of where the command offers it) says otherwise.
 */
import type { ReportFn, ReportRegistry } from './types';
import { asOfOption, countOption, daysOption } from '../options';
import { LISTS } from '../../insights/listRegistry';
import { overview } from '../../insights/overview';
import { COLUMN_LABELS, type InsightRow, type ListFilters, type ListName } from '../../../src-shared/domain/insights';
import { fmtDay, fmtHours, fmtMoney, plural } from '../../../src-shared/format';
import { systemsOf } from '../../insights/rows';
import { defaultAsOf } from '../../insights/referenceClock';

/** The JSON row of a list: identity fields first, then the list's own measures. */
export function reportRow(list: ListName, r: InsightRow): Record<string, unknown> {
  const out: Record<string, unknown> = { personId: r.personId, email: r.email, firstName: r.firstName, lastName: r.lastName, emailOptedIn: r.emailOptedIn };
  for (const c of LISTS[list].columns) {
    if (c in out) continue;
    if (c === 'systems') out.systems = systemsOf(r).split(';').filter(Boolean);
    else if (c === 'score' || c.endsWith('Pts')) out[c] = r.engagement ? r.engagement[c as keyof NonNullable<InsightRow['engagement']>] : null;
    else out[c] = r[c as keyof InsightRow];
  }
  return out;
}

const TEXT_DAYS = new Set(['firstGiftDate', 'lastGiftDate', 'firstRaiseGiftDate', 'lastParticipationAt']);

/** A cell of the text report, written as the app writes it. */
function textCell(key: string, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (key === 'lifetimeGivingCents' && typeof v === 'number') return fmtMoney(v);
  if ((key === 'verifiedHours' || key === 'totalHours') && typeof v === 'number') return fmtHours(v);
  if (TEXT_DAYS.has(key) && typeof v === 'string') return fmtDay(v);
  if (key === 'emailOptedIn') return v === false ? 'opted out' : v === true ? 'yes' : '';
  if (Array.isArray(v)) return v.join(',');
  return String(v).replace(/[\t\r\n]+/g, ' ');
}

function listReport(list: ListName): ReportFn {
  return async (ctx, profile, opts) => {
    const core = ctx.core();
    const filters: ListFilters = {};
    const lapse = daysOption('--lapse-days', opts.options.lapseDays);
    if (lapse !== undefined) filters.lapseDays = lapse;
    const activity = daysOption('--activity-days', opts.options.activityDays);
    if (activity !== undefined) filters.activityDays = activity;
    const limit = countOption('--limit', opts.options.limit);
    const asOf = await defaultAsOf(core.clock, profile.id, asOfOption('--as-of', typeof opts.options.asOf === 'string' ? opts.options.asOf : undefined) ?? asOfOption('TWOFOLD_AS_OF', process.env.TWOFOLD_AS_OF));
    const { rows, prepared } = await core.insights.allRows({ profileId: profile.id, list, filters, asOf }, limit ?? Number.MAX_SAFE_INTEGER);
    const json = rows.map((r) => reportRow(list, r));
    const keys = json[0] ? Object.keys(json[0]) : ['personId', 'email', 'firstName', 'lastName'];
    const header = keys.map((k) => COLUMN_LABELS[k as keyof typeof COLUMN_LABELS] ?? k).join('\t');
    const text = [
      `${LISTS[list].title} — ${plural(rows.length, 'person', 'persons')} (as of ${fmtDay(prepared.day)})`,
      LISTS[list].definition(prepared.filters, prepared.day),
      header,
      ...json.map((row) => keys.map((k) => textCell(k, row[k])).join('\t')),
    ].join('\n');
    return { json, text };
  };
}

const overlap: ReportFn = async (ctx, profile) => {
  const core = ctx.core();
  await core.insights.measures(profile.id);
  const o = overview(core.db, profile.id);
  const json = { donorVolunteers: o.donorVolunteers, volunteersOnly: o.volunteersOnly, donorsOnly: o.donorsOnly, totalPersons: o.totalPersons };
  const text = [
    `Donor-volunteers  ${o.donorVolunteers}`,
    `Volunteers only   ${o.volunteersOnly}`,
    `Donors only       ${o.donorsOnly}`,
    `Total persons     ${o.totalPersons}`,
    `Open conflicts ${o.trust.openConflicts} · open duplicate candidates ${o.trust.openDuplicates} · quarantined ${o.trust.quarantined}`,
    ...o.trust.sync.map((s) => `${s.api}: last sync ${s.lastRunAt ?? 'never'}${s.lastStatus ? ` (${s.lastStatus})` : ''}`),
  ].join('\n');
  return { json, text };
};

export const insightsReports: ReportRegistry = {
  overlap: { description: 'donor-volunteer overlap: donor-volunteers, volunteers only, donors only, total persons', run: overlap },
  lapsed: { description: 'lapsed donors who served within the activity window (--lapse-days N, default 365)', run: listReport('lapsed') },
  'top-volunteers': { description: 'top volunteers who never gave, by verified hours', run: listReport('top-volunteers') },
  'volunteer-only': { description: 'persons in VOMO only', run: listReport('volunteer-only') },
  'donors-only': { description: 'persons in CRM+ or Raise, not VOMO', run: listReport('donors-only') },
  'donor-volunteers': { description: 'persons in VOMO and in CRM+ or Raise', run: listReport('donor-volunteers') },
  'raise-first-time': { description: 'recent first-time Raise donors who volunteer', run: listReport('raise-first-time') },
  engagement: { description: 'engagement score with every part shown', run: listReport('engagement') },
};
