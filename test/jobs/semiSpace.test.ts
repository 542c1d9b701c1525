/**
 * Where long jobs run, V8's young generation is the size jobs/protocol.ts gives (SEMI_SPACE_MB):
 * the job worker's limits, and the flag of every process a shell or script starts. The scripts are
 * plain JavaScript and say the number themselves: this keeps them in step.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEMI_SPACE_MB } from '../../src-main/jobs/protocol';

const ROOT = path.resolve(__dirname, '../..');
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');

describe('the young generation where long jobs run', () => {
  it('is the same size in every process the shells and scripts start', () => {
    const flag = `--max-semi-space-size=${SEMI_SPACE_MB}`;
    for (const f of ['scripts/start.js', 'scripts/bench.js', 'package.json']) {
      const flags = read(f).match(/--max-semi-space-size=\d+/g) ?? [];
      expect(flags.length, f).toBeGreaterThan(0);
      for (const x of flags) expect(x, f).toBe(flag);
    }
    // The TypeScript shells take the constant itself.
    for (const f of ['src-main/electron/main.ts', 'bench/responsiveness.bench.test.ts']) {
      expect(read(f), f).toContain('--max-semi-space-size=${SEMI_SPACE_MB}');
      expect(read(f), f).not.toMatch(/--max-semi-space-size=\d/);
    }
    // The job worker: a worker thread's young generation is three semi-spaces.
    expect(read('src-main/jobs/workerRunner.ts')).toContain('maxYoungGenerationSizeMb: 3 * SEMI_SPACE_MB');
  });
});
