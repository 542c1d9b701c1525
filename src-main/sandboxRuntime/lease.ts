/**
 * The owner of a sandbox profile's servers (table sandbox_servers, migration 61). A process that
 * needs the sandbox uses a live owner's servers; only when there is none does it start its own
 * and become the owner. The owner alone writes the profile's addresses and the saved clock.
 */
import type { Db } from '../store/db';

export interface LeaseRow {
  profile_id: number;
  owner_id: string | null;
  owner_pid: number | null;
  owner_shell: string | null;
  vomo_url: string | null;
  crm_url: string | null;
  raise_url: string | null;
  admin_url: string | null;
  started_at: string | null;
  clock: string | null;
  updated_at: string;
}

export interface Served {
  vomo: string;
  crm: string;
  raise: string;
  admin: string;
}

export function readLease(db: Db, profileId: number): LeaseRow | undefined {
  return db.prepare('SELECT * FROM sandbox_servers WHERE profile_id = ?').get(profileId) as LeaseRow | undefined;
}

/**
 * Become the owner unless `expected` (what the caller saw and judged dead) changed meanwhile:
 * returns false when another process claimed the servers first.
 */
export function claimLease(db: Db, profileId: number, expectedOwner: string | null, me: { id: string; pid: number; shell: string }, served: Served): boolean {
  return db.transaction(() => {
    const cur = readLease(db, profileId);
    if ((cur?.owner_id ?? null) !== expectedOwner) return false;
    const now = new Date().toISOString();
    db.prepare(
      `INSERT INTO sandbox_servers (profile_id, owner_id, owner_pid, owner_shell, vomo_url, crm_url, raise_url, admin_url, started_at, updated_at)
       VALUES (@profileId, @id, @pid, @shell, @vomo, @crm, @raise, @admin, @now, @now)
       ON CONFLICT (profile_id) DO UPDATE SET owner_id = @id, owner_pid = @pid, owner_shell = @shell, vomo_url = @vomo, crm_url = @crm,
         raise_url = @raise, admin_url = @admin, started_at = @now, updated_at = @now`,
    ).run({ profileId, ...me, ...served, now });
    db.prepare('UPDATE profiles SET vomo_url = ?, crm_url = ?, raise_url = ?, updated_at = ? WHERE id = ?').run(served.vomo, served.crm, served.raise, now, profileId);
    return true;
  }).immediate();
}

/** The owner's servers stopped: nobody serves the profile now (the saved clock stays). */
export function releaseLease(db: Db, profileId: number, ownerId: string): void {
  db.prepare(
    `UPDATE sandbox_servers SET owner_id = NULL, owner_pid = NULL, owner_shell = NULL, admin_url = NULL, updated_at = ?
      WHERE profile_id = ? AND owner_id = ?`,
  ).run(new Date().toISOString(), profileId, ownerId);
}

/** The owner records the sandbox's time, so other processes judge "today" by the same clock. */
export function saveClock(db: Db, profileId: number, ownerId: string, clock: string): void {
  db.prepare('UPDATE sandbox_servers SET clock = ?, updated_at = ? WHERE profile_id = ? AND owner_id = ?').run(clock, new Date().toISOString(), profileId, ownerId);
}

function pidAlive(pid: number | null): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner's sandbox time when its process is alive and its admin endpoint answers; else null. */
export async function ownerClock(lease: LeaseRow | undefined, timeoutMs = 2000): Promise<string | null> {
  if (!lease?.owner_id || !lease.admin_url || !pidAlive(lease.owner_pid)) return null;
  try {
    const res = await fetch(`${lease.admin_url}/state`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    const state = (await res.json()) as { now?: string };
    return typeof state.now === 'string' ? state.now : null;
  } catch {
    return null;
  }
}
