/**
 * Fix lists: per system, what the steward should correct by hand in VOMO or CRM+ so the systems
 * agree. CSV via csv-stringify, UTF-8 with a BOM (Excel), and every cell that starts with
 * = + - @ (or a tab / carriage return, or a full-width = + - @) is prefixed with an apostrophe so
 * no spreadsheet reads it as a formula (csv-stringify's `escape_formulas`, as every CSV here).
 */
import { stringify } from 'csv-stringify/sync';
import type { Db } from '../store/db';
import type { AuditRepo } from '../store/repos/audit';
import type { EventBus } from '../core/events';
import type { IdentitySettings } from '../../src-shared/domain/identity';
import { AppError } from '../../src-shared/errors';
import { writeLoggedCsv, type CsvBatch } from '../export/exportLog';
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
  // An open conflict is corrected here only in a field whose authority is the other system: the
  // fields this system (or Raise) is the authority of are left out by the query, not read and
  // dropped (157,000 open conflicts at 1M: 4.3 s to write none).
  const corrected = (Object.keys(settings.fieldAuthority) as (keyof typeof settings.fieldAuthority)[]).filter((f) => {
    const auth = settings.fieldAuthority[f];
    return auth !== system && auth !== 'raise';
  });
  const open = corrected.length ? `(status = 'open' AND field IN (${corrected.map((f) => `'${f}'`).join(', ')})) OR ` : '';
  // The conflicts are read in one scan and their persons looked up in person order (a page of
  // persons after another), then put in the queue's order: walked by the queue's index, each
  // conflict and its person were a random read (157,000 at 1M: 4.3-7.2 s against 3.1-3.2).
  const rows = db
    .prepare(
      `WITH c AS MATERIALIZED (
         SELECT * FROM conflicts NOT INDEXED
          WHERE profile_id = ? AND active = 1 AND (${open}(status = 'resolved' AND chosen_value IS NOT NULL))
          ORDER BY person_id)
       SELECT c.*, p.display_name, p.vomo_user_id, p.crm_contact_id, p.crm_individual_id, p.crm_url
         FROM c JOIN persons p ON p.profile_id = c.profile_id AND p.id = c.person_id
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
    // An open conflict's two values differ (that is what made it one, under the region it was
    // evaluated in, which is the current one); a value the steward chose may equal either.
    if (r.status === 'resolved' && compareKey(field, mine, settings.defaultPhoneRegion) === compareKey(field, target, settings.defaultPhoneRegion)) continue;
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

/** A correction's cells, in the header's order. */
export function fixListCells(r: FixRow, system: 'vomo' | 'crm'): string[] {
  const cells = [r.personId, r.name, r.recordId, FIELD_LABELS[r.field] ?? r.field, r.currentValue, r.correctValue, r.status];
  if (system === 'crm') cells.push(r.link);
  return cells.map(cellText);
}

export function fixListCsv(rows: FixRow[], system: 'vomo' | 'crm'): string {
  return stringify([fixListHeader(system), ...rows.map((r) => fixListCells(r, system))], { bom: true, record_delimiter: 'windows', escape_formulas: true });
}

/** A fix list as a job: which system's, to which checked file, named how in the log. */
export interface FixListInput {
  profileId: number;
  system: 'vomo' | 'crm';
  target: string;
  destination: 'file' | 'download';
  fileName: string;
}

/** Corrections written per batch (each waits for the file to take it). */
const BATCH = 1000;

/**
 * Writes a fix list to its file, as a job: at a million persons a profile may have 150,000 open
 * conflicts, and reading and writing them held the core's thread 5-8 s. Written, logged with the
 * persons it names (names and contact details, unencrypted), audited and left whole or not at all
 * as every logged CSV is (exportLog.ts: writeLoggedCsv).
 */
export async function writeFixListFile(
  deps: { db: Db; audit: Pick<AuditRepo, 'record'>; events: Pick<EventBus, 'emit'> },
  settings: IdentitySettings,
  input: FixListInput,
  job: { signal?: { readonly aborted: boolean }; onProgress?(step: string, done: number, total: number | null): void } = {},
): Promise<{ rows: number }> {
  const stop = () => {
    if (job.signal?.aborted) throw new AppError('CANCELLED', 'The fix list was cancelled; no file was written.');
  };
  job.onProgress?.('select', 0, null);
  const rows = fixRows(deps.db, input.profileId, input.system, settings);
  stop();
  function* batches(): Generator<CsvBatch> {
    for (let i = 0; i < rows.length; i += BATCH) {
      job.onProgress?.('write', i, rows.length);
      const part = rows.slice(i, i + BATCH);
      yield { rows: part.map((r) => fixListCells(r, input.system)), personIds: part.map((r) => r.personId) };
    }
  }
  const written = await writeLoggedCsv(
    deps.db,
    {
      profileId: input.profileId,
      kind: `fix-list-${input.system}`,
      filters: {},
      columns: fixListHeader(input.system),
      fileName: input.fileName,
      destination: input.destination,
      filePath: input.target,
    },
    batches(),
    {
      what: 'The fix list',
      stop,
      also: (n) =>
        deps.audit.record({
          profileId: input.profileId,
          action: 'conflicts.fix_list',
          subjectType: 'profile',
          subjectId: String(input.profileId),
          detail: { system: input.system, rows: n, path: input.destination === 'file' ? input.target : null },
        }),
    },
  );
  deps.events.emit('data.changed', { profileId: input.profileId, scope: 'exports' });
  return { rows: written };
}
