/** Test helpers for sync: a core in a temp folder with in-memory secrets, and fast tuning. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore, type Core } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/secrets/memoryStore';
import { testStoreKey } from '../helpers/tempCore';
import type { DeepPartial, SyncTuning } from '../../src-main/sync/config';
import type { SyncService } from '../../src-main/sync/syncService';

export const FAST: DeepPartial<SyncTuning> = {
  http: { retries: 4, minRetryDelayMs: 5, maxRetryDelayMs: 40, timeoutMs: 10_000, maxWaitMs: 5_000 },
  vomo: { requestsPerSecond: 0, detailBatch: 20 },
  raise: { requestsPerSecond: 0 },
  progressIntervalMs: 0,
};

export interface TestEnv {
  dir: string;
  core: Core;
  sync: SyncService;
  profileId: number;
  close(): Promise<void>;
}

export async function makeEnv(
  urls: { vomo: string | null; crm: string | null; raise: string | null },
  tokens: Partial<Record<'vomo' | 'crm' | 'raise', string>>,
  tuning: DeepPartial<SyncTuning> = {},
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-sync-')),
): Promise<TestEnv> {
  const core = createCore({ dataDir: dir, secrets: new MemorySecretStore(), storeKey: testStoreKey() });
  const profile = core.profiles.byName('Org') ?? core.profiles.insert({ name: 'Org', vomoUrl: urls.vomo, crmUrl: urls.crm, raiseUrl: urls.raise });
  for (const [api, t] of Object.entries(tokens)) if (t) await core.secrets.set(profile.id, api as 'vomo', t);
  const sync = core.sync;
  sync.configure(FAST);
  sync.configure(tuning);
  return {
    dir,
    core,
    sync,
    profileId: profile.id,
    async close() {
      await core.close();
    },
  };
}

/** Everything mirrored, minus bookkeeping columns, as sorted plain rows (for store equality). */
export function dumpMirrors(core: Core, profileId: number): Record<string, unknown[]> {
  const tables: Record<string, string> = {
    vomo_users: 'id',
    vomo_participations: 'user_id, id',
    crm_contacts: 'id',
    crm_individuals: 'id',
    crm_contact_methods: 'id',
    crm_contact_references: 'contact_id, source, ref_id',
    crm_gifts: 'id',
    raise_campaigns: 'id',
    raise_donors: 'id',
    raise_gifts: 'id',
    raise_recurring_gifts: 'id',
  };
  const out: Record<string, unknown[]> = {};
  for (const [t, order] of Object.entries(tables)) {
    const rows = core.db.prepare(`SELECT * FROM ${t} WHERE profile_id = ? ORDER BY ${order}`).all(profileId) as Record<string, unknown>[];
    out[t] = rows.map((r) => {
      const { first_synced_at, last_synced_at, detail_fetched_at, profile_id, ...rest } = r;
      void first_synced_at;
      void last_synced_at;
      void detail_fetched_at;
      void profile_id;
      return rest;
    });
  }
  return out;
}
