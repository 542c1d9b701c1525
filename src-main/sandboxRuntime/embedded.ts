/**
 * The sandbox inside Twofold: "Explore with sandbox data" starts the three simulated APIs on free
 * loopback ports and points a Sandbox profile at them.
 *
 * One owner per sandbox profile (lease.ts): the process that serves the servers is the only one
 * that writes the profile's addresses, records what changes the sandbox (its action log) and saves
 * its clock. Any other process that needs the sandbox (a CLI sync beside the running app, a
 * second window) uses the owner's servers as they are. Only when no live owner answers does a
 * process start servers of its own, deterministically from the same seed and replaying the saved
 * actions, and become the owner; it gives the servers up when it closes.
 *
 * Tokens are not stored: they are a function of the seed (sandbox/tokens.ts), derived by the
 * secret store in every process (tokens.ts).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../src-shared/errors';
import type { Db } from '../store/db';
import type { ProfileRow, ProfilesRepo } from '../store/repos/profiles';
import type { SettingsRepo } from '../store/repos/settings';
import type { AuditRepo } from '../store/repos/audit';
import type { EventBus } from '../core/events';
import type { WriteGate } from '../jobs/writeGate';
import type { SandboxClock } from './clock';
import { claimLease, ownerClock, readLease, releaseLease, saveClock, type Served } from './lease';

/**
 * How big the demo organization is. 2,000 people sync in well under a minute; TWOFOLD_SANDBOX_PEOPLE
 * changes the default (a bigger demo, or a quicker one in tests).
 */
const DEFAULT_PEOPLE = Math.max(100, Number(process.env.TWOFOLD_SANDBOX_PEOPLE) || 2000);
export const SandboxSettings = z
  .object({ people: z.number().int().positive().default(DEFAULT_PEOPLE), seed: z.number().int().default(1) })
  .default({ people: DEFAULT_PEOPLE, seed: 1 });

/**
 * The embedded demo's APIs answer faster than the real VOMO would let a first sync of every
 * volunteer's detail go (6,000 a minute, Laravel-style headers); CRM+ keeps its real hourly
 * budget; Raise sends no headers, as the real one. The sync paces to what each says.
 */
