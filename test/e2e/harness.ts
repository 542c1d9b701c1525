/**
 * The end-to-end harness: the real `twofold serve` (the built CLI bundle) on a temporary data
 * folder, and Debian's Chromium driven by playwright-core. Each test file gets its own app.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import Database from 'better-sqlite3-multiple-ciphers';
import { keyConnection, readHead, StoreKey } from '../../src-main/store/cipher';

export const ROOT = path.resolve(__dirname, '..', '..');
export const RESULTS = path.join(ROOT, 'test-results');

export interface RunningApp {
  url: string;
  dataDir: string;
  /** What the server wrote to stderr so far (its log). */
  log(): string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startApp(opts: { dataDir?: string; env?: Record<string, string> } = {}): Promise<RunningApp> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-e2e-'));
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'twofold.js'), '--data-dir', dataDir, 'serve', '--json'], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`twofold serve printed no URL in 30 s; stderr: ${stderr}`)), 30_000);
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /"url":\s*"([^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`twofold serve exited with ${code}: ${stderr}`));
    });
  });
  return {
    url,
    dataDir,
    log: () => stderr,
    process: child,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const exited = await Promise.race([new Promise<boolean>((r) => child.once('exit', () => r(true))), new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]);
        if (!exited) {
          child.kill('SIGKILL');
          throw new Error(`twofold serve did not stop within 20 s of SIGTERM; stderr: ${stderr.slice(-2000)}`);
        }
      }
    },
  };
}

export async function launchBrowser(): Promise<{ context: BrowserContext; page: Page; errors: string[]; close(): Promise<void> }> {
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 860 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      fs.rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Calls a channel the way the page does: same launch-secret header, same envelope; throws on an error envelope. */
export async function invokeInPage<T>(page: Page, channel: string, input: unknown): Promise<T> {
  const env = await page.evaluate(
    async ([c, i]) => {
      const secret = document.querySelector('meta[name="twofold-secret"]')?.getAttribute('content') ?? '';
      const res = await fetch(`/api/invoke/${encodeURIComponent(c as string)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-twofold-secret': secret },
        body: JSON.stringify(i),
      });
      return res.json();
    },
    [channel, input] as const,
  );
  if (!env.ok) throw new Error(`${channel}: ${env.error.code} ${env.error.message}`);
  return env.data as T;
}

/**
 * Opens a view of the app (a hash route such as '#/people') in a page that has already opened
 * the printed URL: the app lives under its launch's own path (/s/<random>/), where its cookie is.
 */
export async function gotoView(page: Page, hash: string): Promise<void> {
  const here = new URL(page.url());
  if (!/^\/s\/[^/]+\/$/.test(here.pathname)) throw new Error(`gotoView: open the app's printed URL first (the page is at ${page.url()})`);
  await page.goto(`${here.origin}${here.pathname}${hash.startsWith('#') ? hash : `#${hash}`}`);
}

/** Runs the real CLI (the built bundle) on a data folder, as a steward would in a terminal beside the app. */
export async function runCli(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'twofold.js'), '--data-dir', dataDir, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += c));
  child.stderr!.on('data', (c) => (stderr += c));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

const AXE = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

export interface ContrastViolation {
  target: string;
  text: string;
  ratio: number | null;
  expected: string | null;
  fg: string | null;
  bg: string | null;
}

/**
 * axe-core's color-contrast rule (WCAG 2 AA) over the page. Injected through the DevTools
 * protocol, which the page's CSP does not govern, so the app runs with its real policy.
 */
export async function contrastViolations(page: Page): Promise<ContrastViolation[]> {
  await page.evaluate(`${AXE}\n;void 0`);
  return page.evaluate(async () => {
    const w = window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { nodes: { target: string[]; html: string; any: { data?: Record<string, unknown> }[] }[] }[] }> } };
    const r = await w.axe.run(document, { runOnly: { type: 'rule', values: ['color-contrast'] }, resultTypes: ['violations'] });
    return r.violations.flatMap((v) =>
      v.nodes.map((n) => {
        const d = (n.any[0]?.data ?? {}) as { contrastRatio?: number; expectedContrastRatio?: string; fgColor?: string; bgColor?: string };
        const el = document.querySelector(n.target.join(' '));
        return { target: n.target.join(' '), text: (el?.textContent ?? n.html).trim().slice(0, 60), ratio: d.contrastRatio ?? null, expected: d.expectedContrastRatio ?? null, fg: d.fgColor ?? null, bg: d.bgColor ?? null };
      }),
    );
  });
}

