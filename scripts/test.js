#!/usr/bin/env node
'use strict';
/**
 * `npm test`: build, typecheck (all three tsconfigs), lint (oxlint: the import boundaries of
 * .oxlintrc.json and its correctness rules), unit + integration tests (inside a private
 * D-Bus session with an unlocked gnome-keyring, for the keychain tests), then the end-to-end
 * tests in Chromium against the web shell. Ends with the plain line "N passed, N failed, N skipped"
 * summed over every suite (CI reads that line). Exit code is non-zero if anything failed.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

// The tests drive Chromium and a real Secret Service: provision them (and the app's own packages) first.
const provisioned = require('./provision').main(['app', 'test']);
if (provisioned !== 0) process.exit(provisioned);
// Everything the steps write to the temporary folder goes with the run (scratchTmp.js says why).
const tmp = require('./scratchTmp').scratchTmp('test-run');
const RESULTS = path.join(ROOT, '.ci-results');
fs.rmSync(RESULTS, { recursive: true, force: true });
fs.mkdirSync(RESULTS, { recursive: true });
const only = process.argv.slice(2); // e.g. `npm test -- unit` runs one step

const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);
let failedSteps = 0;
const counts = { passed: 0, failed: 0, skipped: 0 };

function step(name, cmd, args, env = {}) {
  if (only.length && !only.includes(name)) return true;
  const started = Date.now();
  process.stdout.write(`\n[test] ${name}: ${[cmd, ...args].map((a) => path.relative(ROOT, a) || a).join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...tmp.env, ...env } });
  process.stdout.write(`[test] ${name} ${r.status === 0 ? 'ok' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)}s\n`);
  if (r.status !== 0) failedSteps++;
  return r.status === 0;
}

function addVitest(file) {
  if (!fs.existsSync(file)) return false;
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  counts.passed += j.numPassedTests;
  counts.failed += j.numFailedTests;
  counts.skipped += j.numPendingTests + (j.numTodoTests || 0);
  return true;
}

step('build', process.execPath, [path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']);
if (!step('typecheck', bin('tsc'), ['-b', '--noEmit'])) counts.failed++;
// The fixtures under test/fixtures/lint break the rules on purpose (test/unit/lint.test.ts lints them).
if (!step('lint', bin('oxlint'), ['-c', '.oxlintrc.json', '--ignore-pattern', 'test/fixtures/lint/**', 'src-main', 'src-renderer', 'src-shared', 'test', 'bench', 'scripts'])) counts.failed++;

const unitJson = path.join(RESULTS, 'unit.json');
const unitOk = step('unit', process.execPath, [path.join(ROOT, 'scripts', 'with-keyring.js'), bin('vitest'), 'run', '--reporter=default', '--reporter=json', `--outputFile=${unitJson}`], {
  TWOFOLD_REQUIRE_KEYCHAIN: process.env.CI ? '1' : process.env.TWOFOLD_REQUIRE_KEYCHAIN || '',
});
if (!addVitest(unitJson) && (!only.length || only.includes('unit')) && !unitOk) counts.failed++;

const e2eJson = path.join(RESULTS, 'e2e.json');
// The app under test stores sandbox tokens in the keychain like any others, so e2e runs in a keyring too.
const e2eOk = step('e2e', process.execPath, [path.join(ROOT, 'scripts', 'with-keyring.js'), bin('vitest'), 'run', '-c', 'vitest.e2e.config.mts', '--reporter=default', '--reporter=json', `--outputFile=${e2eJson}`]);
if (!addVitest(e2eJson) && (!only.length || only.includes('e2e')) && !e2eOk) counts.failed++;

tmp.remove();
process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
process.exit(failedSteps || counts.failed ? 1 : 0);
