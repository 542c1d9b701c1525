import { KIND_SEVERITY, type Finding, type FindingKind } from '../../../src-shared/domain/reconcile';

/** "1 h 5 min", "42 s": a lag in words. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.round(seconds);
  if (Math.abs(s) < 60) return `${s} s`;
  if (Math.abs(s) < 3600) return `${Math.round(s / 60)} min`;
  if (Math.abs(s) < 86400) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  return `${(s / 86400).toFixed(1)} days`;
}

export function money(cents: unknown): string | null {
  return typeof cents === 'number' ? (cents / 100).toLocaleString(undefined, { style: 'currency', currency: 'USD' }) : null;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "not yet synced" and "held back" are states, not errors: never red. */
export function kindColor(kind: FindingKind): string {
  const s = KIND_SEVERITY[kind];
  return s === 'attention' ? 'orange' : s === 'state' ? 'blue' : 'gray';
}

export const SOURCE_LABEL: Record<string, string> = { vomo: 'VOMO', crm: 'CRM+', raise: 'Raise' };

export function recordName(f: Finding): string {
  return `${SOURCE_LABEL[f.api] ?? f.api} ${f.resource.replace(/s$/, '')} ${f.sourceId}`;
}

/** One line of what matters in a finding's detail. */
export function detailLine(f: Finding): string {
  const d = f.detail;
  const parts: string[] = [];
  if (f.kind === 'gift_amount_mismatch') parts.push(`Raise ${money(d.raiseAmountCents)} · CRM+ ${money(d.crmAmountCents)}`);
  else if (f.kind === 'gift_date_mismatch') parts.push(`Raise ${String(d.raiseDate)} · CRM+ ${String(d.crmDate)}`);
  else if (f.kind === 'store_missing' || f.kind === 'store_stale') parts.push(d.resynced ? 're-synced' : 'not re-synced');
  else {
    const m = money(d.amountCents);
    if (m) parts.push(m);
  }
  if (typeof d.campaign === 'string') parts.push(d.campaign);
  if (f.kind === 'crm_gift_without_raise' && d.raiseGiftGoneAt) parts.push('the Raise gift is gone (refunded or deleted)');
  if (Array.isArray(d.campaigns) && d.campaigns.length) parts.push(`campaigns: ${d.campaigns.join(', ')}`);
  return parts.join(' · ');
}