export interface Overflow {
  text: string;
  kind: 'clipped' | 'wrapped-figure';
  tag: string;
  className: string;
}

/**
 * Text that does not fit its box: an element whose own text is wider than the element (a badge
 * cut to "OPTE…", a clipped cell), and a date or amount broken over two lines. Scroll containers
 * (a wide table's sideways scroll) are allowed to be narrower than their content.
 */
export async function textOverflows(page: Page): Promise<Overflow[]> {
  return page.evaluate(() => {
    const out: { text: string; kind: 'clipped' | 'wrapped-figure'; tag: string; className: string }[] = [];
    const FIGURE = /^(?:[A-Z][a-z]{2} \d{1,2}, \d{4}|-?\$[\d,]+\.\d{2}|\d{4}-\d{2}-\d{2})$/;
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
      if (!visible(el)) continue;
      const text = Array.from(el.childNodes)
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent ?? '')
        .join('')
        .trim();
      if (!text) continue;
      const s = getComputedStyle(el);
      if (/auto|scroll/.test(s.overflowX) || s.display === 'inline' || el.tagName === 'TEXTAREA' || el.tagName === 'INPUT') continue;
      if (el.scrollWidth > el.clientWidth + 2) out.push({ text: text.slice(0, 60), kind: 'clipped', tag: el.tagName, className: String(el.className).slice(0, 80) });
      for (const n of Array.from(el.childNodes)) {
        const t = (n.textContent ?? '').trim();
        if (n.nodeType !== Node.TEXT_NODE || !FIGURE.test(t)) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
        if (tops.size > 1) out.push({ text: t, kind: 'wrapped-figure', tag: el.tagName, className: String(el.className).slice(0, 80) });
      }
    }
    return out;
  });
}

/** Full-page screenshot under test-results/<dir>/<name>.png. */
export async function screenshotAs(page: Page, dir: string, name: string): Promise<string> {
  const folder = path.join(RESULTS, dir);
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * A connection to the running app's store, keyed as the app keys it: the key from the OS
 * keychain (the e2e tests run inside scripts/with-keyring.js), found by the file's salt.
 */
export async function openAppStore(dataDir: string, opts: { readonly?: boolean } = {}): Promise<Database.Database> {
  const file = path.join(dataDir, 'twofold.sqlite');
  const key = await appStoreKey(file);
  const db = new Database(file, { readonly: !!opts.readonly });
  keyConnection(db, key);
  db.pragma('busy_timeout = 5000');
  return db;
}

/** The store's key as the README says it is kept: service "Twofold", account "store-key:<the file's salt>". */
export async function appStoreKey(file: string): Promise<StoreKey> {
  const salt = readHead(file);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const keytar = require('keytar') as typeof import('keytar');
  const hex = salt ? await keytar.getPassword('Twofold', `store-key:${salt.toString('hex')}`) : null;
  const key = hex ? StoreKey.fromHex(hex) : null;
  if (!key) throw new Error(`no key for ${file} in the OS keychain`);
  return key;
}

/** From the welcome screen: "Explore with sandbox data", then the Sync view while its first sync runs. */
export async function exploreSandboxToSync(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('button', { name: 'Explore with sandbox data' }).click();
  // The Sandbox profile is created and labelled as such; its first sync runs in the background.
  for (let i = 0; i < 300 && (await page.getByText('Sandbox', { exact: true }).count()) === 0; i++) await page.waitForTimeout(100);
  await page.getByRole('link', { name: 'Sync' }).click();
}
