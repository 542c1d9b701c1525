/**
 * `twofold` — the command line. Every command has --help, fails with one line on stderr and a
 * non-zero exit code, and with --json prints machine-readable output on stdout.
 */
import { Command, CommanderError } from 'commander';
import { createCliContext, oneLine, type CliContext } from './context';
import { version } from '../core/version';
import { commands } from './commands';
import { databasePath } from '../store/db';

// `serve` opens the store in its backend thread, where the core runs.
const OWN_STORE_HANDLING = new Set(['sandbox', 'restore', 'serve']);

export function buildProgram(): { program: Command; ctx: CliContext } {
  const program = new Command();
  const ctx = createCliContext(() => program.opts().dataDir as string | undefined);
  program
    .name('twofold')
    .description('Join VOMO volunteers with CRM+ and Raise donors into one local person store.')
    .version(version)
    .option('--data-dir <dir>', 'data folder (default: $TWOFOLD_DATA_DIR or the desktop app folder)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program, ctx);
  // Open the store before a command runs, except for commands that never use it or open it
  // their own way (a restore may run where no store can be opened).
  program.hook('preAction', async (_root, action) => {
    let top: Command = action;
    while (top.parent && top.parent !== program) top = top.parent;
    if (!OWN_STORE_HANDLING.has(top.name())) await ctx.host({ shell: 'cli' });
  });
  return { program, ctx };
}

export async function runCli(argv: string[]): Promise<number> {
  const { program, ctx } = buildProgram();
  // While a command runs, the process stays alive until it has a verdict. Libraries may wait on
  // timers they unref (Bottleneck's reservoir refresh does); without this, a run whose only
  // pending work is such a wait would let Node exit 0 mid-sync, printing nothing.
  const alive = setInterval(() => undefined, 1 << 30);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version "fail" with exit code 0; commander already printed the message.
      return err.exitCode;
    }
    process.stderr.write(`twofold: ${oneLine(err, databasePath(ctx.dataDir()))}\n`);
    return (err as { exitCode?: number }).exitCode ?? 1;
  } finally {
    clearInterval(alive);
    // Long-running commands (serve, sandbox) keep their own handles and close on signal.
    if (!(program as unknown as { _keepAlive?: boolean })._keepAlive) await ctx.close();
  }
}

/** Commands that serve until stopped call this so the context is not closed under them. */
export function keepAlive(program: Command): void {
  let root: Command = program;
  while (root.parent) root = root.parent;
  (root as unknown as { _keepAlive?: boolean })._keepAlive = true;
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then((code) => {
    if (code !== 0) process.exitCode = code;
  });
}
