import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebShell, type WebShell } from '../../src-main/web/server';
import { tempCore, tempDir } from '../helpers/tempCore';

/** Raw requests, so the Host header can be forged the way a DNS-rebinding page would. */
function request(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

describe('web shell', () => {
  let core: ReturnType<typeof tempCore>;
  let shell: WebShell;
  let rendererDir: string;

  beforeAll(async () => {
    core = tempCore();
    rendererDir = tempDir();
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<html><head></head><body>app</body></html>');
    fs.writeFileSync(path.join(rendererDir, 'app.js'), 'console.log(1)');
    shell = await startWebShell({ backend: core, rendererDir });
  });
  afterAll(async () => {
    await shell.close();
    await core.cleanup();
    fs.rmSync(rendererDir, { recursive: true, force: true });
  });

  const host = () => `127.0.0.1:${shell.port}`;
  const invoke = (headers: Record<string, string>) =>
    request(shell.port, { method: 'POST', path: '/api/invoke/profiles.list', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

  it('listens on 127.0.0.1 only and prints a URL carrying the secret', () => {
    expect(shell.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${shell.port}/\\?t=`));
  });

  it('refuses an API call without the secret (403)', async () => {
    expect((await invoke({ host: host() })).status).toBe(403);
    expect((await invoke({ host: host(), 'x-twofold-secret': 'wrong' })).status).toBe(403);
  });

  it('refuses a request with a foreign Host header even with the secret (403)', async () => {
    const r = await invoke({ host: 'evil.example:80', 'x-twofold-secret': shell.secret });
    expect(r.status).toBe(403);
    const r2 = await request(shell.port, { path: `/?t=${shell.secret}`, headers: { host: `attacker.test:${shell.port}` } });
    expect(r2.status).toBe(403);
  });

  it('refuses a call from another origin', async () => {
    const r = await invoke({ host: host(), origin: 'http://127.0.0.1:9999', 'x-twofold-secret': shell.secret });
    expect(r.status).toBe(403);
  });

  it('does not accept the page cookie as a substitute for the API header', async () => {
    const first = await request(shell.port, { path: `/?t=${shell.secret}`, headers: { host: host() } });
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    const r = await invoke({ host: host(), cookie });
    expect(r.status).toBe(403);
  });

  it('serves the contract with the secret', async () => {
    const r = await invoke({ host: host(), 'x-twofold-secret': shell.secret });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ ok: true, data: [] });
  });

  it('refuses static files without the secret, serves them with it, and swaps it for a cookie scoped to this launch', async () => {
    expect((await request(shell.port, { path: '/', headers: { host: host() } })).status).toBe(403);
    const first = await request(shell.port, { path: `/?t=${shell.secret}`, headers: { host: host() } });
    // The secret leaves the address bar: a redirect to this launch's app path, with its cookie.
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe(shell.appPath);
    expect(shell.appPath).toMatch(/^\/s\/[A-Za-z0-9_-]{20,}\/$/);
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toContain(`Path=${shell.appPath};`);
    expect(setCookie).toMatch(/HttpOnly; SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;
    expect(cookie.startsWith(`${shell.cookieName}=`)).toBe(true);
    // The cookie carries its own value, never the API secret.
    expect(cookie).not.toContain(shell.secret);
    expect((await request(shell.port, { path: shell.appPath, headers: { host: host() } })).status).toBe(403);
    const page = await request(shell.port, { path: shell.appPath, headers: { host: host(), cookie } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const asset = await request(shell.port, { path: `${shell.appPath}app.js`, headers: { host: host(), cookie } });
    expect(asset.status).toBe(200);
    const traversal = await request(shell.port, { path: `${shell.appPath}..%2f..%2f..%2fetc%2fpasswd.txt`, headers: { host: host(), cookie } });
    expect(traversal.status).toBe(403);
    expect(traversal.body).not.toContain('root:');
  });

  it('answers a malformed %-escape with 400, not a 500', async () => {
    for (const p of ['/%E0%A4%A', '/api/invoke/%zz', `/s/%/`]) {
      const r = await request(shell.port, { path: p, headers: { host: host(), 'x-twofold-secret': shell.secret } });
      expect(r.status, p).toBe(400);
      expect(r.body).toMatch(/malformed URL/);
    }
  });

  it("removes a download's clear-text copy once the browser has all of it, and keeps one cut off midway", async () => {
    const dir = path.join(core.dataDir, 'exports');
    fs.mkdirSync(dir, { recursive: true });
    const offer = (id: string, bytes: number) => {
      const file = path.join(dir, `${id}.csv`);
      fs.writeFileSync(file, Buffer.alloc(bytes, 'a'));
      core.downloads.set(id, { file, fileName: 'x.csv', contentType: 'text/csv' });
      return file;
    };
    const whole = offer('d'.repeat(32), 2048);
    const got = await request(shell.port, { path: `/api/download/${'d'.repeat(32)}?t=${shell.secret}`, headers: { host: host() } });
    expect(got.status).toBe(200);
    expect(got.body.length).toBe(2048);
    await expect.poll(() => fs.existsSync(whole)).toBe(false);
    expect((await request(shell.port, { path: `/api/download/${'d'.repeat(32)}?t=${shell.secret}`, headers: { host: host() } })).status).toBe(404);

    // 64 MB, the request dropped after its first chunk: the copy stays for the next try.
    const cut = offer('c'.repeat(32), 64 * 1024 * 1024);
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: shell.port, path: `/api/download/${'c'.repeat(32)}?t=${shell.secret}`, headers: { host: host() } }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (e) => (req.destroyed ? resolve() : reject(e)));
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(fs.existsSync(cut)).toBe(true);
    fs.rmSync(cut);
  });

  it('streams events only with the secret', async () => {
    expect((await request(shell.port, { path: '/api/events', headers: { host: host() } })).status).toBe(403);
  });
});
