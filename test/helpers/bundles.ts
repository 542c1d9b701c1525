/**
 * The backend's, the job process's and the job worker's entries bundled the way the app ships them
 * (CJS, beside each other, so each finds the next next to itself), built once per test file from the
 * sources under test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'vite';

const ROOT = path.resolve(__dirname, '../..');
let built: Promise<{ dir: string; backend: string; jobHost: string; jobWorker: string; personHelper: string; mirrorReader: string }> | null = null;

export function workerBundles(): Promise<{ dir: string; backend: string; jobHost: string; jobWorker: string; personHelper: string; mirrorReader: string }> {
  built ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-bundles-'));
    await build({
      configFile: false,
      root: ROOT,
      logLevel: 'silent',
      build: {
        ssr: true,
        outDir: dir,
        emptyOutDir: true,
        minify: false,
        target: 'node20',
        rollupOptions: {
          input: { backend: path.join(ROOT, 'src-main/backend/entry.ts'), jobHost: path.join(ROOT, 'src-main/jobs/jobHost.ts'), jobWorker: path.join(ROOT, 'src-main/jobs/worker.ts'), personHelper: path.join(ROOT, 'src-main/identity/personHelperThread.ts'), mirrorReader: path.join(ROOT, 'src-main/identity/mirrorReaderThread.ts') },
          external: ['better-sqlite3-multiple-ciphers', 'keytar', 'electron', /^node:/],
          output: { format: 'cjs', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
        },
      },
      ssr: { noExternal: true, target: 'node' },
    });
    // Native addons resolve from the repository's node_modules; CommonJS without a "type" field.
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"commonjs"}');
    return { dir, backend: path.join(dir, 'backend.js'), jobHost: path.join(dir, 'jobHost.js'), jobWorker: path.join(dir, 'jobWorker.js'), personHelper: path.join(dir, 'personHelper.js'), mirrorReader: path.join(dir, 'mirrorReader.js') };
  })();
  return built;
}

/** Every table's rows, in a stable order, for "the store is exactly as before" checks. */
export function dumpAllTables(db: import('../../src-main/store/db').Db): Record<string, unknown[]> {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    const n = (db.prepare(`SELECT count(*) FROM pragma_table_info(?)`).pluck().get(t) as number) || 1;
    const order = Array.from({ length: n }, (_, i) => i + 1).join(', ');
    out[t] = db.prepare(`SELECT * FROM "${t}" ORDER BY ${order}`).raw().all();
  }
  // Not a job's doing: the process serving a sandbox saves its clock and lease time every 5 s
  // (sandboxRuntime/embedded.ts), whatever a job does meanwhile. A check spanning those 5 s
  // failed on a loaded machine.
  out.sandbox_servers = db.prepare(`SELECT profile_id, owner_id, owner_pid, owner_shell, vomo_url, crm_url, raise_url, admin_url, started_at FROM sandbox_servers ORDER BY profile_id`).raw().all();
  // The planner statistics are part of the store too: a cancelled rebuild must not move them.
  const hasStat = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'`).get();
  if (hasStat) out.sqlite_stat1 = db.prepare('SELECT * FROM sqlite_stat1 ORDER BY 1, 2, 3').raw().all();
  return out;
}
