import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const pkg = JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as { version: string };
// Native addons stay outside the bundle (each runtime loads its own ABI build); everything
// else is bundled so ESM-only dependencies work from the CJS main bundle.
const nativeExternals = ['electron', 'better-sqlite3-multiple-ciphers', 'keytar', /^node:/];

export default defineConfig({
  main: {
    define: { __TWOFOLD_VERSION__: JSON.stringify(pkg.version) },
    build: {
      outDir: 'out/main',
      externalizeDeps: false,
      rollupOptions: { external: nativeExternals },
      lib: {
        entry: {
          index: resolve(__dirname, 'src-main/electron/main.ts'),
          cli: resolve(__dirname, 'src-main/cli/main.ts'),
          // The core, off the window's (and the web server's) thread: a utility process in
          // Electron, a worker thread of `twofold serve`; the process its long jobs run in, and
          // the worker thread inside it that runs each.
          backend: resolve(__dirname, 'src-main/backend/entry.ts'),
          jobHost: resolve(__dirname, 'src-main/jobs/jobHost.ts'),
          jobWorker: resolve(__dirname, 'src-main/jobs/worker.ts'),
          // The job worker's second threads: a large persons pass, a load of every record.
          personHelper: resolve(__dirname, 'src-main/identity/personHelperThread.ts'),
          mirrorReader: resolve(__dirname, 'src-main/identity/mirrorReaderThread.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require() dependencies: bundle zod and the contract into it.
      externalizeDeps: false,
      rollupOptions: { external: ['electron'] },
      lib: { entry: { index: resolve(__dirname, 'src-main/electron/preload.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      emptyOutDir: true,
      rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') },
    },
  },
});
