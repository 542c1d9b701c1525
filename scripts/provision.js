#!/usr/bin/env node
'use strict';
/**
 * Provisions the system packages Twofold needs, from one list, for the README's commands:
 * `npm install` asks for the `app` group (what running the app needs), `npm test` and `.ci/run`
 * for `app` and `test` (what the tests drive). Usage: node scripts/provision.js app [test]
 *
 * The decision (`plan`) is separate from doing it, so it is testable without touching the
 * machine's packages. Rules: only a Debian-like Linux with apt is provisioned; only packages that
 * are missing are installed; only root installs. Anywhere else where something is missing, one
 * line names the packages and the exact command, and the exit code is non-zero.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');

/** One list, one place. `why` is what the README and the refusal line say. */
const PACKAGES = {
  app: [{ name: 'libsecret-1-dev', why: 'the OS keychain library keytar builds against' }],
  test: [
    { name: 'chromium', why: 'the browser the end-to-end tests drive' },
    { name: 'gnome-keyring', why: 'a real Secret Service for the keychain tests' },
    { name: 'dbus', why: 'the private session bus the keyring runs in' },
    { name: 'dbus-x11', why: 'dbus-launch, which gnome-keyring uses to find that bus' },
  ],
};

function packagesFor(groups) {
  const names = [];
  for (const g of groups) {
    if (!PACKAGES[g]) throw new Error(`unknown package group "${g}" (known: ${Object.keys(PACKAGES).join(', ')})`);
    for (const p of PACKAGES[g]) if (!names.includes(p.name)) names.push(p.name);
  }
  return names;
}

/** ID and ID_LIKE from /etc/os-release say whether apt and Debian's package names apply. */
function isDebianLike(osRelease) {
  if (!osRelease) return false;
  const field = (k) => (osRelease.match(new RegExp(`^${k}="?([^"\\n]*)"?$`, 'm')) || [])[1] || '';
  return [field('ID'), ...field('ID_LIKE').split(/\s+/)].some((id) => id === 'debian' || id === 'ubuntu');
}

/**
 * @param {{ groups: string[], platform: string, osRelease: string|null, isRoot: boolean,
 *           hasApt: boolean, installed: (names: string[]) => Set<string> }} m
 * @returns {{ action: 'none'|'install'|'refuse'|'skip', packages: string[], message?: string }}
 */
function plan(m) {
  const wanted = packagesFor(m.groups);
  if (m.platform !== 'linux') {
    // keytar uses the system keychain on macOS and Windows; nothing to build against.
    return { action: 'skip', packages: [], message: `no system packages are provisioned on ${m.platform}` };
  }
  if (!isDebianLike(m.osRelease) || !m.hasApt) {
    return { action: 'skip', packages: [], message: 'not a Debian-like system with apt: install the equivalents of ' + wanted.join(', ') + ' with your package manager if a step fails' };
  }
  const have = m.installed(wanted);
  const missing = wanted.filter((n) => !have.has(n));
  if (!missing.length) return { action: 'none', packages: [] };
  if (m.isRoot) return { action: 'install', packages: missing };
  return {
    action: 'refuse',
    packages: missing,
    message: `twofold: missing system packages ${missing.join(', ')}; install them with: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`,
  };
}

/** Which of `names` dpkg reports as installed ("ii"). Unknown packages make dpkg-query exit 1; the rest still print. */
function dpkgInstalled(names) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev}\\n', ...names], { encoding: 'utf8' });
  const have = new Set();
  for (const line of (r.stdout || '').split('\n')) {
    const [name, status] = line.trim().split(/\s+/);
    if (name && status && status.startsWith('ii')) have.add(name.split(':')[0]);
  }
  return have;
}

function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function readOsRelease() {
  try {
    return fs.readFileSync('/etc/os-release', 'utf8');
  } catch {
    return null;
  }
}

function machine(groups) {
  return {
    groups,
    platform: process.platform,
    osRelease: readOsRelease(),
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    hasApt: hasCommand('apt-get') && hasCommand('dpkg-query'),
    installed: dpkgInstalled,
  };
}

function run(cmd, args) {
  const started = Date.now();
  // apt's progress goes to stdout and would bury the one line that matters; errors stay on stderr.
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    process.stderr.write(`twofold: "${cmd} ${args.join(' ')}" failed (exit ${r.status ?? r.signal}); run it by hand to see why\n`);
    process.exit(1);
  }
  return Date.now() - started;
}

function main(argv) {
  const groups = argv.length ? argv : ['app'];
  let p;
  try {
    p = plan(machine(groups));
  } catch (e) {
    process.stderr.write(`twofold: ${e.message}\n`);
    return 2;
  }
  if (p.action === 'none') return 0;
  if (p.action === 'skip') {
    if (process.env.TWOFOLD_PROVISION_VERBOSE) process.stderr.write(`provision: ${p.message}\n`);
    return 0;
  }
  if (p.action === 'refuse') {
    process.stderr.write(p.message + '\n');
    return 1;
  }
  const why = p.packages.map((n) => `${n} (${Object.values(PACKAGES).flat().find((x) => x.name === n).why})`).join(', ');
  process.stderr.write(`twofold: installing missing system packages: ${why}\n`);
  // A fresh machine's package lists may be empty or stale; one update before one install.
  const t1 = run('apt-get', ['update', '-qq']);
  const t2 = run('apt-get', ['install', '-y', '-qq', ...p.packages]);
  process.stderr.write(`twofold: installed ${p.packages.join(', ')} in ${Math.round((t1 + t2) / 1000)} s\n`);
  return 0;
}

module.exports = { PACKAGES, packagesFor, isDebianLike, plan, dpkgInstalled, main };

if (require.main === module) process.exit(main(process.argv.slice(2)));
