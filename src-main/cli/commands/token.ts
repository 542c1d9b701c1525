/**
 * `twofold token set <profile> <vomo|crm|raise>`: the token is read from stdin (hidden when
 * typed at a terminal), never echoed, never written anywhere but the keychain.
 * `twofold token test` calls each resource the sync reads once with the smallest page and says,
 * per resource, available / not available (HTTP status) / forbidden, with the rate-limit headers
 * the server sent; `twofold token delete` removes it.
 */
import type { Command } from 'commander';
import { CliError, type CliContext } from '../context';
import { API_LABELS, API_NAMES, type ApiName } from '../../../src-shared/domain/apis';
import type { ConnectionTestResult } from '../../../src-shared/domain/sync';
import { addHttpOptions, httpTuningFrom, type HttpOptionValues } from '../httpOptions';

function apiArg(v: string): ApiName {
  const a = v.trim().toLowerCase();
  if (!(API_NAMES as readonly string[]).includes(a)) throw new CliError(`unknown API "${v}" (use one of: ${API_NAMES.join(', ')})`);
  return a as ApiName;
}

/** Reads a secret from stdin: hidden keystrokes on a TTY, the whole stream otherwise. */
export async function readSecret(prompt: string, stdin: NodeJS.ReadStream = process.stdin, stderr: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (stdin.isTTY && typeof stdin.setRawMode === 'function') {
    stderr.write(prompt);
    return new Promise<string>((resolve, reject) => {
      let buf = '';
      stdin.setRawMode(true);
      stdin.resume();
      stdin.setEncoding('utf8');
      const done = (err?: Error) => {
        stdin.setRawMode(false);
        stdin.pause();
        stdin.off('data', onData);
        stderr.write('\n');
        if (err) reject(err);
        else resolve(buf);
      };
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
          if (ch === '\u0003') return done(new CliError('cancelled', 130));
          if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
          else buf += ch;
        }
      };
      stdin.on('data', onData);
    });
  }
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

const STATUS_WORDS: Record<string, string> = { available: 'available', unavailable: 'not available', forbidden: 'forbidden', failed: 'failed' };

export function connectionText(v: ConnectionTestResult): string {
  const label = API_LABELS[v.api];
  const lines = [v.ok ? `${v.message} (${v.ms} ms)` : `${label}: ${v.message}`];
  for (const r of v.resources) {
    lines.push(`  ${r.resource.padEnd(16)} ${(STATUS_WORDS[r.status] ?? r.status).padEnd(14)} ${r.httpStatus !== null ? `HTTP ${r.httpStatus}` : ''}${r.required ? '' : '  (optional)'}`);
  }
  const h = v.rateLimit;
  if (h) {
    const parts = [h.limit !== null ? `X-RateLimit-Limit ${h.limit}` : null, h.remaining !== null ? `X-RateLimit-Remaining ${h.remaining}` : null, h.resetAt ? `X-RateLimit-Reset ${h.resetAt}` : null].filter(Boolean);
    lines.push(`  rate limit: ${parts.join(', ')}`);
  } else if (v.resources.length) lines.push('  rate limit: the server sent no rate-limit headers');
  if (v.pacing) lines.push(`  pacing: ${v.pacing}`);
  return lines.join('\n');
}

export function register(program: Command, ctx: CliContext): void {
  const token = program.command('token').description('store, test or delete API tokens (kept in the OS keychain only)');

  token
    .command('set <profile> <api>')
    .description('store a token for vomo, crm or raise; the token is read from stdin and never echoed')
    .option('--json', 'print the result as JSON')
    .action(async (profileName: string, apiName: string, o: { json?: boolean }) => {
      const api = apiArg(apiName);
      const row = ctx.profile(profileName);
      const raw = await readSecret(`${API_LABELS[api]} token for "${row.name}" (input hidden): `);
      const value = raw.replace(/^\uFEFF/, '').trim();
      if (!value) throw new CliError('no token given on stdin');
      if (/\s/.test(value)) throw new CliError('the token contains whitespace; paste only the token');
      await ctx.call('secrets.set', { profileId: row.id, api, token: value });
      ctx.print({ profile: row.name, api, stored: true }, !!o.json, () => `stored the ${API_LABELS[api]} token for "${row.name}" in the keychain`);
    });

  addHttpOptions(
    token
      .command('test <profile> <api>')
      .description('call each resource the sync reads once with the stored token (or TWOFOLD_<API>_TOKEN) and report each; exits 1 when a required one cannot be read')
      .option('--json', 'print the result as JSON'),
  ).action(async (profileName: string, apiName: string, o: { json?: boolean } & HttpOptionValues) => {
    const api = apiArg(apiName);
    const http = httpTuningFrom(o);
    const row = ctx.profile(profileName);
    if (Object.keys(http).length) ctx.core().sync.configure({ http });
    const r = await ctx.call<ConnectionTestResult>('connections.test', { profileId: row.id, api });
    ctx.print(r, !!o.json, connectionText);
    if (!r.ok) {
      if (o.json) process.stderr.write(`twofold: ${API_LABELS[api]}: ${r.message.split('\n')[0]}\n`);
      process.exitCode = 1;
    }
  });

  token
    .command('delete <profile> <api>')
    .description('remove a stored token from the keychain')
    .option('--json', 'print the result as JSON')
    .action(async (profileName: string, apiName: string, o: { json?: boolean }) => {
      const api = apiArg(apiName);
      const row = ctx.profile(profileName);
      await ctx.call('secrets.delete', { profileId: row.id, api });
      ctx.print({ profile: row.name, api, deleted: true }, !!o.json, () => `deleted the ${API_LABELS[api]} token of "${row.name}"`);
    });
}
