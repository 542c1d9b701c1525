import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const provision = require('../../scripts/provision.js');
const ROOT = path.resolve(__dirname, '..', '..');
const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n';
const UBUNTU = 'ID=ubuntu\nID_LIKE=debian\n';
const FEDORA = 'ID=fedora\n';

const machine = (over: Record<string, unknown>) => ({
  groups: ['app'],
  platform: 'linux',
  osRelease: DEBIAN,
  isRoot: true,
  hasApt: true,
  installed: () => new Set<string>(),
  ...over,
});

describe('system package provisioning decides', () => {
  it('to install exactly the missing packages of the asked groups when root on Debian', () => {
    const p = provision.plan(machine({ groups: ['app', 'test'], installed: () => new Set(['dbus', 'chromium']) }));
    expect(p).toEqual({ action: 'install', packages: ['libsecret-1-dev', 'gnome-keyring', 'dbus-x11'] });
  });

  it('that the app install needs only the app group: no browser, no keyring daemon', () => {
    expect(provision.packagesFor(['app'])).toEqual(['libsecret-1-dev']);
    expect(provision.packagesFor(['test'])).toEqual(expect.arrayContaining(['chromium', 'gnome-keyring', 'dbus-x11']));
    expect(provision.packagesFor(['test'])).not.toContain('libsecret-1-dev');
  });

  it('to refuse with one line naming the packages and the exact command when not root', () => {
    const p = provision.plan(machine({ isRoot: false, groups: ['test'], installed: () => new Set(['dbus']) }));
    expect(p.action).toBe('refuse');
    expect(p.message.split('\n')).toHaveLength(1);
    expect(p.message).toBe(
      'twofold: missing system packages chromium, gnome-keyring, dbus-x11; install them with: sudo apt-get update && sudo apt-get install -y chromium gnome-keyring dbus-x11',
    );
  });

  it('to do nothing when everything is there', () => {
    const all = new Set(provision.packagesFor(['app', 'test']));
    expect(provision.plan(machine({ groups: ['app', 'test'], installed: () => all }))).toEqual({ action: 'none', packages: [] });
  });

  it('never to use apt off Debian-like systems or without apt', () => {
    for (const m of [machine({ osRelease: FEDORA }), machine({ hasApt: false }), machine({ osRelease: null }), machine({ platform: 'darwin' })]) {
      expect(provision.plan(m).action).toBe('skip');
    }
    expect(provision.isDebianLike(UBUNTU)).toBe(true);
  });

  it('that an unknown group is an error', () => {
    expect(() => provision.plan(machine({ groups: ['nope'] }))).toThrow(/unknown package group/);
  });
});

/**
 * The script as a process, with `dpkg-query` and `apt-get` replaced by recorders on PATH: it
 * reads what dpkg says and calls apt only for what is missing. The machine's packages are untouched.
 */
describe('scripts/provision.js as a process', () => {
  function fakeBin(installed: string[]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-provision-'));
    const log = path.join(dir, 'calls.log');
    fs.writeFileSync(
      path.join(dir, 'dpkg-query'),
      `#!/bin/sh\nfor a in "$@"; do case "$a" in -*) ;; *) case " ${installed.join(' ')} " in *" $a "*) echo "$a ii ";; esac;; esac; done\n`,
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(dir, 'apt-get'), `#!/bin/sh\necho "apt-get $*" >> ${log}\n`, { mode: 0o755 });
    return { dir, log, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []) };
  }
  const run = (dir: string, args: string[], asNobody = false) => {
    const cmd = asNobody ? 'setpriv' : process.execPath;
    const argv = asNobody ? ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...args] : args;
    return spawnSync(cmd, argv, { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
  };
  const script = path.join(ROOT, 'scripts', 'provision.js');
  const debian = fs.existsSync('/etc/os-release') && provision.isDebianLike(fs.readFileSync('/etc/os-release', 'utf8'));
  const root = process.getuid?.() === 0;

  it.runIf(debian && root)('as root installs only what is missing, after one apt-get update', () => {
    const f = fakeBin(['dbus', 'chromium']);
    const r = run(f.dir, [script, 'app', 'test']);
    expect(r.status).toBe(0);
    expect(f.calls()).toEqual(['apt-get update -qq', 'apt-get install -y -qq libsecret-1-dev gnome-keyring dbus-x11']);
    expect(r.stderr).toMatch(/installing missing system packages: libsecret-1-dev \(the OS keychain library/);
  });

  it.runIf(debian && root)('with everything present calls no apt and prints nothing', () => {
    const f = fakeBin(provision.packagesFor(['app', 'test']));
    const r = run(f.dir, [script, 'app', 'test']);
    expect(r.status).toBe(0);
    expect(f.calls()).toEqual([]);
    expect(r.stderr).toBe('');
  });

  it.runIf(debian && root && fs.existsSync('/usr/bin/setpriv'))('as an ordinary user stops at once with one line and a non-zero exit', () => {
    const f = fakeBin(['dbus']);
    fs.chmodSync(f.dir, 0o755);
    const r = run(f.dir, [script, 'test'], true);
    expect(r.status).toBe(1);
    expect(f.calls()).toEqual([]);
    expect(r.stderr.trim().split('\n')).toEqual([
      'twofold: missing system packages chromium, gnome-keyring, dbus-x11; install them with: sudo apt-get update && sudo apt-get install -y chromium gnome-keyring dbus-x11',
    ]);
  });
});
