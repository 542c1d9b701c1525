/**
 * The web shell's page cookie stays with its own launch. Browsers send cookies to every port of
 * 127.0.0.1, so a cookie with Path=/ would reach any other local server the steward's browser
 * visits (a dev server, another app). Here real Chromium opens Twofold, then visits another
 * local server on the usual paths; that server must never receive Twofold's cookie.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startApp, type RunningApp } from './harness';

let app: RunningApp;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let foreign: http.Server;
let foreignUrl = '';
const seen: { path: string; cookie: string }[] = [];

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  foreign = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', cookie: String(req.headers.cookie ?? '') });
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body>another local server<img src="/s/x/pixel.png"></body></html>');
  });
  await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', r));
  foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await new Promise((r) => foreign.close(r));
});

describe('the web shell cookie', () => {
  it('reaches no other local server, on any path it is likely to see', async () => {
    const { page, context } = browser;
    await page.goto(app.url);
    await page.getByRole('heading').first().waitFor();
    // The secret left the address bar; the page lives under this launch's own path.
    expect(page.url()).toMatch(/\/s\/[A-Za-z0-9_-]{20,}\/$/);
    expect(page.url()).not.toContain('?t=');
    const cookies = await context.cookies();
    const ours = cookies.find((c) => c.name.startsWith('twofold_'));
    expect(ours).toBeDefined();
    expect(ours!.path).toBe(new URL(page.url()).pathname);
    expect(ours!.httpOnly).toBe(true);

    for (const p of ['/', '/index.html', '/s/', '/s/another-launch/', '/api/invoke/x', '/assets/app.js']) {
      await page.goto(foreignUrl + p);
    }
    await page.reload();
    expect(seen.length).toBeGreaterThanOrEqual(6);
    for (const s of seen) {
      expect(s.cookie, s.path).not.toContain(ours!.name);
      expect(s.cookie, s.path).not.toContain(ours!.value);
    }

    // Back in Twofold, a reload still works: the cookie does its job on its own path.
    await page.goto(app.url.replace(/\/\?t=.*$/, new URL(ours!.path, app.url).pathname));
    await page.getByRole('heading').first().waitFor();
  });
});
