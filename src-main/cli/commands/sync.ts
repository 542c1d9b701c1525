/**
 * `twofold sync <profile> [--only vomo,crm,raise] [--full] [--json] [--estimate]`
 *
 * Progress goes to stderr (a redrawn bar per API on a terminal, a line per change otherwise);
 * with --json a summary keyed by API goes to stdout:
 *   {"vomo":{"status":"ok"|"failed"|"skipped"|"cancelled","records":…,"quarantined":…,"error":…,"unavailable":[…],…},"crm":{…},"raise":{…}}
 * `unavailable` names the optional resources the account does not offer or the token may not read
 * (the API stays ok). Before each API spends anything, its plan is printed on stderr.
 * Every run ends with a verdict, whatever the APIs do: the summary on stdout, one line per failed
 * API on stderr, and the exit code (SYNC_EXIT): 0 every API ok, 1 an API failed, 3 a full sync
 * held deletions (nothing was marked; run again with --confirm-deletions), 130 cancelled
 * (Ctrl+C stops at a page boundary).
 */
import { fmtCount, fmtDuration } from '../../../src-shared/format';
import type { Command } from 'commander';
import { CliError, type CliContext } from '../context';
import { API_LABELS, API_NAMES, type ApiName } from '../../../src-shared/domain/apis';
import type { SyncProgress } from '../../../src-shared/ipc/events';
import type { ApiEstimate, CollectorOutcome, SyncEstimate, SyncRun } from '../../../src-shared/domain/sync';
import { AppError } from '../../../src-shared/errors';
import { addHttpOptions, httpTuningFrom, type HttpOptionValues } from '../httpOptions';

/** What `twofold sync` exits with. */
export const SYNC_EXIT = { ok: 0, failed: 1, deletionsHeld: 3, cancelled: 130 } as const;

export function parseOnly(v: string | undefined): ApiName[] | undefined {
  if (!v) return undefined;
  const parts = v
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const p of parts) if (!(API_NAMES as readonly string[]).includes(p)) throw new CliError(`--only: unknown API "${p}" (use vomo, crm, raise)`);
  if (!parts.length) throw new CliError('--only needs at least one of vomo, crm, raise');
  return API_NAMES.filter((a) => parts.includes(a));
}

// Counts and durations read as the app writes them (src-shared/format.ts).
const fmt = fmtCount;

function duration(secs: number | null): string {
  return secs === null || !Number.isFinite(secs) ? '?' : fmtDuration(secs);
}

export function progressLine(p: SyncProgress, width = 24): string {
  const label = API_LABELS[p.api].padEnd(6);
  const frac = p.total && p.total > 0 ? Math.min(1, p.records / p.total) : null;
  const bar = frac === null ? ''.padEnd(width, '·') : '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
  const parts = [`${label} ${bar}`, p.phase.padEnd(9)];
  if (p.resource) parts.push(p.resource);
  parts.push(`${fmt(p.records)}${p.total !== null ? `/${fmt(p.total)}` : ''} records`, `${fmt(p.pages)} pages`);
  if (p.budgetRemaining !== null) parts.push(`budget ${fmt(p.budgetRemaining)} left`);
  if (p.etaSeconds !== null) parts.push(`ETA ${duration(p.etaSeconds)}`);
  if (p.message && (p.phase === 'waiting' || p.phase === 'failed' || p.phase === 'skipped')) parts.push(`— ${p.message}`);
  return parts.join('  ');
}

