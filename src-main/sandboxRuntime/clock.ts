/**
 * "Now" for a profile, the one clock every domain judges by (list windows, reconciliation's
 * as-of, the CRM+ follow-up times, the dates in file names): the wall clock for a real
 * organization; for a sandbox profile the sandbox's own time, which moves only when told to.
 * Read from the servers when they answer (this process's, else the owner's), else the time the
 * owner saved last, so the app and a CLI run beside it agree without starting anything.
 */
import type { Core } from '../core/app';
import { embeddedSandboxes } from './embedded';

export interface ProfileNow {
  at: Date;
  source: 'sandbox' | 'wall';
}

export async function profileNow(core: Core, profileId: number): Promise<ProfileNow> {
  const profile = core.profiles.get(profileId);
  if (profile?.is_sandbox) {
    try {
      const state = await embeddedSandboxes(core).state(profile);
      const ms = state.clock ? Date.parse(state.clock) : NaN;
      if (Number.isFinite(ms)) return { at: new Date(ms), source: 'sandbox' };
    } catch {
      /* the database is closing: fall back to the wall clock */
    }
  }
  return { at: new Date(), source: 'wall' };
}

/** The sandbox's time for a sandbox profile; null for a real one. */
export async function sandboxNow(core: Core, profileId: number): Promise<Date | null> {
  const n = await profileNow(core, profileId);
  return n.source === 'sandbox' ? n.at : null;
}
