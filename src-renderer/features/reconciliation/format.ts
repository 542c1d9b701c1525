import { KIND_SEVERITY, type Finding, type FindingKind } from '../../../src-shared/domain/reconcile';
import { API_LABELS, resourceWords, type ApiName } from '../../../src-shared/domain/apis';
import { fmtCount, fmtDateTime, fmtDay, fmtMoney } from '../../../src-shared/format';

/** "not yet synced" and "held back" are states, not errors: never red. */
export function kindColor(kind: FindingKind): string {
  const s = KIND_SEVERITY[kind];
  return s === 'attention' ? 'orange' : s === 'state' ? 'blue' : 'gray';
}

export const SOURCE_LABEL: Record<string, string> = API_LABELS;

/** "Raise gift 9012" */
export function recordName(f: Finding): string {
  return `${API_LABELS[f.api as ApiName] ?? f.api} ${resourceWords(f.resource).replace(/s$/, '')} ${f.sourceId}`;
}

/** One line of what matters in a finding's detail. */
export function detailLine(f: Finding): string {
  const d = f.detail;
  const parts: string[] = [];
  if (f.kind === 'gift_amount_mismatch') parts.push(`Raise ${fmtMoney(d.raiseAmountCents as number)} · CRM+ ${fmtMoney(d.crmAmountCents as number)}`);
  else if (f.kind === 'gift_date_mismatch') parts.push(`Raise ${fmtDay(String(d.raiseDate))} · CRM+ ${fmtDay(String(d.crmDate))}`);
  else if (f.kind === 'store_missing' || f.kind === 'store_stale') parts.push(d.resynced ? 're-synced' : 'not re-synced');
  else if (typeof d.amountCents === 'number') parts.push(fmtMoney(d.amountCents));
  if (typeof d.campaign === 'string') parts.push(d.campaign);
  if (f.kind === 'crm_gift_without_raise' && d.raiseGiftGoneAt) parts.push('the Raise gift is gone (refunded or deleted)');
  if (Array.isArray(d.campaigns) && d.campaigns.length) parts.push(`campaigns: ${d.campaigns.join(', ')}`);
  return parts.join(' · ');
}

/** The detail fields a steward reads, labelled; anything else is labelled from its name. */
const DETAIL_LABELS: Record<string, string> = {
  donorId: 'Raise donor',
  crmGiftId: 'CRM+ gift',
  campaignId: 'Raise campaign ID',
  campaign: 'Campaign',
  campaigns: 'Campaigns',
  amountCents: 'Amount',
  raiseAmountCents: 'Amount in Raise',
  crmAmountCents: 'Amount in CRM+',
  raiseDate: 'Date in Raise',
  crmDate: 'Date in CRM+',
  days: 'Days apart',
  lagHours: 'Lag window',
  asOf: 'Judged as of',
  gifts: 'Gifts',
  giftsHeldBack: 'Gifts held back',
  since: 'Waiting since',
  testMode: 'Test mode',
  campaignChangedSinceGift: 'Campaign changed since the gift',
  resynced: 'Re-synced',
  markedThisRun: 'Marked gone in this run',
  raiseGiftGoneAt: 'Raise gift gone since',
  storeUpdatedAt: 'Updated in the store',
  apiUpdatedAt: 'Updated at the API',
  goneAt: 'Gone since',
  wasMarkedGoneAt: 'Marked gone',
  contactId: 'CRM+ contact',
  crmKey: 'CRM+ key',
  transactionId: 'Transaction',
  mergedIntoContactId: 'Merged into CRM+ contact',
};

function words(key: string): string {
  const w = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
  return w.charAt(0).toUpperCase() + w.slice(1);
}

export function detailLabel(key: string): string {
  return DETAIL_LABELS[key] ?? words(key);
}

/** A detail value written the app's way: money, days, instants, hours, yes/no, lists. */
export function detailValue(key: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.map((x) => String(x)).join(', ') || '—';
  if (typeof v === 'number') {
    if (/Cents$/.test(key)) return fmtMoney(v);
    if (key === 'lagHours') return `${fmtCount(v)} h`;
    return fmtCount(v);
  }
  if (typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${detailLabel(k)}: ${detailValue(k, x)}`).join('; ');
  const s = String(v);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return fmtDay(s);
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) return fmtDateTime(s);
  return s;
}
