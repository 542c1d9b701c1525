/**
 * `twofold export <profile> <list> --out <file> [--lapse-days N] …`: the same export as the
 * app's "Export CSV" (filters, opted-out emails left out and counted, logged), to a file.
 * `twofold exports <profile> [--delete <id>]`: the export files (lists, fix lists, reconciliation
 * CSVs) that still exist, unencrypted, as Settings → Backups lists them; one deleted by its ID.
 */
import type { Command } from 'commander';
import { CliError, type CliContext } from '../context';
import { asOfOption, daysOption } from '../options';
import { defaultAsOf } from '../../insights/referenceClock';
import { ColumnKey, exportLabel, LIST_NAMES, ListName, type ListFilters } from '../../../src-shared/domain/insights';
import type { ExportFile } from '../../../src-shared/domain/store';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('export <profile> <list>')
    .description(`export a list to CSV: ${LIST_NAMES.join(' | ')}`)
    .requiredOption('--out <file>', 'where to write the CSV')
    .option('--lapse-days <n>', 'lapse window in days (lapsed)')
    .option('--activity-days <n>', 'activity window in days (lapsed: still volunteering)')
    .option('--recent-days <n>', 'window for recent first-time Raise donors')
    .option('--as-of <date>', 'reference day for the windows, YYYY-MM-DD (default: today)')
    .option('--search <text>', 'only persons whose name or email starts with this')
    .option('--columns <list>', 'comma-separated columns, e.g. personId,firstName,lastName,email')
    .option('--include-opted-out', 'keep email addresses whose contact method is opted out')
    .option('--exclude-recently-asked <days>', 'leave out persons exported for outreach within N days')
    .option('--not-outreach', 'do not count this export as asking its persons')
    .option('--json', 'print the result as JSON')
    .action(async (profileName: string, listName: string, o: Record<string, string | boolean | undefined>) => {
      const list = ListName.safeParse(listName);
      if (!list.success) throw new CliError(`unknown list "${listName}"; choose one of: ${LIST_NAMES.join(', ')}`);
      const profile = ctx.profile(profileName);
      const filters: ListFilters = {};
      const lapse = daysOption('--lapse-days', o.lapseDays);
      if (lapse !== undefined) filters.lapseDays = lapse;
      const activity = daysOption('--activity-days', o.activityDays);
      if (activity !== undefined) filters.activityDays = activity;
      const recent = daysOption('--recent-days', o.recentDays);
      if (recent !== undefined) filters.recentDays = recent;
      let columns: ColumnKey[] | undefined;
      if (typeof o.columns === 'string') {
        columns = o.columns.split(',').map((c) => {
          const k = ColumnKey.safeParse(c.trim());
          if (!k.success) throw new CliError(`unknown column "${c.trim()}"; choose from: ${ColumnKey.options.join(', ')}`);
          return k.data;
        });
      }
      const res = await ctx.core().exports.create(
        {
          profileId: profile.id,
          list: list.data,
          filters,
          columns,
          search: typeof o.search === 'string' ? o.search : undefined,
          asOf: await defaultAsOf(ctx.core().clock, profile.id, asOfOption('--as-of', typeof o.asOf === 'string' ? o.asOf : undefined) ?? asOfOption('TWOFOLD_AS_OF', process.env.TWOFOLD_AS_OF)),
          excludeOptedOut: !o.includeOptedOut,
          excludeRecentlyAskedDays: daysOption('--exclude-recently-asked', o.excludeRecentlyAsked),
          outreach: !o.notOutreach,
        },
        { kind: 'file', path: String(o.out) },
      );
      ctx.print(res, !!o.json, () =>
        [
          `wrote ${res.rowCount} ${res.rowCount === 1 ? 'row' : 'rows'} to ${res.filePath}`,
          res.excludedOptedOut ? `left out ${res.excludedOptedOut} email ${res.excludedOptedOut === 1 ? 'address' : 'addresses'} not opted in` : null,
          res.excludedRecentlyAsked ? `left out ${res.excludedRecentlyAsked} ${res.excludedRecentlyAsked === 1 ? 'person' : 'persons'} recently asked` : null,
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });

  program
    .command('exports <profile>')
    .description('list the export files that still exist (written unencrypted), or delete one')
    .option('--delete <id>', 'delete the file of the export with this ID (the log keeps the entry)')
    .option('--json', 'print the result as JSON')
    .action(async (profileName: string, o: { delete?: string; json?: boolean }) => {
      const profile = ctx.profile(profileName);
      if (o.delete !== undefined) {
        const exportId = Number(o.delete);
        if (!Number.isSafeInteger(exportId) || exportId < 1) throw new CliError(`--delete takes an export's ID (a whole number), not "${o.delete}"`);
        const file = (await ctx.call<ExportFile[]>('exports.files', { profileId: profile.id })).find((f) => f.exportId === exportId)?.filePath;
        await ctx.call('exports.deleteFile', { profileId: profile.id, exportId });
        ctx.print({ deleted: exportId, file }, !!o.json, () => `deleted ${file ?? `the file of export ${exportId}`}`);
        return;
      }
      const files = await ctx.call<ExportFile[]>('exports.files', { profileId: profile.id });
      ctx.print(files, !!o.json, () =>
        files.length
          ? files.map((f) => `${String(f.exportId).padStart(6)}  ${f.createdAt.slice(0, 16).replace('T', ' ')}  ${exportLabel(f.list)}, ${f.rowCount} rows  ${f.filePath}`).join('\n')
          : 'no export files of this profile remain',
      );
    });
}
