import type { ApiName } from '../../src-shared/domain/apis';

/** One record as an API lists it: its id, the API's last-update time, and the raw item. */
export interface SourceRecord {
  id: string;
  updatedAt: string | null;
  raw: unknown;
}

/**
 * What reconciliation needs of one API resource. Implemented over the connectors and the sync
 * engine's mirror upserts (sources.ts), and by fakes in tests.
 */
export interface ResourceSource {
  api: ApiName;
  resource: string;
  /** The mirror table and the column that holds the API's last-update time of the copy. */
  table: string;
  updatedColumn: string;
  /** Pages of records changed on or after `since` (ISO). */
  changedSince(since: string, signal?: AbortSignal): AsyncIterable<SourceRecord[]>;
  /** Pages of every id the source holds now (the IDs-only sweep). Absent: no sweep for it. */
  allIds?(signal?: AbortSignal): AsyncIterable<string[]>;
  /** Writes exactly these records into the mirror (fetching full records where it must). */
  resync(records: SourceRecord[], signal?: AbortSignal): Promise<{ restored: string[]; failed: { id: string; reason: string }[] }>;
}

export interface ApiSources {
  /** Per API: the resources, or why that API cannot be read (no URL, no token). */
  apis: { api: ApiName; resources: ResourceSource[]; unavailable: string | null }[];
  close(): void;
  /** Called after re-synced records landed (the identity refresh, for one). */
  afterResync?(changed: { api: ApiName; resource: string; ids: string[] }[]): Promise<void>;
  /** Builds the person store when it was never built (drill-down needs it). */
  ensurePersons?(): Promise<void>;
}

export type SourcesFactory = (profileId: number) => Promise<ApiSources>;
