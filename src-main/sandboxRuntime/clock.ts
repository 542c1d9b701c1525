/**
 * "Now" for a profile, the one clock every domain judges by (list windows, reconciliation's
 * as-of, the CRM+ follow-up times, the dates in file names): the wall clock for a real
 * organization; for a sandbox profile the sandbox's own time, which moves only when told to.
 * Read from the servers when they answer (this process's, else the owner's), else the time the
 * owner saved last, so the app and a CLI run beside it agree without starting anything. The
 * embedded sandboxes implement it (embedded.ts); a job worker asks the core for it.
 */
export interface SandboxClock {
  /** The sandbox's time for a sandbox profile, else null. `start`: bring its servers up first when none answer. */
  sandboxNow(profileId: number, opts?: { start?: boolean }): Promise<Date | null>;
}

export interface ProfileNow {
  at: Date;
  source: 'sandbox' | 'wall';
}

export async function profileNow(clock: SandboxClock, profileId: number): Promise<ProfileNow> {
  const at = await clock.sandboxNow(profileId);
  return at ? { at, source: 'sandbox' } : { at: new Date(), source: 'wall' };
}
