/**
 * `twofold` as a scheduled job runs it: the built CLI in a child process, against servers that
 * misbehave. Whatever the API does, the command ends with a verdict: a summary, one line saying
 * why on stderr, a non-zero exit code, and the run recorded as failed. In-process tests cannot
 * show this, because their own servers keep the event loop alive.
 *
 * Also here: a malformed CRM+ page never marks records gone, and the deletion valve holds a
 * full sync that would mark too much until the steward confirms it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScript } from './child/build';
import { startSandbox, type SandboxHandle } from '../../src-main/sandbox/index';
import { openTestStore, TEST_STORE_KEY_HEX } from '../helpers/tempCore';

let cliPath = '';
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  cliPath = await buildScript(path.resolve(__dirname, '../../src-main/cli/main.ts'), 'twofold-cli');
}, 120_000);

afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

interface CliResult {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

/** Runs the CLI asynchronously: the fake servers live in this process and must keep answering. */
function twofold(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [cliPath, '--data-dir', dataDir, ...args], {
      // Keychain-less, as a scheduled job runs: the store key from TWOFOLD_STORE_KEY.
      env: { ...process.env, TWOFOLD_STORE_KEY: TEST_STORE_KEY_HEX, ...env, TWOFOLD_LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, out, err, ms: Date.now() - started });
    });
  });
}

