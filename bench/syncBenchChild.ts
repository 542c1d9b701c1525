/**
 * The measured process of the sync benchmark (bundled by bench/sync.bench.test.ts, run with
 * plain node so its peak RSS is the client's alone — the sandbox runs in the parent).
 *
 *   node syncBenchChild.cjs sync     <dataDir> <json {urls, tokens, full, apis}>
 *   node syncBenchChild.cjs baseline <dataDir> <json {urls, tokens, apis, take, vomoConcurrency}>
 *
 * "baseline" downloads the same pages the sync reads (CRM+ Query pages, VOMO user pages and
 * every user's detail) and bulk-inserts them raw, one transaction per page: the floor the
 * sync's parsing, diffing and mirroring is compared against.
 * Prints one JSON line: {ms, records, calls, maxRssMb}.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import fs from 'node:fs';
import path from 'node:path';
import { createCore } from '../src-main/core/app';
import { MemorySecretStore } from '../src-main/secrets/memoryStore';
import { applyPragmas } from '../src-main/store/db';
import { StoreKey, keyConnection, randomSalt } from '../src-main/store/cipher';

interface Opts {
  urls: { vomo: string; crm: string; raise: string | null };
  tokens: { vomo: string; crm: string; raise: string };
  apis: ('vomo' | 'crm' | 'raise')[];
  full?: boolean;
  take?: number;
  vomoConcurrency?: number;
  /** CRM+ gifts too (both sides). */
  gifts?: boolean;
  /** The store key (hex) when the store is encrypted; absent: a plain store. */
  storeKeyHex?: string;
}

function grantOf(o: Opts) {
  return o.storeKeyHex ? { key: StoreKey.fromHex(o.storeKeyHex)!, salt: randomSalt(), from: 'the benchmark' } : null;
}

