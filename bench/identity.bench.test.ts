/**
 * Identity benchmark: the rebuild (join, lineage, measures, conflicts, split detection) at 250k
 * and 1M persons, mirror rows generated in SQL. Per size: the first rebuild (empty store), one
 * with nothing changed, three after a sync that changed ~1% of the records (another 1% each
 * time; the median is the figure), and two full recomputes (a new field-authority setting:
 * every person recomputed, the node cache kept; in the first no row reads differently, in the
 * second a fifth do); then split detection over every person. Prints JSON and writes
 * bench-results/identity.json.
 * Each rebuild runs as the app runs it: a rebuild job in the job process (jobs/processRunner.ts,
 * the bundled jobHost.js and its worker), one process kept ready ahead of the job, a new one
 * after a job that left its process large and for a new setting. Its peak RSS is that process's (the kernel's
 * high-water mark); its CPU time is the process's while the job ran. Generation, the syncs,
 * folding the log and split detection run in this process.
 * Run: npm run bench -- identity   (IDENTITY_BENCH_SIZES=250000,1000000 to choose sizes)
 * Each size runs on a plain store and on an encrypted one (the app's settings: SQLCipher v4, a raw
 * 256-bit key), each with its own job process, their rebuilds interleaved step by step (the first
 * builds one after the other, then the unchanged rebuilds, ...), so the two share the machine's
 * load of the same minutes; the table at the end gives the encrypted/plain ratio per rebuild
 * (target ≤ 1.15).
 * IDENTITY_BENCH_VARIANTS=encrypted (or plain) runs one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'vitest';
import { databasePath, openDatabase } from '../src-main/store/db';
import { StoreKey, keyMaterialForWorker, randomSalt } from '../src-main/store/cipher';
import { generate, syncOnePercent } from './identityData';
import { IdentitySettings, type RebuildSummary } from '../src-shared/domain/identity';
import { detectSplits } from '../src-main/identity/splits';
import { writeIdentitySettings } from '../src-main/identity/authority';
import { SettingsRepo } from '../src-main/store/repos/settings';
import { foldLog, leaveCheckpointsToWorker } from '../src-main/store/checkpoints';
import { ProcessRunner } from '../src-main/jobs/processRunner';
import { wantsCleanProcess } from '../src-main/jobs/kinds';
import { nextRebuildReadsEverything } from '../src-main/identity/nodeCache';
import { CancelToken } from '../src-main/jobs/cancel';
import { WriteGate } from '../src-main/jobs/writeGate';
import { workerBundles } from '../test/helpers/bundles';

const SIZES = (process.env.IDENTITY_BENCH_SIZES ?? '250000,1000000').split(',').map(Number);
const VARIANTS = (process.env.IDENTITY_BENCH_VARIANTS ?? 'plain,encrypted').split(',') as ('plain' | 'encrypted')[];

/** CPU time (user + system) of this process per timed step: less moved by other processes' load than wall time. */
const cpuMs: Record<string, number> = {};
function time<T>(fn: () => T, label?: string): [T, number] {
  const t = performance.now();
  const c = process.cpuUsage();
  const r = fn();
  if (label) {
    const d = process.cpuUsage(c);
    cpuMs[label] = Math.round((d.user + d.system) / 1000);
  }
  return [r, Math.round(performance.now() - t)];
}

/** A process's resident size now (MB), from the kernel. */
function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function until(test: () => boolean): Promise<void> {
  while (!test()) await new Promise((r) => setTimeout(r, 20));
}

type Variant = 'plain' | 'encrypted';
type Kind = 'rebuild' | 'settings';

/**
 * One store of a size (plain or encrypted) with the job process that rebuilds it, and what its
 * rebuilds measured.
 */
interface Lane {
  variant: Variant;
  n: number;
  dir: string;
  db: ReturnType<typeof openDatabase>;
  runner: ProcessRunner;
  settingsRepo: SettingsRepo;
  jobId: number;
  genMs: number;
  cpuMs: Record<string, number>;
  foldMs: Record<string, number>;
  rssMb: Record<string, number>;
  rssAtStartMb: Record<string, number>;
  wallMs: Record<string, number>;
  kernel: Record<string, { systemMs: number; minorFaults: number }>;
}

