/**
 * Opens a data folder's store in its own process, for the kill -9 tests: bundled by
 * test/sync/child/build.ts, run as `node openChild.cjs <dataDir> <step|none>`. With a step, the
 * process kills itself with SIGKILL right after that step of the plain → encrypted migration.
 * Prints {"encrypted": …} and exits 0 when it gets to the end.
 */
import { createCore } from '../../../src-main/core/app';
import { MemorySecretStore } from '../../../src-main/secrets/memoryStore';
import { testStoreKey } from '../../helpers/tempCore';

async function main(): Promise<void> {
  const [dataDir, killAt] = process.argv.slice(2);
  const core = createCore({
    dataDir: dataDir!,
    secrets: new MemorySecretStore(),
    storeKey: testStoreKey(),
    afterEncryptStep: (step) => {
      if (step === killAt) process.kill(process.pid, 'SIGKILL');
    },
  });
  process.stdout.write(JSON.stringify({ encrypted: core.store.encrypted }) + '\n');
  await core.close();
}

main().catch((err) => {
  process.stderr.write(String((err as Error)?.stack ?? err) + '\n');
  process.exit(2);
});
