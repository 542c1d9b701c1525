import { z } from 'zod';
import { CalendarDay } from '../../domain/dates';
import { channel } from '../channel';
import { FindingGroup, FindingKind, LagStats, ReconcileSettings, ReportPage, RunInfo } from '../../domain/reconcile';

const ProfileRef = z.object({ profileId: z.number().int().positive() });
const RunRef = z.object({ runId: z.number().int().positive() });
const Day = CalendarDay;
const Change = z.enum(['all', 'new', 'changed', 'fixed']);

export const reconcileChannels = {
  /** Run a reconciliation now: store vs APIs (+ targeted re-sync), deletion sweep, Raise → CRM+. */
  'reconcile.run': channel(
    ProfileRef.extend({
      since: Day.optional(),
      lagHours: z.number().min(0).max(24 * 90).optional(),
      /** The reference time; default: the sandbox/API clock, else wall time. */
      asOf: z.iso.datetime({ offset: true }).optional(),
      checkApis: z.boolean().optional(),
      sweep: z.boolean().optional(),
      resync: z.boolean().optional(),
    }),
    RunInfo,
  ),
  /** Stop the profile's running reconciliation at its next step (the run is recorded as not finished). */
  'reconcile.cancel': channel(ProfileRef, z.object({ cancelled: z.boolean() })),
  'reconcile.runs': channel(ProfileRef.extend({ limit: z.number().int().min(1).max(500).default(50) }), z.object({ runs: z.array(RunInfo), running: z.boolean() })),
  /** One page of a run's findings with the comparison to the previous run. */
  'reconcile.report': channel(
    RunRef.extend({
      group: FindingGroup.optional(),
      kind: FindingKind.optional(),
      change: Change.default('all'),
      search: z.string().max(200).optional(),
      /** A page's edge from the last reply (`nextCursor`, `prevCursor`); paging by it costs the same at any depth. */
      cursor: z.string().max(500).nullable().optional(),
      /** 'prev' without a cursor: the last page. */
      direction: z.enum(['next', 'prev']).default('next'),
      /** Only without a cursor (the CLI). */
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(100),
    }),
    ReportPage,
  ),
  /**
   * CSV of a run's findings (filtered like the report). Electron: a save dialog; web shell: a
   * download id; CLI/tests: `path`.
   */
  'reconcile.exportCsv': channel(
    RunRef.extend({ group: FindingGroup.optional(), kind: FindingKind.optional(), change: Change.default('all'), path: z.string().min(1).max(4096).optional() }),
    z.object({
      rows: z.number(),
      file: z.string().nullable(),
      /** Web shell: fetch it from `downloadUrl(downloadId)` (src-renderer/ipc/transport). */
      downloadId: z.string().nullable(),
      fileName: z.string(),
      cancelled: z.boolean(),
    }),
  ),
  'reconcile.settings.get': channel(ProfileRef, ReconcileSettings),
  'reconcile.settings.set': channel(
    ProfileRef.extend({
      lagHours: z.number().min(0).max(24 * 90).optional(),
      dateToleranceDays: z.number().int().min(0).max(31).optional(),
      sinceDays: z.number().int().min(0).max(3650).optional(),
    }),
    ReconcileSettings,
  ),
  /** The Raise → CRM+ lag observed in the store now, against a window (default: the setting). */
  'reconcile.lagStats': channel(ProfileRef.extend({ lagHours: z.number().min(0).max(24 * 90).optional() }), LagStats.extend({ lagHours: z.number() })),
};
