/**
 * The store itself from the command line:
 *   twofold backup [file] [--force]     one passphrase-encrypted file of the whole store
 *   twofold restore <file> [--yes]      shows what the backup holds, then replaces the store
 *   twofold store status                 open or not (and why), encrypted, key source, read-only
 *   twofold store new [--yes]            when the store can't be opened: set it aside, start empty
 * Passphrases are read from stdin (hidden at a terminal, asked twice for a new backup) and are
 * never echoed or written anywhere.
 */
import type { Command } from 'commander';
import { CliError, type CliContext } from '../context';
import { readSecret } from './token';
import type { CoreHost } from '../../core/host';
import type { BackupSummary, StoreJob, StoreStatus } from '../../../src-shared/domain/store';

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function summaryText(s: BackupSummary): string {
  const lines = [`Backup made ${s.createdAt ?? '(unknown date)'} by Twofold ${s.appVersion ?? '?'}, ${mb(s.sizeBytes)}`];
  if (!s.profiles.length) lines.push('  no profiles');
  for (const p of s.profiles) {
    lines.push(
      `  ${p.name}${p.isSandbox ? ' (sandbox)' : ''}: ${p.persons} persons, last sync ${p.lastSyncAt ?? 'never'}; ` +
        `decisions: ${p.verdicts} verdicts, ${p.merges} merges, ${p.resolvedConflicts} resolved conflicts`,
    );
  }
  lines.push(`  audit log: ${s.auditEntries} entries`, '  API tokens are not in backups: enter them again after a restore on a new computer.');
  return lines.join('\n');
}

/** A passphrase from stdin: one trailing newline dropped, nothing else changed. */
async function passphrase(prompt: string, confirm: boolean): Promise<string> {
  const first = (await readSecret(prompt)).replace(/^\uFEFF/, '').replace(/\r?\n$/, '');
  if (!first) throw new CliError('no passphrase given on stdin');
  if (confirm && process.stdin.isTTY) {
    const again = (await readSecret('The same passphrase again: ')).replace(/\r?\n$/, '');
    if (again !== first) throw new CliError('the two passphrases differ; nothing was written');
  }
  return first;
}

async function yes(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const answer = await readLine(`${question} [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

function readLine(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  return new Promise((resolve) => {
    process.stdin.resume();
    process.stdin.setEncoding('utf8');
    process.stdin.once('data', (d: string) => {
      process.stdin.pause();
      resolve(d);
    });
  });
}

/** Waits for the host's backup or restore, with progress on stderr at a terminal. */
async function follow(host: CoreHost): Promise<StoreJob> {
  const off = host.events.on('store.job', (j) => {
    if (process.stderr.isTTY && j.phase === 'running' && j.totalBytes) {
      process.stderr.write(`\r${j.kind}: ${Math.min(99, Math.round((100 * j.bytes) / j.totalBytes))}%`);
    }
  });
  try {
    const job = (await host.settled())!;
    if (process.stderr.isTTY) process.stderr.write('\r');
    if (job.phase !== 'done') throw new CliError(job.message ?? `the ${job.kind} did not finish`);
    return job;
  } finally {
    off();
  }
}

function unwrap<T>(env: { ok: true; data: unknown } | { ok: false; error: { message: string } }): T {
  if (!env.ok) throw new CliError(env.error.message);
  return env.data as T;
}

function statusText(s: StoreStatus): string {
  const lines = [`Store ${s.file}`];
  if (s.state === 'open') {
    lines.push(`  open${s.readOnly ? `, read-only (${s.readOnly})` : ''}; ${s.encrypted ? `encrypted, key from ${s.keySource}` : 'NOT encrypted'}`);
  } else lines.push(`  not open: ${s.message ?? s.state}`);
  lines.push(`  backups go to ${s.backupFolder} unless you name a file`);
  return lines.join('\n');
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('backup [file]')
    .description('write one passphrase-encrypted backup file of the whole store (the app may keep running)')
    .option('--force', 'replace the file if it exists')
    .option('--json', 'print the result as JSON')
    .action(async (file: string | undefined, o: { force?: boolean; json?: boolean }) => {
      const host = await ctx.host();
      const pass = await passphrase('Passphrase for the backup (input hidden; without it the backup cannot be opened): ', true);
      unwrap(await host.invoke('backup.create', { file, passphrase: pass, overwrite: !!o.force }, 'cli'));
      const job = await follow(host);
      ctx.print({ file: job.file, bytes: job.bytes, summary: job.summary }, !!o.json, () => `Backup written to ${job.file}\n${summaryText(job.summary!)}`);
    });

  program
    .command('restore <file>')
    .description('show what a backup holds, then make it this data folder\'s store (the current store is kept aside)')
    .option('--yes', 'restore without asking (needed when stdin is not a terminal)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { yes?: boolean; json?: boolean }) => {
      // Not opened first: a restore is how a folder whose store can't be opened gets one back.
      const host = await ctx.host({ open: false });
      const pass = await passphrase('Passphrase of the backup (input hidden): ', false);
      const summary = unwrap<BackupSummary>(await host.invoke('backup.preview', { file, passphrase: pass }, 'cli'));
      if (!o.json) process.stdout.write(summaryText(summary) + '\n');
      if (!o.yes && !(await yes(`Restore it as the store of ${host.dataDir}? A store already there is kept aside, not deleted.`))) {
        throw new CliError('not restored (run again with --yes to restore without asking)');
      }
      unwrap(await host.invoke('backup.restore', { file, passphrase: pass, confirm: true }, 'cli'));
      const job = await follow(host);
      const status = host.status();
      ctx.print({ restored: job.file, store: status.file, previousStore: job.previousStore, summary: job.summary }, !!o.json, () =>
        [`Restored ${job.file} into ${status.file}.`, job.previousStore ? `The store that was there is kept as ${job.previousStore}.` : '', 'Enter the API tokens again: twofold token set <profile> <api>.'].filter(Boolean).join('\n'),
      );
    });

  const store = program.command('store').description('the store itself: whether it opens, and starting a new one when it cannot');
  store
    .command('status')
    .description('whether the store opens, whether it is encrypted and where its key comes from')
    .option('--json', 'print machine-readable JSON')
    .action(async (o: { json?: boolean }) => {
      const host = await ctx.host();
      const s = host.status();
      ctx.print(s, !!o.json, statusText);
      if (s.state !== 'open') process.exitCode = 1;
    });
  store
    .command('new')
    .description('when the store cannot be opened (a lost key, a damaged file): keep it aside under a dated name and start an empty one')
    .option('--yes', 'do it without asking (needed when stdin is not a terminal)')
    .option('--json', 'print the result as JSON')
    .action(async (o: { yes?: boolean; json?: boolean }) => {
      const host = await ctx.host();
      const s = host.status();
      if (s.state === 'open') throw new CliError(`the store ${s.file} opens; a new store is started only when it cannot`);
      if (!s.recoverable) throw new CliError(s.message ?? 'the store cannot be opened');
      if (!o.yes && !(await yes(`Keep ${s.file} aside and start an empty store?`))) throw new CliError('nothing changed (run again with --yes to do it without asking)');
      const r = unwrap<{ keptAs: string | null }>(await host.invoke('store.startNew', { confirm: true }, 'cli'));
      ctx.print({ keptAs: r.keptAs, store: s.file }, !!o.json, () => `Started a new store at ${s.file}; the old file is kept as ${r.keptAs}.`);
    });
}
