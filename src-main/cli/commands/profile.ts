import type { Command } from 'commander';
import type { CliContext } from '../context';
import type { Profile } from '../../../src-shared/domain/profile';

export function register(program: Command, ctx: CliContext): void {
  const profile = program.command('profile').description('manage profiles (one per organization)');

  profile
    .command('add <name>')
    .description('add a profile with the base URL of each API')
    .requiredOption('--vomo-url <url>', 'VOMO base URL, e.g. https://api.vomo.org/v1')
    .requiredOption('--crm-url <url>', 'CRM+ base URL, e.g. https://api.virtuoussoftware.com')
    .option('--raise-url <url>', 'Raise base URL, e.g. https://prod-api.raisedonors.com')
    .option('--json', 'print the profile as JSON')
    .action(async (name: string, o: { vomoUrl: string; crmUrl: string; raiseUrl?: string; json?: boolean }) => {
      const p = await ctx.call<Profile>('profiles.add', { name, vomoUrl: o.vomoUrl, crmUrl: o.crmUrl, raiseUrl: o.raiseUrl ?? null });
      ctx.print(p, !!o.json, (v: Profile) => `added profile "${v.name}" (id ${v.id})`);
    });

  profile
    .command('list')
    .description('list profiles')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await ctx.call<Profile[]>('profiles.list', {});
      ctx.print(list, !!o.json, (v: Profile[]) =>
        v.length === 0
          ? 'no profiles yet (add one with: twofold profile add <name> --vomo-url U --crm-url U)'
          : v
              .map((p) => {
                const tokens = (['vomo', 'crm', 'raise'] as const).filter((a) => p.tokens[a]).join(',') || 'none';
                return `${p.id}\t${p.name}${p.isSandbox ? ' [sandbox]' : ''}\tvomo=${p.vomoUrl ?? '-'}\tcrm=${p.crmUrl ?? '-'}\traise=${p.raiseUrl ?? '-'}\ttokens=${tokens}`;
              })
              .join('\n'),
      );
    });

  profile
    .command('remove <name>')
    .description('remove a profile, its tokens and its local data')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const row = ctx.profile(name);
      await ctx.call('profiles.remove', { profileId: row.id });
      ctx.print({ removed: row.name, id: row.id }, !!o.json, () => `removed profile "${row.name}"`);
    });
}
