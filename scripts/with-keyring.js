#!/usr/bin/env node
'use strict';
/**
 * Runs a command inside a private D-Bus session with a fresh, unlocked gnome-keyring, so the
 * keychain tests talk to a real Secret Service (never a mock) without touching the user's own
 * keyring. Usage: node scripts/with-keyring.js <command> [args…]
 * Where dbus-run-session or gnome-keyring is missing, it says so and runs the command as is;
 * the keychain tests then fail loudly if TWOFOLD_REQUIRE_KEYCHAIN is set (CI sets it).
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const args = process.argv.slice(2);
if (!args.length) {
  process.stderr.write('usage: with-keyring <command> [args…]\n');
  process.exit(2);
}
const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

if (process.env.DBUS_SESSION_BUS_ADDRESS && process.env.TWOFOLD_KEYRING_READY) {
  const r = spawnSync(args[0], args.slice(1), { stdio: 'inherit', shell: false });
  process.exit(r.status ?? 1);
}
if (!have('dbus-run-session') || !have('gnome-keyring-daemon')) {
  process.stderr.write('with-keyring: dbus-run-session or gnome-keyring-daemon is not installed; running without a keychain\n');
  const r = spawnSync(args[0], args.slice(1), { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const xdg = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-keyring-'));
const inner = `echo -n twofold-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec ${args.map(quote).join(' ')}`;
const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', inner], {
  stdio: 'inherit',
  env: { ...process.env, XDG_DATA_HOME: xdg, TWOFOLD_KEYRING_READY: '1' },
});
fs.rmSync(xdg, { recursive: true, force: true });
process.exit(r.status ?? 1);
