import path from 'node:path';
import type { Command } from 'commander';
import { CliError, type CliContext } from '../context';
import { keepAlive } from '../main';
import { startWebShell } from '../../web/server';
import { startThreadBackend } from '../../backend/thread';

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
      // The core runs in a worker thread: the server and the event stream answer while it works.
      // The shell starts even when the store can't be opened: the page says why and offers the ways out.
      let backend;
      let shell;
      try {
        backend = await startThreadBackend({ dataDir: ctx.dataDir(), envTokens: true, storeKeys: 'env-or-keychain' });
        const status = await backend.invoke('store.status', {});
        if (status.ok) {
          const st = status.data as { state: string; message: string | null };
          if (st.state !== 'open' && st.message) process.stderr.write(`twofold: ${st.message}\n`);
        }
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      try {
        shell = await startWebShell({ backend, rendererDir: rendererDir(), port });
      } catch (err) {
        await backend.close();
        throw new CliError((err as Error).message);
      }
      keepAlive(program);
      ctx.print({ url: shell.url }, !!o.json, () => `Twofold is running at ${shell.url}\n(open it in a browser; press Ctrl+C to stop)`);
      const stop = async () => {
        await shell.close();
        await backend.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
