/** Small HTTP clients over the sandbox for the contract tests (plain fetch, like a connector). */
import { createHash } from 'node:crypto';
import type { SandboxHandle } from '../../src-main/sandbox/index';

export type Api = 'vomo' | 'crm' | 'raise';

export interface Got {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function call(h: SandboxHandle, api: Api, path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<Got> {
  const base = h[api].baseUrl;
  const res = await fetch(path.startsWith('http') ? path : `${base}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${init.token ?? h[api].token}`, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export async function admin(h: SandboxHandle, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${h.admin}/${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`admin ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A client that retries what a robust connector retries: 5xx, 429, dropped sockets, bad JSON. */
export async function retrying(h: SandboxHandle, api: Api, path: string, init: { method?: string; body?: unknown } = {}, tries = 8): Promise<Got> {
  let last: unknown;
  for (let k = 0; k < tries; k++) {
    try {
      const r = await call(h, api, path, init);
      if (r.status >= 500 || r.status === 429) {
        last = new Error(`status ${r.status}`);
        continue;
      }
      if (r.text && r.json === undefined && r.status === 200) {
        last = new Error('invalid JSON');
        continue;
      }
      return r;
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

type Fetcher = (api: Api, path: string, init?: { method?: string; body?: unknown }) => Promise<Got>;
export const plain = (h: SandboxHandle): Fetcher => (api, path, init) => call(h, api, path, init);
export const robust = (h: SandboxHandle): Fetcher => (api, path, init) => retrying(h, api, path, init);

export async function walkVomoUsers(h: SandboxHandle, f: Fetcher, query = ''): Promise<any[]> {
  const out: any[] = [];
  let url: string | null = `${h.vomo.baseUrl}/users${query ? `?${query}` : ''}`;
  while (url) {
    const r: Got = await f('vomo', url);
    if (r.status !== 200) throw new Error(`VOMO ${r.status} ${r.text}`);
    out.push(...r.json.data);
    url = r.json.links.next;
  }
  return out;
}

export async function walkCrm(_h: SandboxHandle, f: Fetcher, path: string, body: unknown, take = 100): Promise<{ list: any[]; totals: number[] }> {
  const list: any[] = [];
  const totals: number[] = [];
  for (let skip = 0; ; skip += take) {
    const r = await f('crm', `${path}?skip=${skip}&take=${take}`, { method: 'POST', body });
    if (r.status !== 200) throw new Error(`CRM ${r.status} ${r.text}`);
    list.push(...r.json.list);
    totals.push(r.json.total);
    if (r.json.list.length < take) break;
  }
  return { list, totals };
}

export async function walkRaise(_h: SandboxHandle, f: Fetcher, resource: string, query = '', take = 100): Promise<any[]> {
  const out: any[] = [];
  for (let skip = 0; ; skip += take) {
    const r = await f('raise', `/api/${resource}/list?Skip=${skip}&Take=${take}${query ? `&${query}` : ''}`);
    if (r.status !== 200) throw new Error(`Raise ${r.status} ${r.text}`);
    out.push(...r.json.items);
    if (r.json.items.length < take) break;
  }
  return out;
}

export const sha = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');

export const byModified = { groups: [], sortBy: 'Last Modified Date', descending: false };
