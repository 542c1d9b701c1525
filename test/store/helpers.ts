/** Helpers for the at-rest tests: a store synced from the sandbox, table dumps, byte scans. */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createCore, type Core, type CoreOptions } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/secrets/memoryStore';
import { startSandbox, type SandboxHandle } from '../../src-main/sandbox/index';
import type { Db } from '../../src-main/store/db';
import { FAST } from '../sync/helpers';
import { tempDir } from '../helpers/tempCore';

export interface SyncedStore {
  dir: string;
  core: Core;
  sandbox: SandboxHandle;
  profileId: number;
  close(): Promise<void>;
}

/** A data folder with one profile synced in full from a fresh sandbox (people: a few hundred). */
export async function syncedStore(opts: Pick<CoreOptions, 'storeKey' | 'migrations'> & { people?: number; dir?: string; seed?: number }): Promise<SyncedStore> {
  const sandbox = await startSandbox({ people: opts.people ?? 200, seed: opts.seed ?? 5, rateLimits: 'off', port: 0 });
  const dir = opts.dir ?? tempDir('twofold-store-');
  const core = createCore({ dataDir: dir, secrets: new MemorySecretStore(), storeKey: opts.storeKey, migrations: opts.migrations });
  const profile = core.profiles.insert({ name: 'Org', vomoUrl: sandbox.vomo.baseUrl, crmUrl: sandbox.crm.baseUrl, raiseUrl: sandbox.raise.baseUrl });
  await core.secrets.set(profile.id, 'vomo', sandbox.vomo.token);
  await core.secrets.set(profile.id, 'crm', sandbox.crm.token);
  await core.secrets.set(profile.id, 'raise', sandbox.raise.token);
  const sync = core.sync;
  sync.configure(FAST);
  sync.configure({ crm: { take: 100 }, raise: { take: 100 } });
  const run = await sync.run(profile.id, { full: true });
  if (run.status !== 'ok') throw new Error(`the sandbox sync ended ${run.status}`);
  return {
    dir,
    core,
    sandbox,
    profileId: profile.id,
    async close() {
      await core.close();
      await sandbox.stop();
    },
  };
}

/** Every row of every table (ordered by all columns), optionally only the columns given per table. */
export function dumpTables(db: Db, columns?: Record<string, string[]>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
  for (const t of tables) {
    const cols = columns?.[t] ?? (db.prepare(`SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0`).pluck().all(t) as string[]);
    const list = cols.map((c) => `"${c}"`).join(', ');
    out[t] = db.prepare(`SELECT ${list} FROM "${t}" ORDER BY ${cols.map((_, i) => i + 1).join(', ')}`).raw().all();
  }
  return out;
}

export function columnsOf(db: Db): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[]) {
    out[t] = db.prepare(`SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0`).pluck().all(t) as string[];
  }
  return out;
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Which of the needles appear in the file's bytes (as UTF-8), case-sensitively. */
export function foundInFile(file: string, needles: string[]): string[] {
  if (!fs.existsSync(file)) return [];
  const bytes = fs.readFileSync(file);
  return needles.filter((n) => bytes.includes(Buffer.from(n, 'utf8')));
}

/** Emails, names and phones the store holds for the profile: what must never be on disk in clear. */
export function personalValues(db: Db, profileId: number, limit = 400): string[] {
  const rows = db
    .prepare(
      `SELECT display_email, display_first_name, display_last_name, display_phone FROM persons
        WHERE profile_id = ? ORDER BY id LIMIT ?`,
    )
    .raw()
    .all(profileId, limit) as (string | null)[][];
  const values = new Set<string>();
  for (const r of rows) for (const v of r) if (v && v.length >= 6) values.add(v);
  return [...values];
}

/** A fresh copy of a data folder, noted in `dirs` for removal. */
export function copyOfFolder(from: string, prefix: string, dirs: string[]): string {
  const dir = tempDir(prefix);
  dirs.push(dir);
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

/**
 * Runs the bundled child/openChild.ts on a data folder: it opens the store as the app does and
 * kills itself with SIGKILL right after `killAt` (a step of the in-place encryption, or 'none');
 * `killAfterMs` kills it from here at that moment instead.
 */
export function runOpenChild(child: string, dir: string, killAt: string, killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [child, dir, killAt], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (err += c));
    if (killAfterMs !== undefined) setTimeout(() => p.kill('SIGKILL'), killAfterMs);
    p.on('exit', (code, signal) => resolve({ code, signal, out, err }));
  });
}
