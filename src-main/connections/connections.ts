/**
 * "Profile + token → API client", in one place for every domain that calls an API (sync,
 * reconciliation, "Add to CRM+"): the profile's base URL, its token from the SecretStore, the
 * sandbox's servers started when the profile is a sandbox, and the client options from the
 * sync tuning and the profile's pace ceiling. Every client records the rate-limit headers it sees
 * for its profile (store/repos/apiObservations.ts), so every screen shows the same CRM+ budget.
 *
 * Rules: the token is read for one client and lives only in it; a missing URL, an unreadable
 * keychain or a missing token is a typed error naming what to do, never a thrown surprise.
 */
import { AppError } from '../../src-shared/errors';
import { API_LABELS, type ApiName } from '../../src-shared/domain/apis';
import type { ProfileRow, ProfilesRepo } from '../store/repos/profiles';
import type { SecretStore } from '../secrets/secretStore';
import type { VomoClientOptions } from '../connectors/vomo/client';
import type { CrmClientOptions } from '../connectors/crm/client';
import type { RaiseClientOptions } from '../connectors/raise/client';
import type { HttpTuning, SyncTuning } from '../sync/config';
import type { ApiObservations } from '../store/repos/apiObservations';

const TOKEN_ENV: Record<ApiName, string> = { vomo: 'TWOFOLD_VOMO_TOKEN', crm: 'TWOFOLD_CRM_TOKEN', raise: 'TWOFOLD_RAISE_TOKEN' };

export interface ClientOptionsOf {
  vomo: VomoClientOptions;
  crm: CrmClientOptions;
  raise: RaiseClientOptions;
}

export type Opened<A extends ApiName> =
  | { ok: true; profile: ProfileRow; api: A; tuning: SyncTuning; options: ClientOptionsOf[A] }
  /** `skip`: not an error, the profile simply has no such API (Raise is optional). */
  | { ok: false; skip: boolean; error: AppError };

export interface ConnectionDeps {
  profiles: Pick<ProfilesRepo, 'get'>;
  secrets: Pick<SecretStore, 'get'>;
  /** Starts a sandbox profile's servers when they are not running (they give the URLs and tokens). */
  sandboxes: { prepare(profileId: number): Promise<void> };
  /** The sync tuning in force (tests and the benchmark change it). */
  tuning(): SyncTuning;
  /** Where every answer's rate-limit headers go (the one budget figure every screen shows). */
  observations?: Pick<ApiObservations, 'observe'>;
  /** The profile's highest pace for a server that publishes no limit (SyncSettings.paceCeilingPerSecond). */
  paceCeiling?(profileId: number): number;
}

export class Connections {
  constructor(private readonly deps: ConnectionDeps) {}

  /**
   * The tuning for a profile. A sandbox profile needs nothing of its own any more: its VOMO sends
   * rate-limit headers and its Raise is found by the adaptive pacing, like real servers.
   */
  tuningFor(_profile: Pick<ProfileRow, 'is_sandbox'>): SyncTuning {
    return this.deps.tuning();
  }

  prepare(profileId: number): Promise<void> {
    return this.deps.sandboxes.prepare(profileId);
  }

  /** The client options of one API of a profile, token included, or why there are none. */
  async open<A extends ApiName>(profileId: number, api: A, http: Partial<HttpTuning> = {}): Promise<Opened<A>> {
    await this.deps.sandboxes.prepare(profileId);
    const profile = this.deps.profiles.get(profileId);
    if (!profile) return { ok: false, skip: false, error: new AppError('NOT_FOUND', `There is no profile with id ${profileId}.`) };
    const url = api === 'vomo' ? profile.vomo_url : api === 'crm' ? profile.crm_url : profile.raise_url;
    const label = API_LABELS[api];
    if (!url) {
      if (api === 'raise') return { ok: false, skip: true, error: new AppError('BAD_INPUT', 'This profile has no Raise URL.') };
      return { ok: false, skip: false, error: new AppError('BAD_INPUT', `This profile has no ${label} URL: add it in Settings → Connections.`) };
    }
    let token: string | null;
    try {
      token = await this.deps.secrets.get(profile.id, api);
    } catch {
      return { ok: false, skip: false, error: new AppError('KEYCHAIN_UNAVAILABLE', `The keychain could not be read for the ${label} token.`) };
    }
    if (!token) {
      return {
        ok: false,
        skip: false,
        error: new AppError('TOKEN_MISSING', `No ${label} token: add it in Settings → Connections (or run: twofold token set <profile> ${api}; or set ${TOKEN_ENV[api]}).`),
      };
    }
    const tuning = this.tuningFor(profile);
    const h = { ...tuning.http, ...http };
    const retry = { timeoutMs: h.timeoutMs, retries: h.retries, minRetryDelayMs: h.minRetryDelayMs, maxRetryDelayMs: h.maxRetryDelayMs, max429: h.max429, maxWaitMs: h.maxWaitMs };
    const base = { baseUrl: url, token, ...retry };
    const obs = this.deps.observations;
    const onRateHeaders = (h: { limit: number | null; remaining: number | null; resetAt: number | null; observedAt: number }) =>
      obs?.observe(profile.id, api, { limit: h.limit, remaining: h.remaining, resetAt: h.resetAt, observedAt: h.observedAt });
    const ceilingPerSecond = this.deps.paceCeiling?.(profile.id);
    const options: ClientOptionsOf[ApiName] =
      api === 'vomo'
        ? { ...base, requestsPerSecond: tuning.vomo.requestsPerSecond, ceilingPerSecond, maxConcurrent: tuning.vomo.maxConcurrent ?? undefined, onRateHeaders }
        : api === 'crm'
          ? {
              ...base,
              hourlyLimit: tuning.crm.hourlyLimit,
              reserve: tuning.crm.reserve,
              maxConcurrent: tuning.crm.maxConcurrent,
              onBudget: (b) => onRateHeaders({ limit: b.limit, remaining: b.remaining, resetAt: b.resetAt ? Date.parse(b.resetAt) : null, observedAt: Date.now() }),
            }
          : { ...base, requestsPerSecond: tuning.raise.requestsPerSecond, ceilingPerSecond, maxConcurrent: tuning.raise.maxConcurrent, onRateHeaders };
    return { ok: true, profile, api, tuning, options: options as ClientOptionsOf[A] };
  }
}
