import type { Command } from 'commander';
import { CliError, type CliContext } from '../context';
import type { ReportRegistry } from '../reports/types';
import { identityReports } from '../reports/identity';
import { insightsReports } from '../reports/insights';
import { reconcileReports } from '../reports/reconcile';

export function allReports(): ReportRegistry {
  return { ...insightsReports, ...identityReports, ...reconcileReports };
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('report <profile> <name>')
    .description('print a report: ' + (Object.keys(allReports()).join(' | ') || '(none yet)'))
    .option('--json', 'print machine-readable JSON')
    .option('--lapse-days <n>', 'lapse window in days (lapsed)')
    .option('--since <date>', 're-read records changed since this day (reconcile), YYYY-MM-DD')
    .option('--lag-hours <n>', 'Raise → CRM+ sync lag window in hours (reconcile)')
    .option('--limit <n>', 'rows to print for lists (default: all)')
    .option('--as-of <date>', 'reference day for windows (lapse, activity, lag), YYYY-MM-DD; default today')
    .action(async (profileName: string, name: string, o: Record<string, string | boolean | undefined>) => {
      const reports = allReports();
      const report = reports[name];
      if (!report) throw new CliError(`unknown report "${name}"; choose one of: ${Object.keys(reports).join(', ')}`);
      const profile = ctx.profile(profileName);
      const out = await report.run(ctx, profile, { json: !!o.json, options: o });
      ctx.print(o.json ? out.json : out.text, !!o.json, (t) => String(t));
    });
}
