/**
 * Threads and processes are started from bundles found beside the code that starts them
 * (`path.join(__dirname, 'x.js')`): each such name must be an entry of the app's build, and of
 * the bundles the tests build the same way, or the packaged app would look for a file that is not there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../electron.vite.config';

const ROOT = path.resolve(__dirname, '../..');
const besideItself = (file: string) => [...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(/path\.join\(__dirname, '([A-Za-z]+)\.js'\)/g)].map((m) => m[1]);

describe('bundle entries', () => {
  it('every bundle the job process and its worker start beside themselves is an entry of the app build and of the test bundles', () => {
    const wanted = [...besideItself('src-main/jobs/jobHost.ts'), ...besideItself('src-main/jobs/worker.ts')];
    expect(wanted).toEqual(expect.arrayContaining(['jobWorker', 'personHelper', 'mirrorReader']));
    const main = (config as { main: { build: { lib: { entry: Record<string, string> } } } }).main.build.lib.entry;
    const testBundles = fs.readFileSync(path.join(ROOT, 'test/helpers/bundles.ts'), 'utf8');
    for (const name of wanted) {
      expect(Object.keys(main)).toContain(name);
      expect(fs.existsSync(main[name])).toBe(true);
      expect(testBundles).toContain(`${name}: path.join(ROOT, '${path.relative(ROOT, main[name])}')`);
    }
  });
});
