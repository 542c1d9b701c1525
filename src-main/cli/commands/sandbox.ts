/**
 * `twofold sandbox`: the three simulated APIs on loopback. Prints ONE JSON line with base URLs,
 * tokens and the admin URL, then serves until SIGINT/SIGTERM.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError } from '../context';
import { keepAlive } from '../main';

interface SandboxCliOptions {
  port?: string;
  people?: string;
  seed?: string;
  faults?: string;
  rateLimits?: string;
  vomoPageSize?: string;
  syncLagHours?: string;
  manifest?: string;
}

function wholeNumber(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw new CliError(`${flag} must be a whole number, not "${v}"`);
  return Number(v);
}

export function register(program: Command, _ctx?: unknown): void {
  program
    .command('sandbox')
    .description('serve local copies of the VOMO, CRM+ and Raise APIs with a generated organization (prints one JSON line)')
    .option('--port <n>', 'first port: VOMO on n, CRM+ on n+1, Raise on n+2 (default: free ports)')
    .option('--people <n>', 'people in the organization, 100 to 1000000', '5000')
    .option('--seed <n>', 'seed: the same seed gives byte-identical data', '1')
    .option('--faults <profile>', 'none | flaky (5xx/429 bursts, slow pages, dropped connections, invalid JSON)', 'none')
    .option('--rate-limits <mode>', 'real | scaled | off', 'real')
    .option('--vomo-page-size <n>', 'VOMO server page size', '15')
    .option('--sync-lag-hours <h>', 'Raise → CRM+ sync lag in hours', '2')
    .option('--manifest <file>', 'also write the ground-truth manifest (JSON) to this file')
    .action(async (o: SandboxCliOptions) => {
      const faults = o.faults ?? 'none';
      if (faults !== 'none' && faults !== 'flaky') throw new CliError(`--faults must be none or flaky, not "${faults}"`);
      const rateLimits = o.rateLimits ?? 'real';
      if (rateLimits !== 'real' && rateLimits !== 'scaled' && rateLimits !== 'off') throw new CliError(`--rate-limits must be real, scaled or off, not "${rateLimits}"`);
      const lag = o.syncLagHours === undefined ? undefined : Number(o.syncLagHours);
      if (lag !== undefined && !(Number.isFinite(lag) && lag >= 0)) throw new CliError(`--sync-lag-hours must be a non-negative number, not "${o.syncLagHours}"`);
      const opts = {
        port: wholeNumber('--port', o.port),
        people: wholeNumber('--people', o.people),
        seed: wholeNumber('--seed', o.seed),
        vomoPageSize: wholeNumber('--vomo-page-size', o.vomoPageSize),
        faults: faults as 'none' | 'flaky',
        rateLimits: rateLimits as 'real' | 'scaled' | 'off',
        syncLagHours: lag,
      };
      // Loaded here so other commands never pay for the generator.
      const { startSandbox, resolveOptions } = await import('../../sandbox/index');
      try {
        resolveOptions(opts);
      } catch (e) {
        throw new CliError((e as Error).message);
      }
      let handle;
      try {
        handle = await startSandbox(opts);
      } catch (e) {
        throw new CliError(`the sandbox could not start: ${(e as Error).message}`);
      }
      keepAlive(program);
      if (o.manifest) writeFileSync(o.manifest, JSON.stringify(handle.manifest(), null, 2));
      process.stdout.write(`${JSON.stringify({ vomo: handle.vomo, crm: handle.crm, raise: handle.raise, admin: handle.admin })}\n`);
      const stop = () => {
        void handle.stop().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
