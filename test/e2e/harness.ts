/**
 * The end-to-end harness: the real `twofold serve` (the built CLI bundle) on a temporary data
 * folder, and Debian's Chromium driven by playwright-core. Each test file gets its own app.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '..', '..');
export const RESULTS = path.join(ROOT, 'test-results');

export interface RunningApp {
  url: string;
  dataDir: string;
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
    process: child,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
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
