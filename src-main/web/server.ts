/**
 * The local web shell: the built renderer and the typed contract over HTTP, on 127.0.0.1 only.
 *
 * Rules (this is how the app runs where Electron can't, so it must be as closed as the desktop):
 * - binds to 127.0.0.1, never 0.0.0.0;
 * - the Host header must name this server (127.0.0.1:PORT or localhost:PORT), which defeats
 *   DNS rebinding; a request with an Origin must come from that same origin;
 * - every request carries the random per-launch secret: the page gets it from the URL once, and
 *   is then redirected to a per-launch app path (/s/<random>/) with a cookie whose name is
 *   random per launch and whose Path is that app path. Browsers send cookies to every port of
 *   127.0.0.1, but only for paths under the cookie's Path, which no other local server's pages
 *   use, so the cookie never reaches another local server (checked in Chromium by
 *   test/e2e/webShellCookie.e2e.test.ts). API calls send the secret in a header (a custom header
 *   forces a CORS preflight we never answer, so no other local page can call in), the event
 *   stream and downloads take it as a query parameter (EventSource cannot set headers);
 * - replies are envelopes from the same dispatcher the Electron shell uses;
 * - the core does not run on this thread: `twofold serve` gives a backend in a worker thread
 *   (backend/thread.ts), so a long call never stalls the server or the event stream.
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Backend } from '../core/app';
import { log } from '../core/log';
import { contentSecurityPolicy } from '../electron/csp';

export interface WebShellOptions {
  /** The core, in a worker thread (`twofold serve`) or in this one (tests of the server itself). */
  backend: Backend;
  rendererDir: string;
  port?: number;
  /** Fixed secret for tests; random per launch otherwise. */
  secret?: string;
}