export const EMBEDDED_RATE_LIMITS = {
  vomo: { limit: 6000, windowMs: 60_000 },
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

/** Where a sandbox profile's APIs answer, and who serves them. */
export interface SandboxAccess {
  urls: Served;
  /** This process serves them. */
  here: boolean;
  ownerShell: string | null;
  ownerPid: number | null;
}

export interface SandboxState {
  running: boolean;
  clock: string | null;
  owner: 'this-process' | 'another-process' | null;
  ownerShell: string | null;
  ownerPid: number | null;
  urls: Served | null;
}

function servedBy(h: Handle): Served {
  return { vomo: h.vomo.baseUrl, crm: h.crm.baseUrl, raise: h.raise.baseUrl, admin: h.admin };
}

export interface SandboxDeps {
  db: Db;
  profiles: ProfilesRepo;
  settings: SettingsRepo;
  audit: AuditRepo;
  events: Pick<EventBus, 'emit'>;
  /** What this process is to others (the app, the web shell, a CLI run). */
  shell: string;
  gate: WriteGate;
}

export class EmbeddedSandboxes implements SandboxClock {
  private readonly running = new Map<number, Promise<Handle>>();
  private readonly savedCounts = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;
  /** This core's identity as an owner (two cores in one process are two owners). */
  readonly ownerId = randomUUID();

  constructor(private readonly core: SandboxDeps) {
    // The sandbox's own state lives in memory; saving its action log lets a restarted app
    // bring the organization back exactly where the steward left it (same clock, same writes).
    // While a job holds the store the save waits for the next tick: never block this thread.
    this.timer = setInterval(() => void this.saveAll({ skipWhenBusy: true }), 5000);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.saveAll();
    for (const [profileId, h] of this.running) {
      await (await h.catch(() => null))?.stop();
      try {
        releaseLease(this.core.db, profileId, this.ownerId);
      } catch {
        /* the profile was removed */
      }
    }
    this.running.clear();
  }

  /** Persist each sandbox this core serves: its action log when it grew, and its clock. */
  async saveAll(opts: { skipWhenBusy?: boolean } = {}): Promise<void> {
    for (const [profileId, started] of this.running) {
      const handle = await started.catch(() => null);
      if (!handle) continue;
      const save = () => {
        try {
          saveClock(this.core.db, profileId, this.ownerId, handle.clock.now().toISOString());
          const actions = handle.actions();
          if (actions.length === (this.savedCounts.get(profileId) ?? -1)) return;
          this.core.settings.set(profileId, ACTIONS_KEY, actions);
          this.savedCounts.set(profileId, actions.length);
        } catch {
          /* the profile was removed, or the database is closing */
        }
      };
      if (opts.skipWhenBusy) this.core.gate.tryShared(save);
      else await this.core.gate.shared(save);
    }
  }

  /**
   * Call before talking to a profile's APIs: a sandbox profile gets live servers (a running
   * owner's, or this process's own). Real profiles pass through untouched.
   */
  async prepare(profileId: number): Promise<void> {
    const profile = this.core.profiles.get(profileId);
    if (profile?.is_sandbox) await this.ensure(profile);
  }

  /**
   * The sandbox's time for a sandbox profile (its servers, else the owner's saved time); null for
   * a real one. `start`: bring servers up first when none answer.
   */
  async sandboxNow(profileId: number, opts: { start?: boolean } = {}): Promise<Date | null> {
    const profile = this.core.profiles.get(profileId);
    if (!profile?.is_sandbox) return null;
    try {
      if (opts.start) await this.ensure(profile);
      const state = await this.state(profile);
      const ms = state.clock ? Date.parse(state.clock) : NaN;
      return Number.isFinite(ms) ? new Date(ms) : null;
    } catch {
      return null;
    }
  }

  /** The sandbox handle when this core serves the profile's servers. */
  own(profileId: number): Promise<Handle> | undefined {
    return this.running.get(profileId);
  }

  /**
   * The profile's servers: this core's, else a live owner's, else new ones this core starts and
   * owns. Never rewrites another owner's addresses.
   */
  async ensure(profile: ProfileRow): Promise<SandboxAccess> {
    if (!profile.is_sandbox) throw new AppError('BAD_INPUT', `"${profile.name}" is not a sandbox profile.`);
    for (let attempt = 0; attempt < 3; attempt++) {
      const mine = this.running.get(profile.id);
      if (mine) return { urls: servedBy(await mine), here: true, ownerShell: this.core.shell, ownerPid: process.pid };
      const lease = readLease(this.core.db, profile.id);
      if (lease?.owner_id && lease.owner_id !== this.ownerId && (await ownerClock(lease)) !== null) {
        return {
          urls: { vomo: lease.vomo_url!, crm: lease.crm_url!, raise: lease.raise_url!, admin: lease.admin_url! },
          here: false,
          ownerShell: lease.owner_shell,
          ownerPid: lease.owner_pid,
        };
      }
      if (await this.start(profile, lease?.owner_id ?? null)) continue;
    }
    throw new AppError('REMOTE_ERROR', 'The sandbox servers could not be started: another Twofold process keeps claiming them. Close it and try again.');
  }

  /** Starts servers and claims the profile; false (servers stopped again) when another process claimed it first. */
  private async start(profile: ProfileRow, expectedOwner: string | null): Promise<boolean> {
    const settings = this.core.settings.get(profile.id, 'sandbox', SandboxSettings);
    const started = (async () => {
      const { startSandbox } = await import('../sandbox/index');
      const replay = this.core.settings.get(profile.id, ACTIONS_KEY, ActionsSetting) as SandboxAction[];
      const handle = await startSandbox({ people: settings.people, seed: settings.seed, port: 0, replay, rateLimits: EMBEDDED_RATE_LIMITS });
      this.savedCounts.set(profile.id, replay.length);
      return handle;
    })();
    this.running.set(profile.id, started);
    let handle: Handle;
    try {
      handle = await started;
    } catch (err) {
      this.running.delete(profile.id);
      throw err;
    }
    const me = { id: this.ownerId, pid: process.pid, shell: this.core.shell };
    if (!claimLease(this.core.db, profile.id, expectedOwner, me, servedBy(handle))) {
      this.running.delete(profile.id);
      await handle.stop();
      return false;
    }
    saveClock(this.core.db, profile.id, this.ownerId, handle.clock.now().toISOString());
    this.core.events.emit('profiles.changed', {});
    return true;
  }

  /** Who serves the profile now and the sandbox's time, without starting anything. */
  async state(profile: ProfileRow): Promise<SandboxState> {
    const mine = this.running.get(profile.id);
    if (mine) {
      const h = await mine;
      return { running: true, clock: h.clock.now().toISOString(), owner: 'this-process', ownerShell: this.core.shell, ownerPid: process.pid, urls: servedBy(h) };
    }
    const lease = readLease(this.core.db, profile.id);
    const live = lease?.owner_id && lease.owner_id !== this.ownerId ? await ownerClock(lease) : null;
    if (live && lease) {
      return {
        running: true,
        clock: live,
        owner: 'another-process',
        ownerShell: lease.owner_shell,
        ownerPid: lease.owner_pid,
        urls: { vomo: lease.vomo_url!, crm: lease.crm_url!, raise: lease.raise_url!, admin: lease.admin_url! },
      };
    }
    return { running: false, clock: lease?.clock ?? null, owner: null, ownerShell: null, ownerPid: null, urls: null };
  }
}

/** Creates the Sandbox profile (or reuses it) and makes sure its servers answer. */
export async function createSandboxProfile(
  core: Pick<SandboxDeps, 'profiles' | 'settings' | 'audit' | 'events'> & { sandboxes: EmbeddedSandboxes },
  settings: Partial<SandboxSettings> = {},
): Promise<{ profile: ProfileRow; access: SandboxAccess }> {
  let profile = core.profiles.list().find((p) => p.is_sandbox === 1);
  if (!profile) {
    let name = SANDBOX_PROFILE_NAME;
    for (let i = 2; core.profiles.byName(name); i++) name = `${SANDBOX_PROFILE_NAME} ${i}`;
    profile = core.profiles.insert({ name, vomoUrl: null, crmUrl: null, raiseUrl: null, isSandbox: true });
    core.settings.set(profile.id, 'sandbox', SandboxSettings.parse(settings));
    core.audit.record({ profileId: profile.id, action: 'sandbox.create', subjectType: 'profile', subjectId: String(profile.id), detail: settings });
  }
  const access = await core.sandboxes.ensure(profile);
  core.events.emit('profiles.changed', {});
  return { profile: core.profiles.get(profile.id)!, access };
}
