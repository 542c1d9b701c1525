'use strict';
/**
 * Decides how `npm start` runs Twofold on this machine, separately from doing it, so the
 * decision is testable with the Electron binary absent.
 *
 * The Electron binary is fetched when `npm start` first needs it, not by `npm install`
 * (allowScripts turns electron's install script off: offline it would fail the whole install).
 * We probe `require('electron')` in a child process and read the path it gives; when the binary
 * is missing we run electron's own installer once (a download on a connected machine; a fast
 * failure offline) and probe again. Native addons must match the runtime that loads them: the tests and the CLI load
 * Node-ABI builds from node_modules; for Electron, @electron/rebuild builds Electron-ABI copies
 * into .electron-native/<electron version>/ once, and the main process loads those
 * (better-sqlite3-multiple-ciphers through its nativeBinding option, keytar by path). One
 * install serves both.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

function requireElectron(env) {
  return spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: ROOT,
    env: { ...env, ELECTRON_RUN_AS_NODE: '' },
    encoding: 'utf8',
    timeout: Number(env.TWOFOLD_ELECTRON_PROBE_MS || 180000),
  });
}

function probeElectron(env = process.env) {
  if (env.TWOFOLD_FORCE_WEB === '1') return { ok: false, reason: 'TWOFOLD_FORCE_WEB=1 asks for the web shell' };
  let r = requireElectron(env);
  let installed = null;
  if (r.status !== 0 && /failed to install correctly/.test(r.stderr || '')) {
    const installer = path.join(ROOT, 'node_modules', 'electron', 'install.js');
    if (fs.existsSync(installer)) {
      installed = spawnSync(process.execPath, [installer], { cwd: path.dirname(installer), env, encoding: 'utf8', timeout: Number(env.TWOFOLD_ELECTRON_PROBE_MS || 180000) });
      r = requireElectron(env);
    }
  }
  const bin = (r.stdout || '').trim();
  if (r.status === 0 && bin && fs.existsSync(bin)) return { ok: true, binary: bin };
  const text = `${r.stderr || ''}${r.error ? r.error.message : ''}${installed ? `${installed.stderr || ''}${installed.error ? installed.error.message : ''}` : ''}`;
  let reason = 'the Electron binary is not installed and could not be downloaded';
  if (/fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|getaddrinfo/i.test(text)) reason = 'the Electron binary could not be downloaded (no network access to its host)';
  else if (/Cannot find module 'electron'/.test(text)) reason = 'the electron package is not installed';
  else if (r.error && r.error.code === 'ETIMEDOUT') reason = 'downloading the Electron binary timed out';
  return { ok: false, reason };
}

function electronVersion() {
  try {
    return require(path.join(ROOT, 'node_modules', 'electron', 'package.json')).version;
  } catch {
    return null;
  }
}

function nativeDir(version) {
  return path.join(ROOT, '.electron-native', String(version));
}

function decide(probe) {
  if (!probe.ok) {
    return { mode: 'web', message: `Electron can't run here: ${probe.reason}. Opening the local web shell instead.` };
  }
  return { mode: 'electron', binary: probe.binary, nativeDir: nativeDir(electronVersion()) };
}

/** The native addons the main process loads, and what their builds need beside them. */
const NATIVE_MODULES = ['better-sqlite3-multiple-ciphers', 'keytar'];
const NATIVE_SUPPORT = ['bindings', 'file-uri-to-path', 'node-addon-api'];

/**
 * Builds the Electron-ABI copies of the native addons once per Electron version.
 * better-sqlite3-multiple-ciphers builds SQLite3MultipleCiphers from its bundled sources, as
 * `npm install` does for Node (no prebuilt download).
 */
function ensureElectronNative(dir, version) {
  const marker = path.join(dir, '.built');
  if (fs.existsSync(marker)) return { ok: true };
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  for (const mod of [...NATIVE_MODULES, ...NATIVE_SUPPORT]) {
    const src = path.join(ROOT, 'node_modules', mod);
    // The Node-ABI build output is not copied: @electron/rebuild builds each addon afresh.
    if (fs.existsSync(src)) fs.cpSync(src, path.join(dir, 'node_modules', mod), { recursive: true, filter: (f) => !f.includes(`${path.sep}build${path.sep}`) });
  }
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'twofold-electron-native', private: true, dependencies: Object.fromEntries(NATIVE_MODULES.map((m) => [m, '*'])) }));
  const r = spawnSync(process.execPath, [require.resolve('@electron/rebuild/lib/cli.js', { paths: [ROOT] }), '--version', version, '--module-dir', dir, '--only', NATIVE_MODULES.join(','), '--force', '--build-from-source'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) return { ok: false, reason: 'building the native modules for Electron failed (see above)' };
  fs.writeFileSync(marker, new Date().toISOString());
  return { ok: true };
}

module.exports = { probeElectron, decide, ensureElectronNative, electronVersion, nativeDir, ROOT, NATIVE_MODULES, NATIVE_SUPPORT };