/** Renders progress on stderr: redraws in place on a TTY, one line per change otherwise. */
class ProgressView {
  private readonly last = new Map<ApiName, SyncProgress>();
  private drawn = 0;
  private lastLine = new Map<ApiName, string>();
  private lastPlain = 0;
  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly apis: ApiName[],
  ) {}
  /** A line above the bars (on a TTY the bars are redrawn under it). */
  note(text: string): void {
    if (this.out.isTTY && this.drawn) {
      this.out.write(`\x1b[${this.drawn}A\x1b[0J`);
      this.drawn = 0;
    }
    this.out.write(text + '\n');
  }
  update(p: SyncProgress): void {
    this.last.set(p.api, p);
    if (this.out.isTTY) {
      if (this.drawn) this.out.write(`\x1b[${this.drawn}A`);
      const cols = this.out.columns || 120;
      for (const api of this.apis) {
        const q = this.last.get(api);
        this.out.write('\x1b[2K' + (q ? progressLine(q) : `${API_LABELS[api].padEnd(6)} waiting to start`).slice(0, cols - 1) + '\n');
      }
      this.drawn = this.apis.length;
      return;
    }
    // Plain stderr (a log file, CI): a line when the phase or resource changes, else every 5 s.
    const key = `${p.phase}|${p.resource}`;
    const now = Date.now();
    if (this.lastLine.get(p.api) !== key || now - this.lastPlain > 5000 || p.phase === 'done') {
      this.lastLine.set(p.api, key);
      this.lastPlain = now;
      this.out.write(progressLine(p) + '\n');
    }
  }
}

type JsonEntry = {
  status: 'ok' | 'failed' | 'skipped' | 'cancelled';
  unavailable: string[];
  records: number;
  quarantined: number;
  error: string | null;
  errorCode: string | null;
  new: number;
  updated: number;
  unchanged: number;
  pages: number;
  durationMs: number | null;
  budgetRemaining: number | null;
};

export function summarize(run: SyncRun): Record<ApiName, JsonEntry> {
  const out = {} as Record<ApiName, JsonEntry>;
  for (const api of API_NAMES) {
    const c = run.collectors.find((x) => x.api === api);
    out[api] = c
      ? {
          status: c.status === 'running' ? 'failed' : c.status,
          unavailable: c.unavailable.map((u) => u.resource),
          records: c.records,
          quarantined: c.quarantined,
          error: c.error,
          errorCode: c.errorCode,
          new: c.new,
          updated: c.updated,
          unchanged: c.unchanged,
          pages: c.pages,
          durationMs: c.durationMs,
          budgetRemaining: c.budgetRemaining,
        }
      : { status: 'skipped', unavailable: [], records: 0, quarantined: 0, error: 'not requested (--only)', errorCode: null, new: 0, updated: 0, unchanged: 0, pages: 0, durationMs: null, budgetRemaining: null };
  }
  return out;
}

function textSummary(run: SyncRun): string {
  const lines = [`sync run ${run.id}: ${run.status}${run.full ? ' (full)' : ''}`];
  for (const c of run.collectors) {
    const label = API_LABELS[c.api].padEnd(6);
    if (c.status === 'skipped') lines.push(`  ${label} skipped: ${c.error ?? ''}`);
    else if (c.status === 'failed') lines.push(`  ${label} FAILED: ${c.error ?? 'unknown error'}${c.records ? ` (${fmt(c.records)} records read and kept)` : ''}`);
    else {
      const per = Object.entries(c.entities)
        .map(([e, n]) => `${e} +${fmt(n.new)} ~${fmt(n.updated)} =${fmt(n.unchanged)}${n.quarantined ? ` !${fmt(n.quarantined)}` : ''}${n.gone ? ` gone ${fmt(n.gone)}` : ''}${n.held ? ` held ${fmt(n.held)}` : ''}`)
        .join('; ');
      lines.push(`  ${label} ${c.status}: ${fmt(c.records)} records in ${fmt(c.pages)} pages, ${duration((c.durationMs ?? 0) / 1000)}${c.quarantined ? `, ${fmt(c.quarantined)} quarantined` : ''}${per ? ` — ${per}` : ''}`);
    }
    for (const u of c.unavailable) lines.push(`  ${label} not read: ${u.reason}`);
  }
  lines.push('  (+new ~updated =unchanged !quarantined)');
  return lines.join('\n');
}

/** One API's plan in a line or three: calls, time, pace, and any resource read unusually. */
export function estimateLines(a: ApiEstimate): string[] {
  const label = API_LABELS[a.api].padEnd(6);
  if (a.status !== 'ok') return [`  ${label} ${a.status}: ${a.error ?? ''}`];
  const res = a.resources
    .filter((r) => !r.unavailable)
    .map((r) => `${r.resource} ${r.records === null ? '?' : fmt(r.records)}${r.full ? ' (all)' : ''}`)
    .join(', ');
  const lines = [`  ${label} ${a.calls === null ? '?' : fmt(a.calls)} calls, ~${duration(a.seconds)} at ${a.rateLimit ?? '?'} — ${res}`];
  for (const r of a.resources) {
    if (r.unavailable) lines.push(`  ${''.padEnd(6)} not read: ${r.note ?? r.resource}`);
    else if (r.full && r.note) lines.push(`  ${''.padEnd(6)} reads ${r.note}`);
  }
  return lines;
}

