import type { ReportRegistry } from './types';
import { asOfOption, countOption, dayOption, numberOption } from '../options';
import { GROUP_LABELS, GROUP_ORDER, KIND_LABELS, type Finding, type ReportPage, type RunInfo } from '../../../src-shared/domain/reconcile';

/** "1 h 5 min", "42 s": a lag in words. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '–';
  const s = Math.round(seconds);
  if (Math.abs(s) < 60) return `${s} s`;
  if (Math.abs(s) < 3600) return `${Math.round(s / 60)} min`;
  if (Math.abs(s) < 86400) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  return `${(s / 86400).toFixed(1)} days`;
}

function money(cents: unknown): string {
  return typeof cents === 'number' ? `$${(cents / 100).toFixed(2)}` : '';
}

function findingLine(f: Finding): string {
  const d = f.detail;
  const bits = [`${f.api} ${f.resource} ${f.sourceId}`, f.label ?? '', f.occurredAt ? f.occurredAt.slice(0, 16).replace('T', ' ') : ''];
  if (f.kind === 'gift_amount_mismatch') bits.push(`Raise ${money(d.raiseAmountCents)} vs CRM+ ${money(d.crmAmountCents)}`);
  else if (f.kind === 'gift_date_mismatch') bits.push(`Raise ${d.raiseDate} vs CRM+ ${d.crmDate}`);
  else if (d.amountCents !== undefined) bits.push(money(d.amountCents));
  if (d.campaign) bits.push(String(d.campaign));
  if (f.personId) bits.push(`person ${f.personId}`);
  if (f.change && f.change !== 'same') bits.push(`[${f.change}]`);
  return '    ' + bits.filter(Boolean).join(' · ');
}

export function reportText(run: RunInfo, page: ReportPage, limit: number | null): string {
  const s = run.summary;
  const out: string[] = [];
  out.push(`Reconciliation run ${run.id} (${run.status}) as of ${run.asOf} [${run.settings.asOfSource} clock]`);
  out.push(`  re-read since ${run.settings.since}; lag window ${run.settings.lagHours} h`);
  if (!s) return out.join('\n');
  const diff = page.diff;
  out.push(
    diff.previousRunId
      ? `  compared with run ${diff.previousRunId}: ${diff.new} new, ${diff.fixed} fixed, ${diff.changed} changed, ${diff.same} unchanged`
      : '  first run: nothing to compare with',
  );
  out.push('', 'Findings');
  if (!s.total && !diff.fixed) out.push('  none');
  for (const g of GROUP_ORDER) {
    const b = diff.byGroup[g];
    const n = s.byGroup[g] ?? 0;
    if (!n && !b?.fixed) continue;
    out.push(`  ${GROUP_LABELS[g]}: ${n}${diff.previousRunId && b ? ` (${b.new} new, ${b.fixed} fixed)` : ''}`);
  }
  out.push('', `Raise donors ${s.raise.donors} (${s.raise.donorsLinked} with a crmKey); Raise gifts ${s.raise.gifts} (${s.raise.giftsMatched} in CRM+); CRM+ gifts from Raise ${s.raise.crmGiftsFromRaise}`);
  if (s.campaignsSyncOff.length) {
    out.push('Campaigns with sync turned off (Twofold does not change this):');
    for (const c of s.campaignsSyncOff) out.push(`  ${c.name ?? c.campaignId}: ${c.gifts} gifts held back (${money(c.amountCents)}), ${c.donors} donors`);
  }
  const l = s.lag;
  out.push(`Observed Raise → CRM+ lag over ${l.count} gifts: median ${duration(l.medianSeconds)}, 95th percentile ${duration(l.p95Seconds)}, max ${duration(l.maxSeconds)}`);
  out.push(`Without a partner (real-world figures): ${s.partners.volunteersWithoutCrm} volunteers with no CRM+ contact, ${s.partners.contactsWithoutVomo} contacts with no VOMO user`);
  if (s.apiChecks.length) {
    out.push('Store vs APIs:');
    for (const c of s.apiChecks) out.push(`  ${c.api} ${c.resource}: ${c.status}, ${c.checked} re-read, ${c.missing} missing, ${c.stale} stale, ${c.resynced} re-synced`);
  }
  if (s.sweeps.length) {
    out.push('Deletion sweep:');
    for (const c of s.sweeps) out.push(`  ${c.api} ${c.resource}: ${c.status}, ${c.sourceIds} ids at the source, ${c.markedGone} newly gone`);
  }
  for (const n of s.notes) out.push(`Note: ${n}`);
  if (page.findings.length) {
    out.push('');
    let last = '';
    for (const f of page.findings) {
      if (f.kind !== last) {
        out.push(`  ${KIND_LABELS[f.kind]}`);
        last = f.kind;
      }
      out.push(findingLine(f));
    }
    if (limit !== null && page.total > page.findings.length) out.push(`  … ${page.total - page.findings.length} more (--limit)`);
  }
  return out.join('\n');
}

export const reconcileReports: ReportRegistry = {
  reconcile: {
    description: 'run a reconciliation: store vs APIs, deletions, Raise → CRM+ (--since DATE, --lag-hours N)',
    async run(ctx, profile, opts) {
      const o = opts.options;
      const input: Record<string, unknown> = { profileId: profile.id };
      if (typeof o.since === 'string') {
        input.since = dayOption('--since', o.since);
      }
      if (o.lagHours !== undefined) {
        input.lagHours = numberOption('--lag-hours', String(o.lagHours), { min: 0, max: 24 * 90, unit: 'hours' });
      }
      const asOf = asOfOption('TWOFOLD_AS_OF', process.env.TWOFOLD_AS_OF);
      if (asOf) input.asOf = asOf;
      const limit = countOption('--limit', o.limit) ?? null;
      const run = await ctx.call<RunInfo>('reconcile.run', input);
      const findings: Finding[] = [];
      let page: ReportPage | null = null;
      // Page by cursor: each page costs what the first does, however many findings the run has.
      for (let cursor: string | null = null; ; cursor = page.nextCursor) {
        const want = limit === null ? 1000 : Math.min(1000, limit - findings.length);
        if (want <= 0 && page) break;
        page = await ctx.call<ReportPage>('reconcile.report', { runId: run.id, cursor, limit: Math.max(1, want) });
        findings.push(...page.findings.slice(0, Math.max(0, want)));
        if (!page.nextCursor || (limit !== null && findings.length >= limit)) break;
      }
      const full: ReportPage = { ...page!, findings };
      // A reconciliation that could not read an API is reported, and the exit code says so.
      const failed = [...(run.summary?.apiChecks ?? []), ...(run.summary?.sweeps ?? [])].filter((c) => c.status === 'failed');
      if (run.status !== 'ok' && failed.length) {
        process.stderr.write(`twofold: reconciliation ${run.status}: ${failed.map((c) => `${c.api} ${c.resource}: ${c.message ?? 'could not be read'}`).join('; ')}\n`);
        process.exitCode = 1;
      }
      return {
        json: { run, diff: full.diff, total: full.total, findings },
        text: reportText(run, full, limit),
      };
    },
  },
};
