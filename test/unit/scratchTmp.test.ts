import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'scratchTmp.js');

/**
 * A stand-in for `npm test` / `npm run bench`: takes a run folder, runs a step with its env (the
 * step writes a file through os.tmpdir() and links a folder that must survive), then does `end`.
 */
function runner(end: string, outside: string): string {
  return `
    const { spawnSync } = require('node:child_process');
    const tmp = require(${JSON.stringify(SCRIPT)}).scratchTmp('probe');
    spawnSync(process.execPath, ['-e', \`
      const fs = require('node:fs'), os = require('node:os'), path = require('node:path');
      const d = fs.mkdtempSync(path.join(os.tmpdir(), 'left-behind-'));
      fs.writeFileSync(path.join(d, 'store.sqlite'), 'x');
      fs.symlinkSync(${JSON.stringify(outside)}, path.join(d, 'node_modules'));
    \`], { env: { ...process.env, ...tmp.env } });
    console.log(tmp.dir);
    ${end}
  `;
}

function outsideFolder(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-scratch-outside-'));
  fs.writeFileSync(path.join(d, 'keep.txt'), 'kept');
  return d;
}

describe("a run's temporary folder", () => {
  it('holds what its steps write to the temporary folder, and goes when the run ends', () => {
    const outside = outsideFolder();
    const r = spawnSync(process.execPath, ['-e', runner(`const fs = require('node:fs'); console.log(fs.readdirSync(tmp.dir).join(',')); console.log((fs.statSync(tmp.dir).mode & 0o777).toString(8)); tmp.remove();`, outside)], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const [dir, inside, mode] = r.stdout.trim().split('\n');
    expect(path.dirname(dir!)).toBe(os.tmpdir());
    expect(inside).toMatch(/^left-behind-/);
    // Searchable as /tmp is, so a step can run a program from it as another user.
    expect(mode).toBe('755');
    expect(fs.existsSync(dir!)).toBe(false);
    // A link inside is removed, never what it points to (the bundles link node_modules).
    expect(fs.readFileSync(path.join(outside, 'keep.txt'), 'utf8')).toBe('kept');
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('goes also when the run exits without removing it', () => {
    const outside = outsideFolder();
    const r = spawnSync(process.execPath, ['-e', runner('process.exit(3);', outside)], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(fs.existsSync(r.stdout.trim())).toBe(false);
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('goes when the run is interrupted, and the run says it was (exit 130)', async () => {
    const outside = outsideFolder();
    const child = spawn(process.execPath, ['-e', runner('setInterval(() => {}, 1000);', outside)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const dir = await new Promise<string>((resolve) =>
      child.stdout.on('data', (c) => {
        out += String(c);
        if (out.includes('\n')) resolve(out.trim());
      }),
    );
    expect(fs.existsSync(dir)).toBe(true);
    const code = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    child.kill('SIGINT');
    expect(await code).toBe(130);
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.existsSync(path.join(outside, 'keep.txt'))).toBe(true);
    fs.rmSync(outside, { recursive: true, force: true });
  });
});
