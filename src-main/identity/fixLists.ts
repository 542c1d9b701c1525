/**
 * Fix lists: per system, what the steward should correct by hand in VOMO or CRM+ so the systems
 * agree. CSV via csv-stringify, UTF-8 with a BOM (Excel), and every cell that starts with
 * = + - @ (or a tab / carriage return, or a full-width = + - @) is prefixed with an apostrophe so
 * no spreadsheet reads it as a formula (csv-stringify's `escape_formulas`, as every CSV here).
 */
import { stringify } from 'csv-stringify/sync';
import type { Db } from '../store/db';
import type { IdentitySettings } from '../../src-shared/domain/identity';
import { compareKey } from './conflicts';

function cellText(v: unknown): string {
  return v == null ? '' : String(v);
}

export interface FixRow {
  personId: string;
  name: string;
  recordId: string;
  field: string;
  currentValue: string | null;
  correctValue: string | null;
  status: string;
  link: string | null;
}

export function fixRows(db: Db, profileId: number, system: 'vomo' | 'crm', settings: IdentitySettings): FixRow[] {
  const rows = db
    .prepare(
      `SELECT c.*, p.display_name, p.vomo_user_id, p.crm_contact_id, p.crm_individual_id, p.crm_url FROM conflicts c
       JOIN persons p ON p.profile_id = c.profile_id AND p.id = c.person_id
       WHERE c.profile_id = ? AND c.active = 1 AND (c.status = 'open' OR (c.status = 'resolved' AND c.chosen_value IS NOT NULL))
       ORDER BY c.field, c.person_sort, c.id`,
    )
    .all(profileId) as Record<string, string | null>[];
  const out: FixRow[] = [];
  for (const r of rows) {
    const field = r.field as 'email';
    const mine = system === 'vomo' ? r.vomo_value : r.crm_value;
    let target: string | null;
    if (r.status === 'resolved') target = r.chosen_value;
    else {
      const auth = settings.fieldAuthority[field];
      if (auth === system || auth === 'raise') continue; // the authority is not corrected toward the others
      target = auth === 'vomo' ? r.vomo_value : r.crm_value;
    }
    if (target == null) continue;
    if (compareKey(field, mine, settings.defaultPhoneRegion) === compareKey(field, target, settings.defaultPhoneRegion)) continue;
    out.push({
      personId: r.person_id!,
      name: r.display_name ?? '',
      recordId: system === 'vomo' ? (r.vomo_user_id ?? '') : `${r.crm_contact_id ?? ''}${r.crm_individual_id ? `/${r.crm_individual_id}` : ''}`,
      field,
      currentValue: mine,
      correctValue: target,
      status: r.status!,
      link: system === 'crm' ? r.crm_url : null,
    });
  }
  return out;
}

export function fixListFileName(system: 'vomo' | 'crm', day: string): string {
  return `twofold-fix-list-${system}-${day}.csv`;
}

const FIELD_LABELS: Record<string, string> = { email: 'Email', first_name: 'First name', last_name: 'Last name', phone: 'Phone' };

export function fixListHeader(system: 'vomo' | 'crm'): string[] {
  return system === 'vomo'
    ? ['Twofold person', 'Name', 'VOMO user ID', 'Field', 'Value in VOMO', 'Change to', 'Conflict status']
    : ['Twofold person', 'Name', 'CRM+ contact/individual', 'Field', 'Value in CRM+', 'Change to', 'Conflict status', 'CRM+ link'];
}

export function fixListCsv(rows: FixRow[], system: 'vomo' | 'crm'): string {
  const header = fixListHeader(system);
  const body = rows.map((r) => {
    const cells = [r.personId, r.name, r.recordId, FIELD_LABELS[r.field] ?? r.field, r.currentValue, r.correctValue, r.status];
    if (system === 'crm') cells.push(r.link);
    return cells.map(cellText);
  });
  return stringify([header, ...body], { bom: true, record_delimiter: 'windows', escape_formulas: true });
}
