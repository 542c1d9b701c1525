/**
 * The lint `npm test` runs (oxlint, .oxlintrc.json) keeps the architecture's import boundaries:
 * fixtures that break each rule must fail it, and one that keeps to the contract must pass.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = 'test/fixtures/lint';

function lint(file: string) {
  const r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'oxlint'), ['-c', '.oxlintrc.json', path.join(FIXTURES, file)], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('import boundaries', () => {
  it('a renderer file that imports from src-main fails the lint', () => {
    const r = lint('src-renderer/importsMain.ts');
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('no-restricted-imports');
    expect(r.out).toContain('src-main/core/app');
  });

  it('a renderer file that imports only src-shared passes', () => {
    const r = lint('src-renderer/importsShared.ts');
    expect(r.out).not.toContain('no-restricted-imports');
    expect(r.status).toBe(0);
  });

  it('the preload may import electron and src-shared only', () => {
    const r = lint('src-main/electron/preload.ts');
    expect(r.status).not.toBe(0);
    expect(r.out).toContain("'node:fs' import is restricted");
  });

  it('a domain module may import neither a shell nor the composition root', () => {
    const r = lint('src-main/identity/importsShell.ts');
    expect(r.status).not.toBe(0);
    expect(r.out).toContain("'../web/server' import is restricted");
    expect(r.out).toContain("'../core/app' import is restricted");
  });

  it('a connector may not reach the store', () => {
    const r = lint('src-main/connectors/importsStore.ts');
    expect(r.status).not.toBe(0);
    expect(r.out).toContain("'../store/db' import is restricted");
  });
});
