/**
 * Bundles a TypeScript entry (migrations' import.meta.glob included) into one CJS file that plain
 * `node` can run in a child process: the kill -9 test and the benchmark's measured processes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'vite';

const cache = new Map<string, Promise<string>>();

export function buildScript(entry: string, name: string): Promise<string> {
  let p = cache.get(entry);
  if (!p) {
    p = (async () => {
      const outDir = fs.mkdtempSync(path.join(os.tmpdir(), `twofold-${name}-`));
      const root = path.resolve(__dirname, '../../..');
      await build({
        configFile: false,
        root,
        logLevel: 'silent',
        build: {
          ssr: entry,
          outDir,
          emptyOutDir: true,
          minify: false,
          target: 'node20',
          rollupOptions: {
            external: ['better-sqlite3-multiple-ciphers', 'keytar', 'electron', /^node:/],
            output: { format: 'cjs', entryFileNames: `${name}.cjs`, inlineDynamicImports: true },
          },
        },
        ssr: { noExternal: true, target: 'node' },
      });
      // The native addons resolve from the repo's node_modules.
      fs.symlinkSync(path.join(root, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
      return path.join(outDir, `${name}.cjs`);
    })();
    cache.set(entry, p);
  }
  return p;
}

export function buildSyncChild(): Promise<string> {
  return buildScript(path.resolve(__dirname, 'syncChild.ts'), 'syncChild');
}
