#!/usr/bin/env node
'use strict';
// `npm start`: the desktop app where Electron can run, else the local web shell (one line says why).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { probeElectron, decide, ensureElectronNative, electronVersion, ROOT } = require('./launcher');

const dryRun = process.argv.includes('--dry-run');
if (!fs.existsSync(path.join(ROOT, 'out', 'main', 'cli.js'))) {
  process.stderr.write('twofold: the app is not built; run "npm run build" first\n');
  process.exit(1);
}

let decision = decide(probeElectron());
if (decision.mode === 'electron') {
  const native = dryRun ? { ok: true } : ensureElectronNative(decision.nativeDir, electronVersion());
  if (!native.ok) decision = { mode: 'web', message: `Electron can't run here: ${native.reason}. Opening the local web shell instead.` };
}
if (dryRun) {
  process.stdout.write(JSON.stringify(decision) + '\n');
  process.exit(0);
}

const passthrough = process.argv.slice(2).filter((a) => a !== '--dry-run');
if (decision.mode === 'electron') {
  const child = spawn(decision.binary, [ROOT, ...passthrough], {
    stdio: 'inherit',
    env: { ...process.env, TWOFOLD_ELECTRON_NATIVE: decision.nativeDir },
  });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  process.stdout.write(decision.message + '\n');
  // The same V8 flag the Electron shell sets (SEMI_SPACE_MB, src-main/jobs/protocol.ts): identity rebuilds of large organizations are GC-bound without it.
  const child = spawn(process.execPath, ['--max-semi-space-size=32', path.join(ROOT, 'bin', 'twofold.js'), 'serve', ...passthrough], { stdio: 'inherit' });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}