/** CPU time (user + system) of this process: less moved by other processes' load than wall time. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return Math.round((u.user + u.system) / 1000);
}

function maxRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function runSync(dataDir: string, o: Opts): Promise<Record<string, unknown>> {
  const core = createCore({ dataDir, secrets: new MemorySecretStore(), storeKey: grantOf(o) });
  let profile = core.profiles.byName('Bench');
  if (!profile) profile = core.profiles.insert({ name: 'Bench', vomoUrl: o.urls.vomo, crmUrl: o.urls.crm, raiseUrl: o.urls.raise });
  for (const api of ['vomo', 'crm', 'raise'] as const) await core.secrets.set(profile.id, api, o.tokens[api]);
  const svc = core.sync;
  // Measure the sync alone: drop the post-sync listeners other domains registered (the identity
  // join refresh has its own benchmark). SYNC_BENCH_LISTENERS=1 keeps them.
  if (process.env.SYNC_BENCH_LISTENERS !== '1') (svc as unknown as { listeners: Set<unknown> }).listeners.clear();
  svc.configure({
    vomo: { requestsPerSecond: 0, maxConcurrent: o.vomoConcurrency ?? 8 },
    crm: { hourlyLimit: 1_000_000, reserve: 0, take: o.take ?? 1000, gifts: !!o.gifts },
    raise: { requestsPerSecond: 0 },
    progressIntervalMs: 1000,
  });
  const t = performance.now();
  const run = await svc.run(profile.id, { apis: o.apis, full: !!o.full });
  const total = performance.now() - t;
  // The sync itself: start to the run's close, before post-sync listeners (the identity join
  // refresh other services register) run; those are reported apart.
  const ms = Date.parse(run.finishedAt!) - Date.parse(run.startedAt);
  const records = run.collectors.reduce((s, c) => s + c.records, 0);
  const out = {
    afterSyncListenersMs: Math.round(total - ms),
    ms: Math.round(ms),
    records,
    status: run.status,
    collectors: run.collectors.map((c) => ({ api: c.api, status: c.status, records: c.records, pages: c.pages, new: c.new, updated: c.updated, unchanged: c.unchanged, error: c.error })),
    maxRssMb: maxRssMb(),
    cpuMs: cpuMs(),
  };
  await core.close();
  return out;
}

async function getJson(url: string, token: string, init: RequestInit = {}): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(url, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) } });
      const text = await res.text();
      if (res.ok) return JSON.parse(text);
      if (attempt > 5) throw new Error(`HTTP ${res.status} ${url}`);
    } catch (err) {
      if (attempt > 5) throw err;
    }
    await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
  }
}

async function runBaseline(dataDir: string, o: Opts): Promise<Record<string, unknown>> {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'baseline.sqlite'));
  // The floor is written the way the sync writes: encrypted when the sync's store is.
  const grant = grantOf(o);
  if (grant) keyConnection(db, grant.key, grant.salt);
  applyPragmas(db);
  db.exec('CREATE TABLE IF NOT EXISTS raw (api TEXT, resource TEXT, id TEXT, json TEXT)');
  const ins = db.prepare('INSERT INTO raw (api, resource, id, json) VALUES (?, ?, ?, ?)');
  const insertPage = db.transaction((api: string, resource: string, items: unknown[]) => {
    for (const it of items) ins.run(api, resource, String((it as { id?: unknown })?.id ?? ''), JSON.stringify(it));
  });
  let records = 0;
  let calls = 0;
  const take = o.take ?? 1000;
  const t = performance.now();
  const crm = async () => {
    const resources = [
      ['contacts', '/api/Contact/Query/FullContact'],
      ['gifts', '/api/Gift/Query/FullGift'],
    ] as const;
    for (const [resource, p] of resources.filter(([r]) => r === 'contacts' || o.gifts)) {
      for (let skip = 0; ; skip += take) {
        const page = (await getJson(`${o.urls.crm}${p}?skip=${skip}&take=${take}`, o.tokens.crm, {
          method: 'POST',
          body: JSON.stringify({ groups: [], sortBy: 'Id', descending: false }),
        })) as { list: unknown[]; total: number };
        calls++;
        insertPage('crm', resource, page.list);
        records += page.list.length;
        if (page.list.length < take || skip + page.list.length >= page.total) break;
      }
    }
  };
  const vomo = async () => {
    const ids: string[] = [];
    let url: string | null = `${o.urls.vomo}/users?page=1`;
    while (url) {
      const page = (await getJson(url, o.tokens.vomo)) as { data: { id: unknown }[]; links: { next: string | null } };
      calls++;
      insertPage('vomo', 'users', page.data);
      records += page.data.length;
      for (const u of page.data) if (u.id !== null && u.id !== undefined) ids.push(String(u.id));
      url = page.links?.next && page.links.next !== 'null' ? page.links.next : null;
    }
    const conc = o.vomoConcurrency ?? 8;
    const batch = 50;
    for (let i = 0; i < ids.length; i += batch) {
      const slice = ids.slice(i, i + batch);
      const details: unknown[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(conc, slice.length) }, async () => {
          while (next < slice.length) {
            const id = slice[next++]!;
            details.push(await getJson(`${o.urls.vomo}/users/${id}`, o.tokens.vomo).catch(() => null));
            calls++;
          }
        }),
      );
      const parts: unknown[] = [];
      for (const d of details) {
        const data = (d as { data?: { participations?: unknown[] } } | null)?.data;
        for (const p of data?.participations ?? []) parts.push(p);
      }
      insertPage('vomo', 'participations', parts);
      records += parts.length;
    }
  };
  await Promise.all([o.apis.includes('crm') ? crm() : null, o.apis.includes('vomo') ? vomo() : null]);
  const ms = performance.now() - t;
  db.close();
  return { ms: Math.round(ms), records, calls, maxRssMb: maxRssMb(), cpuMs: cpuMs() };
}

async function main(): Promise<void> {
  const [mode, dataDir, json] = process.argv.slice(2);
  const o = JSON.parse(json ?? '{}') as Opts;
  const out = mode === 'baseline' ? await runBaseline(dataDir!, o) : await runSync(dataDir!, o);
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err) => {
  process.stderr.write(String((err as Error)?.stack ?? err) + '\n');
  process.exit(2);
});
