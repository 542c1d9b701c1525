/**
 * A sync in its own process, for the kill -9 test: bundled by test/sync/child/build.ts, run with
 * `node syncChild.cjs <dataDir> <profileId> <json options>`. Tokens come from TWOFOLD_*_TOKEN.
 * Prints every `sync.progress` event as a JSON line on stdout, then {"done": status}.
 */
import { createCore } from '../../../src-main/core/app';
import { MemorySecretStore } from '../../../src-main/secrets/memoryStore';
import { EnvOverlaySecretStore } from '../../../src-main/secrets/envOverlay';
import { testStoreKey } from '../../helpers/tempCore';

async function main(): Promise<void> {
  const [dataDir, profileId, optsJson] = process.argv.slice(2);
  const opts = JSON.parse(optsJson ?? '{}') as { tuning?: object; apis?: ('vomo' | 'crm' | 'raise')[]; full?: boolean };
  const core = createCore({ dataDir: dataDir!, secrets: new EnvOverlaySecretStore(new MemorySecretStore()), storeKey: testStoreKey() });
  const svc = core.sync;
  if (opts.tuning) svc.configure(opts.tuning);
  core.events.on('sync.progress', (p) => process.stdout.write(JSON.stringify(p) + '\n'));
  const run = await svc.run(Number(profileId), { apis: opts.apis, full: opts.full });
  process.stdout.write(JSON.stringify({ done: run.status, collectors: run.collectors.map((c) => [c.api, c.status, c.error]) }) + '\n');
  await core.close();
}

main().catch((err) => {
  process.stderr.write(String((err as Error)?.stack ?? err) + '\n');
  process.exit(2);
});
