#!/usr/bin/env node
'use strict';
/**
 * `npm install` / `npm ci` end here (npm runs the root `prepare` after every dependency is in
 * place). Three steps:
 * 1. The app's system packages (scripts/provision.js, group `app`): keytar builds against
 *    libsecret. npm would run keytar's own install script before anything of ours could run
 *    (a root `preinstall` runs after the dependencies are built), so `allowScripts` turns that
 *    script off and step 2 builds keytar once its library is there.
 * 2. keytar's native module, built from source with the node-gyp npm ships (its prebuilt
 *    download needs the internet, which a machine of ours may not have).
 * 3. The app itself, so `npx twofold …` and `npm start` work right after.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const provision = require('./provision');

const root = path.resolve(__dirname, '..');

function fail(message) {
  process.stderr.write(`twofold: ${message}\n`);
  process.exit(1);
}

const provisioned = provision.main(['app']);
if (provisioned !== 0) process.exit(provisioned);

function nodeGyp() {
  // npm sets npm_config_node_gyp for lifecycle scripts; elsewhere use the node-gyp beside npm.
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter(Boolean);
  return candidates.find((p) => fs.existsSync(p));
}

const keytarDir = path.join(root, 'node_modules', 'keytar');
const keytarBinary = path.join(keytarDir, 'build', 'Release', 'keytar.node');
if (fs.existsSync(keytarDir) && !fs.existsSync(keytarBinary)) {
  const gyp = nodeGyp();
  if (!gyp) fail('cannot build keytar: node-gyp was not found beside npm');
  process.stderr.write('twofold: building keytar (the OS keychain module) from source\n');
  const r = spawnSync(process.execPath, [gyp, 'rebuild', '--loglevel=error'], { cwd: keytarDir, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) fail('building keytar failed (see above); it needs g++, make, python3 and libsecret-1-dev');
}

const bin = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
const r = spawnSync(process.execPath, [bin, 'build'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
