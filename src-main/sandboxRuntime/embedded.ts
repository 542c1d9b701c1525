/**
 * The sandbox inside the app: "Explore with sandbox data" starts the three simulated APIs on
 * free loopback ports in the main process and points a Sandbox profile at them. Its tokens go
 * into the keychain like any others. The servers live as long as the core; a Sandbox profile
 * whose servers are not running (the app restarted) gets them started again, deterministically
 * from the same seed, before anything calls them.
 */
import { z } from 'zod';
import type { Core } from '../core/app';
import { AppError } from '../../src-shared/errors';
import type { ProfileRow } from '../store/repos/profiles';

/**
 * How big the demo organization is. 2,000 people sync in well under a minute; TWOFOLD_SANDBOX_PEOPLE
 * changes the default (a bigger demo, or a quicker one in tests).
 */
const DEFAULT_PEOPLE = Math.max(100, Number(process.env.TWOFOLD_SANDBOX_PEOPLE) || 2000);
export const SandboxSettings = z
  .object({ people: z.number().int().positive().default(DEFAULT_PEOPLE), seed: z.number().int().default(1) })
  .default({ people: DEFAULT_PEOPLE, seed: 1 });

/**
 * The embedded demo's APIs answer faster than the real VOMO (whose per-second limit would make a
 * first sync of every volunteer's detail take minutes); CRM+ keeps its real hourly budget. The
 * sync's sandbox tuning (sync/syncService.ts) paces to the same numbers.
 */
export const EMBEDDED_RATE_LIMITS = {
  vomo: { limit: 100, windowMs: 1000 },
  crm: { limit: 5000, windowMs: 3_600_000 },
  raise: { limit: 50, windowMs: 1000 },
};
export type SandboxSettings = z.infer<typeof SandboxSettings>;

type SandboxModule = typeof import('../sandbox/index');
type Handle = Awaited<ReturnType<SandboxModule['startSandbox']>>;
type SandboxAction = ReturnType<Handle['actions']>[number];

/** What changed the sandbox (advances, batches, writes by Twofold), replayed after a restart. */
const ActionsSetting = z.array(z.unknown()).default([]);
const ACTIONS_KEY = 'sandbox.actions';

export const SANDBOX_PROFILE_NAME = 'Sandbox';

class EmbeddedSandboxes {
  private readonly running = new Map<number, Promise<Handle>>();
  private readonly savedCounts = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly core: Core) {
    // The sandbox's own state lives in memory; saving its action log lets a restarted app
    // bring the organization back exactly where the steward left it (same clock, same writes).
    this.timer = setInterval(() => void this.saveAll(), 5000);
    this.timer.unref();
    core.onClose(async () => {
      clearInterval(this.timer);
      await this.saveAll();
      for (const h of this.running.values()) await (await h.catch(() => null))?.stop();
      this.running.clear();
    });
  }

  /** Persist each running sandbox's action log when it grew. */
  async saveAll(): Promise<void> {
    for (const [profileId, started] of this.running) {
      const handle = await started.catch(() => null);
      if (!handle) continue;
      const actions = handle.actions();
      if (actions.length === (this.savedCounts.get(profileId) ?? -1)) continue;
      try {
        this.core.settings.set(profileId, ACTIONS_KEY, actions);
        this.savedCounts.set(profileId, actions.length);
      } catch {
        /* the profile was removed, or the database is closing */
      }
    }
  }

  /** Starts (once) the servers of a sandbox profile and points the profile and its tokens at them. */
  async ensure(profile: ProfileRow): Promise<Handle> {
    if (!profile.is_sandbox) throw new AppError('BAD_INPUT', `"${profile.name}" is not a sandbox profile.`);
    let started = this.running.get(profile.id);
    if (!started) {
      const settings = this.core.settings.get(profile.id, 'sandbox', SandboxSettings);
      started = (async () => {
        const { startSandbox } = await import('../sandbox/index');
        const replay = this.core.settings.get(profile.id, ACTIONS_KEY, ActionsSetting) as SandboxAction[];
        const handle = await startSandbox({ people: settings.people, seed: settings.seed, port: 0, replay, rateLimits: EMBEDDED_RATE_LIMITS });
        this.savedCounts.set(profile.id, replay.length);
        this.core.profiles.update(profile.id, { vomoUrl: handle.vomo.baseUrl, crmUrl: handle.crm.baseUrl, raiseUrl: handle.raise.baseUrl });
        for (const api of ['vomo', 'crm', 'raise'] as const) {
          try {
            await this.core.secrets.set(profile.id, api, handle[api].token);
          } catch (err) {
            // No keychain here: the generated sandbox tokens open only these loopback servers,
            // so keeping them in memory for this session is safe; real tokens never are.
            if ((err as AppError).code !== 'KEYCHAIN_UNAVAILABLE') throw err;
            this.core.sessionSecrets.remember(profile.id, api, handle[api].token);
          }
        }
        return handle;
      })();
      this.running.set(profile.id, started);
      started.catch(() => this.running.delete(profile.id));
    }
    return started;
  }

  handle(profileId: number): Promise<Handle> | undefined {
    return this.running.get(profileId);
  }
}

export function embeddedSandboxes(core: Core): EmbeddedSandboxes {
  return core.service('sandbox.embedded', () => new EmbeddedSandboxes(core));
}

/** Creates the Sandbox profile (or reuses it) and starts its servers. */
export async function createSandboxProfile(core: Core, settings: Partial<SandboxSettings> = {}): Promise<{ profile: ProfileRow; handle: Handle }> {
  let profile = core.profiles.list().find((p) => p.is_sandbox === 1);
  if (!profile) {
    let name = SANDBOX_PROFILE_NAME;
    for (let i = 2; core.profiles.byName(name); i++) name = `${SANDBOX_PROFILE_NAME} ${i}`;
    profile = core.profiles.insert({ name, vomoUrl: null, crmUrl: null, raiseUrl: null, isSandbox: true });
    core.settings.set(profile.id, 'sandbox', SandboxSettings.parse(settings));
    core.audit.record({ profileId: profile.id, action: 'sandbox.create', subjectType: 'profile', subjectId: String(profile.id), detail: settings });
  }
  const handle = await embeddedSandboxes(core).ensure(profile);
  core.events.emit('profiles.changed', {});
  return { profile: core.profiles.get(profile.id)!, handle };
}

/**
 * Call before talking to a profile's APIs: for a sandbox profile whose servers are not running
 * in this process, starts them. Real profiles pass through untouched.
 */
export async function prepareProfileForSync(core: Core, profileId: number): Promise<void> {
  const profile = core.profiles.get(profileId);
  if (profile?.is_sandbox) await embeddedSandboxes(core).ensure(profile);
}