function textEstimate(e: SyncEstimate): string {
  const lines = [`estimate${e.full ? ' (full)' : ''}: about ${duration(e.seconds)} (the APIs sync concurrently)`];
  for (const a of e.apis) lines.push(...estimateLines(a));
  return lines.join('\n');
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('sync <profile>')
    .description('pull what changed since the last sync from VOMO, CRM+ and Raise into the local store')
    .option('--only <apis>', 'comma-separated subset: vomo,crm,raise')
    .option('--full', 're-pull everything instead of what changed since the checkpoints')
    .option('--confirm-deletions', 'let a full sync mark more records deleted than the deletion limit allows (after a sync held them)')
    .option('--estimate', 'only print the estimate of calls and time, then exit')
    .option('--json', 'print a summary keyed by API as JSON on stdout')
    .option('--quiet', 'no progress on stderr');
  addHttpOptions(cmd)
    .addHelpText('after', '\nExit codes: 0 every API ok; 1 an API failed; 3 deletions held (nothing marked: check, then --full --confirm-deletions); 130 cancelled.')
    .action(async (profileName: string, o: { only?: string; full?: boolean; confirmDeletions?: boolean; json?: boolean; estimate?: boolean; quiet?: boolean } & HttpOptionValues) => {
      const apis = parseOnly(o.only);
      const http = httpTuningFrom(o);
      const row = ctx.profile(profileName);
      const core = ctx.core();
      const svc = core.sync;
      if (Object.keys(http).length) svc.configure({ http });
      if (o.estimate) {
        const e = await svc.estimate(row.id, { apis, full: !!o.full });
        ctx.print(e, !!o.json, textEstimate);
        return;
      }
      const view = new ProgressView(process.stderr, apis ?? [...API_NAMES]);
      const offProgress = o.quiet ? () => undefined : core.events.on('sync.progress', (p) => p.profileId === row.id && view.update(p));
      // The plan before the spending: calls, time and pace per API, and a full re-read when one is due.
      const offPlan = o.quiet ? () => undefined : core.events.on('sync.estimated', (e) => e.profileId === row.id && view.note(estimateLines(e.estimate).join('\n')));
      const off = () => {
        offProgress();
        offPlan();
      };
      let interrupts = 0;
      const onSigint = () => {
        interrupts++;
        if (interrupts === 1) {
          process.stderr.write('\ncancelling at the next page boundary (Ctrl+C again to quit now)…\n');
          svc.cancel(row.id);
        } else process.exit(130);
      };
      process.on('SIGINT', onSigint);
      let run: SyncRun;
      try {
        run = await svc.run(row.id, { apis, full: !!o.full, confirmDeletions: !!o.confirmDeletions });
      } catch (err) {
        if (err instanceof AppError) throw new CliError(err.message);
        throw err;
      } finally {
        off();
        process.off('SIGINT', onSigint);
      }
      if (o.json) ctx.print(summarize(run), true);
      else ctx.print(run, false, textSummary);
      // One line per failed API on stderr, so a scheduled job's log says why in a glance.
      const failed = run.collectors.filter((c: CollectorOutcome) => c.status === 'failed' || c.status === 'running');
      for (const c of failed) process.stderr.write(`twofold: ${API_LABELS[c.api]} failed: ${(c.error ?? 'unknown error').split('\n')[0]}\n`);
      process.exitCode = syncExitCode(run);
    });
}

export function syncExitCode(run: SyncRun): number {
  if (run.status === 'cancelled') return SYNC_EXIT.cancelled;
  const failed = run.collectors.filter((c) => c.status === 'failed' || c.status === 'running');
  if (!failed.length) return SYNC_EXIT.ok;
  return failed.every((c) => c.errorCode === 'DELETIONS_HELD') ? SYNC_EXIT.deletionsHeld : SYNC_EXIT.failed;
}
