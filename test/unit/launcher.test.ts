import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const launcher = require('../../scripts/launcher.js');
const ROOT = path.resolve(__dirname, '..', '..');

describe('npm start launcher', () => {
  it('falls back to the web shell with a one-line reason when the Electron binary cannot be had', () => {
    const d = launcher.decide({ ok: false, reason: 'the Electron binary could not be downloaded (no network access to its host)' });
    expect(d.mode).toBe('web');
    expect(d.message.split('\n')).toHaveLength(1);
    expect(d.message).toMatch(/web shell/);
  });

  it('chooses Electron, with an Electron-ABI native folder per version, when the binary is there', () => {
    const d = launcher.decide({ ok: true, binary: '/opt/electron/electron' });
    expect(d).toMatchObject({ mode: 'electron', binary: '/opt/electron/electron' });
    expect(d.nativeDir).toContain(path.join('.electron-native', launcher.electronVersion()));
  });

  it('on this machine (no Electron binary) really decides for the web shell', () => {
    const hasBinary = fs.existsSync(path.join(ROOT, 'node_modules', 'electron', 'path.txt'));
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'start.js'), '--dry-run'], {
      encoding: 'utf8',
      env: { ...process.env, TWOFOLD_ELECTRON_PROBE_MS: '60000' },
    });
    expect(r.status).toBe(0);
    const decision = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    if (hasBinary) expect(decision.mode).toBe('electron');
    else {
      expect(decision.mode).toBe('web');
      expect(decision.message).toMatch(/^Electron can't run here: .+\. Opening the local web shell instead\.$/);
    }
  });
});

describe('native addons for Electron', () => {
  it('rebuilds the addons the main process loads, and points it at the cipher build of SQLite', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    // The store's SQLite is better-sqlite3-multiple-ciphers, built from source (allowScripts), not better-sqlite3.
    expect(pkg.dependencies['better-sqlite3-multiple-ciphers']).toBeTruthy();
    expect(pkg.dependencies['better-sqlite3']).toBeUndefined();
    expect(pkg.allowScripts['better-sqlite3-multiple-ciphers']).toBe(true);
    expect(pkg.allowScripts.keytar).toBe(false);
    expect(launcher.NATIVE_MODULES).toEqual(['better-sqlite3-multiple-ciphers', 'keytar']);
    // What the rebuilt folder holds must include what each addon requires at run time.
    for (const mod of launcher.NATIVE_MODULES) {
      const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', mod, 'package.json'), 'utf8')).dependencies ?? {}).filter((d) => d !== 'prebuild-install');
      for (const d of deps) expect([...launcher.NATIVE_MODULES, ...launcher.NATIVE_SUPPORT], `${mod} needs ${d}`).toContain(d);
    }
    // The main process's path into that folder names the file the Node build has at the same place.
    const { nativePaths } = await import('../../src-main/electron/nativePaths');
    const p = nativePaths(ROOT);
    expect(fs.existsSync(p.sqlite!)).toBe(true);
    expect(fs.existsSync(path.join(p.keytar!, 'package.json'))).toBe(true);
  });
});