export interface WebShell {
  url: string;
  origin: string;
  port: number;
  secret: string;
  /** Where the page lives for this launch ("/s/<random>/"); its cookie is scoped to it. */
  appPath: string;
  /** The page cookie's per-launch name. */
  cookieName: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

const MAX_BODY = 8 * 1024 * 1024;

export function secretsEqual(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startWebShell(opts: WebShellOptions): Promise<WebShell> {
  const secret = opts.secret ?? crypto.randomBytes(24).toString('base64url');
  const indexFile = path.join(opts.rendererDir, 'index.html');
  if (!fs.existsSync(indexFile)) {
    throw new Error(`the renderer is not built (${indexFile} is missing): run "npm run build" first`);
  }
  let port = 0;
  const launchId = crypto.randomBytes(16).toString('base64url');
  const appPath = `/s/${launchId}/`;
  const cookieName = `twofold_${crypto.randomBytes(6).toString('hex')}`;
  // The cookie holds its own random value, not the API secret: it opens the page, nothing else.
  const pageKey = crypto.randomBytes(24).toString('base64url');
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const sseClients = new Set<http.ServerResponse>();

  const server = http.createServer(async (req, res) => {
    const deny = (status: number, message: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(message);
    };
    try {
      const host = req.headers.host ?? '';
      if (!allowedHosts().has(host)) return deny(403, 'forbidden host');
      const origin = req.headers.origin;
      if (origin && origin !== `http://${host}`) return deny(403, 'forbidden origin');

      const url = new URL(req.url ?? '/', `http://${host}`);
      // One decoder for every path: a malformed %-escape is the client's error (400), not ours.
      let pathname: string;
      try {
        pathname = decodeURIComponent(url.pathname);
      } catch {
        return deny(400, 'malformed URL (a %-escape is not valid)');
      }
      const cookies = parseCookies(req.headers.cookie);
      const querySecret = url.searchParams.get('t');
      const headerSecret = req.headers['x-twofold-secret'] as string | undefined;

      if (url.pathname.startsWith('/api/invoke/')) {
        if (req.method !== 'POST') return deny(405, 'method not allowed');
        // Header only: a cookie would ride along on a cross-site form post.
        if (!secretsEqual(headerSecret, secret)) return deny(403, 'missing or wrong secret');
        const channel = pathname.slice('/api/invoke/'.length);
        let input: unknown = {};
        const body = await readBody(req);
        if (body) {
          try {
            input = JSON.parse(body);
          } catch {
            res.writeHead(400, { 'content-type': 'application/json' });
            return res.end(JSON.stringify({ ok: false, error: { code: 'VALIDATION', message: 'The request body is not JSON.' } }));
          }
        }
        const envelope = await opts.backend.invoke(channel, input, 'web');
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        return res.end(JSON.stringify(envelope));
      }

      if (url.pathname === '/api/events') {
        if (!secretsEqual(querySecret, secret) && !secretsEqual(headerSecret, secret)) return deny(403, 'missing or wrong secret');
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': connected\n\n');
        sseClients.add(res);
        req.on('close', () => sseClients.delete(res));
        return;
      }

      if (url.pathname.startsWith('/api/download/')) {
        if (!secretsEqual(querySecret, secret)) return deny(403, 'missing or wrong secret');
        const id = pathname.slice('/api/download/'.length);
        const dl = await opts.backend.download(id);
        if (!dl || !fs.existsSync(dl.file)) return deny(404, 'no such download');
        res.writeHead(200, {
          'content-type': dl.contentType,
          'content-disposition': `attachment; filename="${dl.fileName.replace(/["\\\r\n]/g, '_')}"`,
          'cache-control': 'no-store',
        });
        // The copy in the data folder is donor data in clear text: once the browser has all of
        // it, it goes. A download cut off midway keeps it (the link can be followed again);
        // exportsDir removes one never fetched after a day.
        res.on('finish', () => fs.rm(dl.file, { force: true }, () => undefined));
        fs.createReadStream(dl.file).pipe(res);
        return;
      }

      // The printed URL (any path outside the app path, with ?t=SECRET): swap the secret for the
      // page cookie and move to the app path, which also takes the secret out of the address bar.
      if (!pathname.startsWith(appPath)) {
        if (!secretsEqual(querySecret, secret)) return deny(403, 'open the URL Twofold printed (it carries the launch secret)');
        res.writeHead(303, {
          'set-cookie': `${cookieName}=${pageKey}; Path=${appPath}; HttpOnly; SameSite=Strict`,
          location: appPath,
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
        });
        return res.end();
      }
      if (!secretsEqual(cookies[cookieName], pageKey) && !secretsEqual(querySecret, secret)) {
        return deny(403, 'open the URL Twofold printed (it carries the launch secret)');
      }
      let rel = '/' + pathname.slice(appPath.length);
      if (rel === '/' || !path.extname(rel)) rel = '/index.html';
      const file = path.resolve(opts.rendererDir, '.' + rel);
      if (!file.startsWith(path.resolve(opts.rendererDir) + path.sep)) return deny(403, 'forbidden path');
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return deny(404, 'not found');
      const ext = path.extname(file);
      const headers: Record<string, string> = {
        'content-type': MIME[ext] ?? 'application/octet-stream',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
      };
      if (ext === '.html') {
        headers['content-security-policy'] = contentSecurityPolicy({ connectSelf: true });
        headers['x-frame-options'] = 'DENY';
        // The page reads the secret from this meta tag to sign its API calls.
        const html = fs.readFileSync(file, 'utf8').replace('</head>', `<meta name="twofold-secret" content="${secret}"></head>`);
        res.writeHead(200, headers);
        return res.end(html);
      }
      res.writeHead(200, headers);
      fs.createReadStream(file).pipe(res);
    } catch (err) {
      log.error('web shell request failed', { error: err });
      if (!res.headersSent) deny(500, 'internal error');
      else res.end();
    }
  });

  const unsubscribe = opts.backend.subscribe((message) => {
    const data = `data: ${JSON.stringify(message)}\n\n`;
    for (const client of sseClients) client.write(data);
  });
  const heartbeat = setInterval(() => {
    for (const client of sseClients) client.write(': ping\n\n');
  }, 15_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?t=${secret}`,
    origin,
    port,
    secret,
    appPath,
    cookieName,
    async close() {
      clearInterval(heartbeat);
      unsubscribe();
      for (const c of sseClients) c.end();
      // Close the browser's open connections too (keep-alive, a call still in flight): close()
      // alone waits for them, and a stop must not hang on a tab left open.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await closed;
    },
  };
}
