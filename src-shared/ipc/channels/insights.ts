import { z } from 'zod';
import { channel, OkOutput } from '../channel';
import {
  ExportLogEntry,
  ExportRequest,
  ExportResult,
  InsightSettings,
  ListInfo,
  ListPage,
  ListQuery,
  Overview,
} from '../../domain/insights';
import { ExportFile } from '../../domain/store';

const ProfileRef = z.object({ profileId: z.number().int().positive() });

export const insightsChannels = {
  /** Overlap numbers and the trust panel. */
  'insights.overview': channel(ProfileRef, Overview),
  /** The lists, their columns, sorts and filters (for pickers and column choosers). */
  'insights.lists': channel(z.object({}).strict().default({}), z.array(ListInfo)),
  /** One page of a list, sorted, filtered and searched in SQLite. `total` is -1 when `withTotal` is false. */
  'insights.list': channel(ListQuery.and(z.object({ withTotal: z.boolean().default(true) })), ListPage.extend({ hasMore: z.boolean() })),
  /** How many rows the list holds with these filters (cached until the store changes). */
  'insights.count': channel(ListQuery, z.object({ total: z.number() })),
  'insights.settings.get': channel(ProfileRef, InsightSettings),
  'insights.settings.set': channel(ProfileRef.extend({ patch: InsightSettings.partial() }), InsightSettings),
  /** Recompute the per-person measures now (normally done after every join rebuild). */
  'insights.refresh': channel(ProfileRef.extend({ asOf: z.string().optional() }), z.object({ refreshedAt: z.string(), persons: z.number() })),
  /** Export a list to CSV: a save dialog in Electron, a download in the web shell. */
  'exports.create': channel(ExportRequest, ExportResult),
  'exports.list': channel(ProfileRef.extend({ limit: z.number().int().min(1).max(1000).default(100) }), z.array(ExportLogEntry)),
  /** Export files (unencrypted CSVs) that still exist where they were written. */
  'exports.files': channel(ProfileRef, z.array(ExportFile)),
  /** Deletes one export's file; the export log keeps its entry. */
  'exports.deleteFile': channel(ProfileRef.extend({ exportId: z.number().int().positive() }), OkOutput),
};
