import path from 'node:path';
import type { Command } from 'commander';
import { CliError, type CliContext } from '../context';
import { keepAlive } from '../main';
import { startWebShell } from '../../web/server';

/** The built renderer sits beside the CLI bundle: out/main/cli.js → out/renderer/. */
export function rendererDir(): string {
  return process.env.TWOFOLD_RENDERER_DIR ?? path.resolve(__dirname, '..', 'renderer');
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run Twofold as a local web app on 127.0.0.1 and print the URL to open')
    .option('--port <n>', 'port to listen on (default: a free one)')
    .option('--json', 'print {"url": …} as JSON')
    .action(async (o: { port?: string; json?: boolean }) => {
      const port = o.port === undefined ? 0 : Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a number from 0 to 65535, not "${o.port}"`);
      // The shell starts even when the store can't be opened: the page says why and offers the ways out.
      const host = await ctx.host();
      const status = host.status();
      if (status.state !== 'open' && status.message) process.stderr.write(`twofold: ${status.message}\n`);
      let shell;
      try {
        shell = await startWebShell({ backend: host, rendererDir: rendererDir(), port });
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      keepAlive(program);
      ctx.print({ url: shell.url }, !!o.json, () => `Twofold is running at ${shell.url}\n(open it in a browser; press Ctrl+C to stop)`);
      const stop = async () => {
        await shell.close();
        await ctx.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
