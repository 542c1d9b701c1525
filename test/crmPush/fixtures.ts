/** Test fixtures for "Add to CRM+": a core pointed at a fresh sandbox, VOMO mirrored, hand-made persons. */
import { startSandbox, type SandboxHandle } from '../../src-main/sandbox/index';
import { tempCore } from '../helpers/tempCore';
import { PushService, type PushServiceOptions } from '../../src-main/crmPush/pushService';
import type { Core } from '../../src-main/core/app';

export interface PushEnv {
  sbx: SandboxHandle;
  core: Core & { cleanup(): Promise<void> };
  profileId: number;
  /** Every Transaction POST the CRM+ server answered 200, by referenceId. */
  posts: Map<string, number>;
  fetch: typeof fetch;
  service(opts?: Omit<PushServiceOptions, 'fetch'>): PushService;
  sandboxNow(): Promise<Date>;
  contactCount(): number;
  close(): Promise<void>;
}

export async function pushEnv(o: { people?: number; seed?: number } = {}): Promise<PushEnv> {
  const sbx = await startSandbox({ people: o.people ?? 120, seed: o.seed ?? 5, rateLimits: 'off' });
  const core = tempCore();
  const profile = core.profiles.insert({ name: 'Org', vomoUrl: sbx.vomo.baseUrl, crmUrl: sbx.crm.baseUrl, raiseUrl: sbx.raise.baseUrl });
  await core.secrets.set(profile.id, 'vomo', sbx.vomo.token);
  await core.secrets.set(profile.id, 'crm', sbx.crm.token);
  await core.secrets.set(profile.id, 'raise', sbx.raise.token);
  const sync = core.sync;
  sync.configure({ http: { retries: 2, minRetryDelayMs: 5, maxRetryDelayMs: 20 }, vomo: { requestsPerSecond: 0 }, progressIntervalMs: 0 } as never);
  await sync.run(profile.id, { apis: ['vomo'] });
  makePersonsFromVomo(core, profile.id);
  core.settings.set(profile.id, 'crmPush', { budgetReserve: 0 });

  const posts = new Map<string, number>();
  const counting: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const url = String(input);
    if (res.ok && (init?.method ?? 'GET') === 'POST' && /\/api\/Contact(\/Transaction)?$/.test(new URL(url).pathname)) {
      const body = JSON.parse(String(init!.body)) as { referenceId?: string };
      if (body.referenceId) posts.set(body.referenceId, (posts.get(body.referenceId) ?? 0) + 1);
    }
    return res;
  };
  const sandboxNow = async () => new Date(sbx.core.state().now);
  return {
    sbx,
    core,
    profileId: profile.id,
    posts,
    fetch: counting,
    service: (opts = {}) => new PushService(core, { now: sandboxNow, client: { minRetryDelayMs: 5, maxRetryDelayMs: 20 }, ...opts, fetch: counting }),
    sandboxNow,
    contactCount: () => sbx.core.state().counts.crm.contacts,
    async close() {
      await core.cleanup();
      await sbx.stop();
    },
  };
}

/** One person per mirrored VOMO user ('P' + the VOMO id): the join is not what is tested here. */
export function makePersonsFromVomo(core: Core, profileId: number): void {
  const now = new Date().toISOString();
  core.db
    .prepare(
      `INSERT OR IGNORE INTO persons (profile_id, id, email_norm, display_first_name, display_last_name, display_name, display_email, has_vomo,
         vomo_user_id, vomo_first_name, vomo_last_name, vomo_email, vomo_phone, vomo_address, vomo_user_count, created_at, updated_at)
       SELECT profile_id, 'P' || id, email_norm, first_name, last_name, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), email, 1,
         id, first_name, last_name, email, phone, address, 1, ?, ?
       FROM vomo_users WHERE profile_id = ? AND gone_at IS NULL`,
    )
    .run(now, now, profileId);
}

/** A hand-made volunteer that exists only locally (e.g. with an email CRM+ refuses). */
export function addPerson(core: Core, profileId: number, p: { vomoId: string; first: string; last: string; email: string | null; phone?: string | null; address?: string | null }): string {
  const now = new Date().toISOString();
  const id = `P${p.vomoId}`;
  core.db
    .prepare(
      `INSERT INTO persons (profile_id, id, email_norm, display_first_name, display_last_name, display_name, display_email, has_vomo, vomo_user_id,
         vomo_first_name, vomo_last_name, vomo_email, vomo_phone, vomo_address, vomo_user_count, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
    )
    .run(profileId, id, p.email?.toLowerCase() ?? null, p.first, p.last, `${p.first} ${p.last}`, p.email, p.vomoId, p.first, p.last, p.email, p.phone ?? null, p.address ?? null, now, now);
  return id;
}

export type { SandboxHandle };
