#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: runs every benchmark under bench/ (vitest files named *.bench.test.ts, kept out
 * of `npm test`), each printing its numbers and writing bench-results/<name>.json.
 * `npm run bench -- sync` runs the benchmarks whose file name contains "sync".
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const ROOT = path.resolve(__dirname, '..');
const dir = path.join(ROOT, 'bench');
const filter = process.argv[2];
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.bench.test.ts') && (!filter || f.includes(filter))) : [];
if (!files.length) {
  process.stderr.write('no benchmarks found under bench/\n');
  process.exit(1);
}
fs.mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
// A benchmark's stores go with the run (scratchTmp.js): a sync benchmark writes 2-4 GB of them.
const tmp = require('./scratchTmp').scratchTmp('bench-run');
let failed = 0;
for (const f of files) {
  process.stdout.write(`\n[bench] ${f}\n`);
  const r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'vitest'), ['run', '-c', 'vitest.bench.config.mts', path.join('bench', f)], {
    cwd: ROOT,
    stdio: 'inherit',
    // --max-semi-space-size=32: what the shells and the job worker run with (SEMI_SPACE_MB, src-main/jobs/protocol.ts).
    env: { ...process.env, ...tmp.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS || ''} --expose-gc --max-semi-space-size=32`.trim() },
  });
  if (r.status !== 0) failed++;
}
tmp.remove();
process.exit(failed ? 1 : 0);