function tmp(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  closers.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function lastRun(dataDir: string): { status: string; crm: string | null } {
  const db = openTestStore(dataDir, { readonly: true });
  try {
    const run = db.prepare('SELECT id, status FROM sync_runs ORDER BY id DESC LIMIT 1').get() as { id: number; status: string };
    const crm = db.prepare(`SELECT status FROM sync_run_collectors WHERE run_id = ? AND api = 'crm'`).pluck().get(run.id) as string | undefined;
    return { status: run.status, crm: crm ?? null };
  } finally {
    db.close();
  }
}

function query<T>(dataDir: string, sql: string, ...params: unknown[]): T[] {
  const db = openTestStore(dataDir, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Test-sized limits: a request may take 1 s, is retried once, and no wait may exceed 2 s. */
const LIMITS = ['--timeout', '1', '--retries', '1', '--max-wait', '2'];

type Mode = '500' | '502' | 'truncated' | 'low-budget' | 'never-finishes';

/** A CRM+ that answers every request the same broken way. */
function brokenCrm(mode: Mode): http.RequestListener {
  return (req, res) => {
    req.resume();
    switch (mode) {
      case '500':
        res.writeHead(500, { 'content-type': 'application/json' });
        return res.end('{"message":"An error has occurred."}');
      case '502':
        res.writeHead(502, { 'content-type': 'text/html' });
        return res.end('<html><body>Bad Gateway</body></html>');
      case 'truncated':
        // A complete HTTP answer whose JSON stops mid-record (a proxy cut it short).
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"list":[{"id":1,"name":"Ada');
      case 'low-budget':
        res.writeHead(200, {
          'content-type': 'application/json',
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '3',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        });
        return res.end('{"list":[],"total":0}');
      case 'never-finishes':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"list":[');
        return; // and never another byte
    }
  };
}

const REASON: Record<Mode, RegExp> = {
  '500': /HTTP 500/,
  '502': /HTTP 502/,
  truncated: /sent an incomplete response/,
  'low-budget': /hourly request budget is used up .*resets at/,
  'never-finishes': /timed out/,
};

describe('the CLI against a misbehaving CRM+ ends with a verdict', () => {
  for (const mode of Object.keys(REASON) as Mode[]) {
    it(`${mode}: non-zero exit, one line saying why, the run recorded as failed`, async () => {
      const dir = tmp(`twofold-verdict-${mode}-`);
      const crm = await listen(brokenCrm(mode));
      const add = await twofold(dir, ['profile', 'add', 'Org', '--vomo-url', 'http://127.0.0.1:9/v1', '--crm-url', crm]);
      expect(add.code, add.err).toBe(0);

      const r = await twofold(dir, ['sync', 'Org', '--only', 'crm', '--json', '--quiet', ...LIMITS], { TWOFOLD_CRM_TOKEN: 'tok-123456789' });
      expect(r.code).toBe(1);
      const lines = r.err.trim().split('\n').filter((l) => l.startsWith('twofold:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^twofold: CRM\+ failed: /);
      expect(lines[0]).toMatch(REASON[mode]);
      const summary = JSON.parse(r.out);
      expect(summary.crm.status).toBe('failed');
      expect(summary.crm.error).toMatch(REASON[mode]);
      expect(lastRun(dir)).toEqual({ status: 'failed', crm: 'failed' });
      // Bounded by the limits: 2 attempts × 1 s (+ backoff ≤ 1 s) + process start.
      expect(r.ms).toBeLessThan(20_000);

      const t = await twofold(dir, ['token', 'test', 'Org', 'crm', ...LIMITS], { TWOFOLD_CRM_TOKEN: 'tok-123456789' });
      if (mode === 'low-budget') {
        // One call with budget left to spare for nobody: the check itself succeeded.
        expect(t.code).toBe(0);
      } else {
        expect(t.code).toBe(1);
        // The verdict first, then one line per resource the check called.
        const [verdict, ...resources] = t.out.trim().split('\n');
        expect(verdict).toMatch(REASON[mode]);
        expect(resources[0]).toMatch(/^\s+contacts\s+failed/);
      }
      expect(t.ms).toBeLessThan(20_000);
    });
  }
});

async function sandboxProfile(sbx: SandboxHandle, crmUrl = sbx.crm.baseUrl): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = tmp('twofold-verdict-sbx-');
  const add = await twofold(dir, ['profile', 'add', 'Org', '--vomo-url', sbx.vomo.baseUrl, '--crm-url', crmUrl, '--raise-url', sbx.raise.baseUrl]);
  expect(add.code, add.err).toBe(0);
  return { dir, env: { TWOFOLD_VOMO_TOKEN: sbx.vomo.token, TWOFOLD_CRM_TOKEN: sbx.crm.token, TWOFOLD_RAISE_TOKEN: sbx.raise.token } };
}

describe('the flaky sandbox', () => {
  it('every CLI invocation ends with a summary', async () => {
    // Small: VOMO is paced at 3 requests/s for a profile that is not the app's own sandbox.
    const sbx = await startSandbox({ people: 100, seed: 11, faults: 'flaky', rateLimits: 'off' });
    closers.push(() => sbx.stop());
    const { dir, env } = await sandboxProfile(sbx);
    for (let i = 0; i < 3; i++) {
      const r = await twofold(dir, ['sync', 'Org', '--json', '--quiet'], env);
      expect([0, 1], r.err).toContain(r.code);
      const summary = JSON.parse(r.out);
      for (const api of ['vomo', 'crm', 'raise']) expect(['ok', 'failed']).toContain(summary[api].status);
      const runs = query<{ status: string }>(dir, 'SELECT status FROM sync_runs ORDER BY id');
      expect(runs).toHaveLength(i + 1);
      expect(runs.at(-1)!.status).not.toBe('running');
    }
  }, 240_000);
});

describe('absence is never inferred from a malformed answer', () => {
  it('a CRM+ page of {"list": null} on a full walk fails CRM+ and marks nothing gone', async () => {
    const sbx = await startSandbox({ people: 200, seed: 3, rateLimits: 'off' });
    closers.push(() => sbx.stop());
    let breakPages = false;
    // A proxy in front of the sandbox's CRM+ that can turn the walk's pages into {"list": null}.
    const proxy = await listen(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const url = new URL(req.url!, sbx.crm.baseUrl);
      const take = Number(url.searchParams.get('take') ?? '0');
      if (breakPages && /FullContact/.test(url.pathname) && take > 1) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"list":null,"total":0}');
      }
      const upstream = await fetch(new URL(req.url!, sbx.crm.baseUrl.replace(/\/$/, '') + '/'), {
        method: req.method,
        headers: { authorization: String(req.headers.authorization ?? ''), 'content-type': 'application/json' },
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
    const { dir, env } = await sandboxProfile(sbx, proxy);
    const first = await twofold(dir, ['sync', 'Org', '--only', 'crm,raise', '--json', '--quiet'], env);
    expect(first.code, first.err).toBe(0);
    const count = () => ({
      contacts: query<{ n: number }>(dir, 'SELECT count(*) n FROM crm_contacts WHERE gone_at IS NULL')[0]!.n,
      gifts: query<{ n: number }>(dir, 'SELECT count(*) n FROM crm_gifts WHERE gone_at IS NULL')[0]!.n,
      persons: query<{ n: number }>(dir, 'SELECT count(*) n FROM persons')[0]!.n,
      donors: query<{ n: number }>(dir, 'SELECT count(*) n FROM persons WHERE is_donor = 1')[0]!.n,
    });
    const before = count();
    expect(before.contacts).toBeGreaterThan(50);

    breakPages = true;
    const r = await twofold(dir, ['sync', 'Org', '--only', 'crm', '--full', '--json', '--quiet'], env);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^twofold: CRM\+ failed: CRM\+ sent a malformed page: "list" is null, not a list; nothing was marked deleted$/m);
    expect(JSON.parse(r.out).crm.status).toBe('failed');
    expect(count()).toEqual(before);
  }, 120_000);
});

describe('the deletion valve', () => {
  it('holds a full sync that would mark 30% of contacts gone, and --confirm-deletions then marks exactly those', async () => {
    const sbx = await startSandbox({ people: 200, seed: 4, rateLimits: 'off' });
    closers.push(() => sbx.stop());
    const { dir, env } = await sandboxProfile(sbx);
    const first = await twofold(dir, ['sync', 'Org', '--only', 'crm', '--json', '--quiet'], env);
    expect(first.code, first.err).toBe(0);
    const live = () => query<{ id: string }>(dir, 'SELECT id FROM crm_contacts WHERE gone_at IS NULL ORDER BY id').map((r) => r.id);
    const ids = live();
    const vanish = ids.filter((_, i) => i % 10 < 3); // 30%
    for (const id of vanish) expect(sbx.core.deleteRecord('crm', 'contacts', Number(id)).ok).toBe(true);

    const held = await twofold(dir, ['sync', 'Org', '--only', 'crm', '--full', '--json', '--quiet'], env);
    expect(held.code).toBe(3);
    const s = JSON.parse(held.out);
    expect(s.crm.status).toBe('failed');
    expect(s.crm.errorCode).toBe('DELETIONS_HELD');
    expect(s.crm.error).toContain(`would mark ${vanish.length} of ${ids.length} contacts (${Math.round((vanish.length * 100) / ids.length)}%)`);
    expect(s.crm.error).toContain('more than the 20% Twofold marks at once, so nothing was marked');
    expect(held.err).toMatch(/^twofold: CRM\+ failed: CRM\+: this full sync would mark/m);
    expect(live()).toEqual(ids); // nothing marked

    const confirmed = await twofold(dir, ['sync', 'Org', '--only', 'crm', '--full', '--confirm-deletions', '--json', '--quiet'], env);
    expect(confirmed.code, confirmed.err).toBe(0);
    expect(JSON.parse(confirmed.out).crm.status).toBe('ok');
    const gone = query<{ id: string }>(dir, 'SELECT id FROM crm_contacts WHERE gone_at IS NOT NULL ORDER BY id').map((r) => r.id);
    expect(gone).toEqual([...vanish].sort());
  }, 120_000);
});