function openLane(variant: Variant, n: number, jobHost: string): Lane {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-bench-identity-'));
  const key = variant === 'encrypted' ? StoreKey.random() : null;
  const db = openDatabase(databasePath(dir), key ? { key, salt: randomSalt() } : {});
  // As in the app (store/checkpoints.ts): the log is folded into the file after the rebuild has
  // committed, not inside its commit; here each fold is timed on its own (foldMs).
  leaveCheckpointsToWorker(db);
  const runner = new ProcessRunner({
    script: jobHost,
    // The worker's own folding (after a job, when idle) is left to this process's timed folds,
    // so that no fold is counted in the next rebuild's time (the app folds after each job).
    // A process is not ended for idling while the other store's rebuild runs (a first build there
    // takes over the minute after which an idle, large one ends): each store's rebuilds find the
    // process they would find run back to back.
    init: { worker: { dataDir: dir, storeKey: key ? keyMaterialForWorker(key) : null, idleFoldMs: 3_600_000, foldAfterJob: false }, idleRetireMs: 3_600_000 },
    host: { secrets: { get: async () => null }, sandboxes: { prepare: async () => undefined }, clock: { sandboxNow: async () => null }, gate: new WriteGate(), events: { emit: () => undefined } },
    // As the app decides it: the store is asked whether the rebuild will read every record.
    cleanProcessFor: (kind, input) => wantsCleanProcess(kind, input, { nextRebuildReadsEverything: (p) => nextRebuildReadsEverything(db, p) }),
  });
  const lane: Lane = { variant, n, dir, db, runner, settingsRepo: new SettingsRepo(db), jobId: 0, genMs: 0, cpuMs: {}, foldMs: {}, rssMb: {}, rssAtStartMb: {}, wallMs: {}, kernel: {} };
  lane.genMs = time(() => db.transaction(() => generate(db, n))())[1];
  foldLog(db);
  return lane;
}

/**
 * The steward's setting, then the rebuild job (the service refreshes planner statistics and runs
 * the rebuild in one transaction with its run record). kind 'settings' for a new field authority,
 * as the app's settings service asks for it (such a rebuild gets a process no job has used:
 * jobs/kinds.ts, wantsCleanProcess).
 */
async function rebuildLane(lane: Lane, label: string, s: IdentitySettings, kind: Kind = 'rebuild'): Promise<[RebuildSummary, number]> {
  const { runner } = lane;
  writeIdentitySettings(lane.settingsRepo, 1, s);
  runner.warm();
  await until(() => runner.processes.current !== null);
  lane.rssAtStartMb[label] = rssOf(runner.processes.current!);
  const t = performance.now();
  const summary = await runner.run({ id: ++lane.jobId, kind: 'rebuild', input: { profileId: 1, kind }, token: new CancelToken(), onProgress: () => undefined });
  lane.wallMs[label] = Math.round(performance.now() - t);
  lane.cpuMs[label] = runner.lastUsage!.cpuMs;
  lane.rssMb[label] = runner.lastUsage!.peakRssMb;
  lane.kernel[label] = { systemMs: runner.lastUsage!.systemMs, minorFaults: runner.lastUsage!.minorFaults };
  lane.foldMs[label] = time(() => foldLog(lane.db))[1];
  return [summary, lane.wallMs[label]!];
}

/**
 * Runs `step` on every lane, the lanes' order reversed from one step to the next (plain first,
 * then encrypted first, ...): the two stores' same rebuild runs seconds apart rather than minutes,
 * so a slow spell of a shared machine falls on both, and neither always goes first.
 */
async function eachLane<T>(lanes: Lane[], stepNo: number, step: (lane: Lane) => Promise<T>): Promise<Map<Lane, T>> {
  const out = new Map<Lane, T>();
  for (const lane of stepNo % 2 === 0 ? lanes : [...lanes].reverse()) out.set(lane, await step(lane));
  return out;
}

