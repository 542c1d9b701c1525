/**
 * `twofold rebuild <profile> [--from-scratch] [--json]`
 *
 * Rebuilds the joined person store from the mirrors, as the app does after every sync: only the
 * records changed since the last rebuild are read again. --from-scratch reads every record and
 * recomputes every person (IDs and the steward's decisions kept), for when the store is in doubt.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context';
import type { RebuildSummary } from '../../../src-shared/domain/identity';

export function rebuildText(s: RebuildSummary): string {
  const read = s.timings.recordsRead;
  return [
    `${s.persons} persons from ${s.links} records${read === undefined ? '' : ` (${read} read from the mirrors)`}, in ${(s.ms / 1000).toFixed(1)} s`,
    `  new persons ${s.newPersons}, removed ${s.removedPersons}, rewritten ${s.timings.personsWritten ?? '?'}`,
    `  open conflicts ${s.conflictsOpen}, open split candidates ${s.candidatesOpen}, findings ${s.findings}`,
  ].join('\n');
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('rebuild <profile>')
    .description('rebuild the joined person store from the mirrors (only what changed, unless --from-scratch)')
    .option('--from-scratch', 'read every record again and recompute every person (IDs and decisions kept)')
    .option('--json', 'print machine-readable JSON')
    .action(async (profileName: string, o: { fromScratch?: boolean; json?: boolean }) => {
      const profile = ctx.profile(profileName);
      const summary = await ctx.core().identity.requestRebuild(profile.id, 'rebuild', { fromScratch: !!o.fromScratch });
      ctx.print(summary, !!o.json, rebuildText);
    });
}