it('identity rebuild and split detection scale near-linearly', { timeout: 3_600_000 }, async () => {
  const { jobHost } = await workerBundles();
  const settings = IdentitySettings.parse(undefined);
  const results: Record<string, unknown>[] = [];
  for (const n of SIZES) {
    const lanes: Lane[] = [];
    try {
      for (const variant of VARIANTS) lanes.push(openLane(variant, n, jobHost));
      let stepNo = 0;
      const firsts = await eachLane(lanes, stepNo++, (l) => rebuildLane(l, 'firstRebuild', settings));
      const unchangeds = await eachLane(lanes, stepNo++, (l) => rebuildLane(l, 'unchangedRebuild', settings));
      // Three syncs, each changing another 1%, each followed by its rebuild: one such rebuild is
      // a few seconds, and a single sample of it moved by ±10% between runs; the figures are
      // the median round's (every round's wall and CPU time is kept beside them).
      const rounds = new Map<Lane, { summary: RebuildSummary; ms: number; cpu: number; fold: number; rss: number }[]>(lanes.map((l) => [l, []]));
      for (const round of [0, 1, 2]) {
        await eachLane(lanes, stepNo++, async (lane) => {
          lane.db.transaction(() => syncOnePercent(lane.db, n, round))();
          foldLog(lane.db);
          const label = `onePercentRound${round + 1}`;
          const [summary, ms] = await rebuildLane(lane, label, settings);
          rounds.get(lane)!.push({ summary, ms, cpu: lane.cpuMs[label]!, fold: lane.foldMs[label]!, rss: lane.rssMb[label]! });
        });
      }
      // A new field-authority setting: every person with records in two or more systems recomputed
      // (the others read the same under any authority), the rows that then read differently rewritten, IDs kept.
      const authority = { ...settings, fieldAuthority: { ...settings.fieldAuthority, first_name: 'crm' as const } };
      const recomputes = await eachLane(lanes, stepNo++, (l) => rebuildLane(l, 'fullRecompute', authority, 'settings'));
      // The same, where a fifth of the rows read differently: CRM+ wins the email, and the persons
      // in both systems show CRM+'s spelling of it (the generator writes those in upper case).
      const crmEmail = { ...authority, fieldAuthority: { ...authority.fieldAuthority, email: 'crm' as const } };
      const recomputesChanging = await eachLane(lanes, stepNo++, (l) => rebuildLane(l, 'fullRecomputeChanging', crmEmail, 'settings'));
      // A new phone region: any person's phone may read differently, so every person's phones are
      // computed again, from the row and the CRM+ methods (no record changed since the last
      // rebuild, so nothing is joined: displayRecompute.ts; with one changed, every person is
      // joined and computed again from the kept fields). The generator's numbers are North
      // American, so CA reads them as US does: every person looked at, none rewritten.
      const region = { ...crmEmail, defaultPhoneRegion: 'CA' };
      const regions = await eachLane(lanes, stepNo++, (l) => rebuildLane(l, 'fullRecomputeRegion', region, 'settings'));
      // Split detection over every person (a rebuild runs it only for the persons it recomputed).
      const detects = await eachLane(lanes, stepNo++, async (lane) => {
        const [, ms] = time(() => lane.db.transaction(() => detectSplits(lane.db, 1, '2026-01-06T00:00:00.000Z', null))(), 'splitDetection');
        lane.cpuMs.splitDetection = cpuMs.splitDetection!;
        return ms;
      });
      for (const lane of lanes) {
        const [first, firstMs] = firsts.get(lane)!;
        const [unchanged, unchangedMs] = unchangeds.get(lane)!;
        const [recompute, recomputeMs] = recomputes.get(lane)!;
        const [recomputeChanging, recomputeChangingMs] = recomputesChanging.get(lane)!;
        const [regionRecompute, regionMs] = regions.get(lane)!;
        const laneRounds = rounds.get(lane)!;
        const { cpuMs: laneCpu, foldMs, rssMb } = lane;
        const mid = <T,>(xs: T[], by: (x: T) => number) => [...xs].sort((a, b) => by(a) - by(b))[1]!;
        const { summary: changed, ms: changedMs } = mid(laneRounds, (x) => x.ms);
        laneCpu.onePercentChangedRebuild = mid(laneRounds, (x) => x.cpu).cpu;
        foldMs.onePercentChangedRebuild = mid(laneRounds, (x) => x.fold).fold;
        rssMb.onePercentChangedRebuild = Math.max(...laneRounds.map((x) => x.rss));
        const r = {
          variant: lane.variant,
          persons: first.persons,
          targetPersons: n,
          links: first.links,
          generateMs: lane.genMs,
          firstRebuildMs: firstMs,
          unchangedRebuildMs: unchangedMs,
          onePercentChangedRebuildMs: changedMs,
          onePercentRounds: laneRounds.map((x) => ({ ms: x.ms, cpuMs: x.cpu, rssMb: x.rss, personsWritten: x.summary.timings.personsWritten, timings: x.summary.timings })),
          fullRecomputeMs: recomputeMs,
          fullRecomputeChangingMs: recomputeChangingMs,
          fullRecomputeRegionMs: regionMs,
          cpuMs: { ...laneCpu },
          foldMs: { ...foldMs },
          splitDetectionMs: detects.get(lane)!,
          candidatesOpen: unchanged.candidatesOpen,
          personsWritten: { first: first.timings.personsWritten, unchanged: unchanged.timings.personsWritten, onePercent: changed.timings.personsWritten, recompute: recompute.timings.personsWritten, region: regionRecompute.timings.personsWritten },
          // Rows that read differently and were written (the rest were recomputed and compared).
          personRowsWritten: { recompute: recompute.timings.personRowsWritten, recomputeChanging: recomputeChanging.timings.personRowsWritten, region: regionRecompute.timings.personRowsWritten },
          timings: { first: first.timings, unchanged: unchanged.timings, onePercent: changed.timings, recompute: recompute.timings, recomputeChanging: recomputeChanging.timings, region: regionRecompute.timings },
          // Issue 16's targets at 1M: first and full recompute under 30 s, after a 1% sync under 5 s,
          // nothing changed under 1 s, peak RSS under 1 GB.
          underTarget: { onePercentChanged: changedMs < 5_000, unchanged: unchangedMs < 1_000, first: firstMs < 30_000, fullRecompute: recomputeMs < 30_000, fullRecomputeChanging: recomputeChangingMs < 30_000, fullRecomputeRegion: regionMs < 30_000, peakRss: Math.max(...Object.values(rssMb)) < 1024 },
          // Peak resident memory of this (the bench's) process so far: generation, syncs, folds, split
          // detection, and the sizes before.
          peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
          // The peak resident memory of the job process that ran each rebuild, and its size as the
          // job began.
          rebuildRssMb: { ...rssMb },
          rebuildStartRssMb: { ...lane.rssAtStartMb },
          // Of each rebuild's CPU time, the kernel's, and the pages its process faulted in: on a
          // virtual machine that gives freed memory back to its host, first touches are slow
          // (measured on one: ~3.5 s per GB against a memset of the same memory at ~2 GB/s).
          rebuildKernel: { ...lane.kernel },
          // Other processes share the two cores: the 1-minute load average puts the times in context.
          loadAverage: os.loadavg().map((x) => +x.toFixed(2)),
        };
        results.push(r);
        process.stdout.write(JSON.stringify(r) + '\n');
      }
    } finally {
      for (const lane of lanes) {
        await lane.runner.close();
        lane.db.close();
        fs.rmSync(lane.dir, { recursive: true, force: true });
      }
    }
  }
  const out: Record<string, unknown> = { benchmark: 'identity', machine: { cpus: os.cpus().length, node: process.version }, targetMs: 30_000, results };
  type R = { variant: string; persons: number; targetPersons: number; firstRebuildMs: number; unchangedRebuildMs: number; onePercentChangedRebuildMs: number; fullRecomputeMs: number; fullRecomputeChangingMs: number; fullRecomputeRegionMs: number; splitDetectionMs: number };
  const rs = results as unknown as R[];
  const plainRuns = rs.filter((r) => r.variant === 'plain');
  if (plainRuns.length >= 2) {
    const [a, b] = [plainRuns[0]!, plainRuns[plainRuns.length - 1]!];
    out.scaling = {
      personsRatio: +(b.persons / a.persons).toFixed(2),
      firstRebuildRatio: +(b.firstRebuildMs / a.firstRebuildMs).toFixed(2),
      unchangedRebuildRatio: +(b.unchangedRebuildMs / a.unchangedRebuildMs).toFixed(2),
      onePercentChangedRebuildRatio: +(b.onePercentChangedRebuildMs / a.onePercentChangedRebuildMs).toFixed(2),
      fullRecomputeRatio: +(b.fullRecomputeMs / a.fullRecomputeMs).toFixed(2),
      fullRecomputeChangingRatio: +(b.fullRecomputeChangingMs / a.fullRecomputeChangingMs).toFixed(2),
      fullRecomputeRegionRatio: +(b.fullRecomputeRegionMs / a.fullRecomputeRegionMs).toFixed(2),
      splitDetectionRatio: +(b.splitDetectionMs / a.splitDetectionMs).toFixed(2),
    };
  }
  // Encryption's cost: encrypted / plain per size and rebuild (the target: ≤ 1.15).
  const keys = ['firstRebuildMs', 'unchangedRebuildMs', 'onePercentChangedRebuildMs', 'fullRecomputeMs', 'fullRecomputeChangingMs', 'fullRecomputeRegionMs', 'splitDetectionMs'] as const;
  out.encryptedOverPlain = SIZES.map((n) => {
    const p = rs.find((r) => r.variant === 'plain' && r.targetPersons === n);
    const e = rs.find((r) => r.variant === 'encrypted' && r.targetPersons === n);
    if (!p || !e) return null;
    const cpu = (r: R) => (r as unknown as { cpuMs: Record<string, number> }).cpuMs;
    return {
      persons: n,
      wall: Object.fromEntries(keys.map((k) => [k, +(e[k] / p[k]).toFixed(3)])),
      cpu: Object.fromEntries(Object.keys(cpu(p)).map((k) => [k, +(cpu(e)[k]! / cpu(p)[k]!).toFixed(3)])),
    };
  }).filter(Boolean);
  fs.mkdirSync('bench-results', { recursive: true });
  fs.writeFileSync('bench-results/identity.json', JSON.stringify(out, null, 2));
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
});
