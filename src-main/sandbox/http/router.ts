/** A tiny router on raw path segments; literal routes win over parameters (registration order). */
import type { Handler, Req, Res } from './types';

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }
  get(p: string, h: Handler): this {
    return this.add('GET', p, h);
  }
  post(p: string, h: Handler): this {
    return this.add('POST', p, h);
  }
  put(p: string, h: Handler): this {
    return this.add('PUT', p, h);
  }

  /** undefined: no route; 'method': a route exists for another method. */
  match(req: Req): { handler: Handler; params: Record<string, string> } | 'method' | undefined {
    let methodMismatch = false;
    for (const r of this.routes) {
      const params = matchParts(r.parts, req.segments);
      if (!params) continue;
      if (r.method !== req.method) {
        methodMismatch = true;
        continue;
      }
      return { handler: r.handler, params };
    }
    return methodMismatch ? 'method' : undefined;
  }
}

function matchParts(parts: string[], segs: string[]): Record<string, string> | null {
  if (parts.length !== segs.length) return null;
  const params: Record<string, string> = {};
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k]!;
    const s = segs[k]!;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(s);
      } catch {
        return null;
      }
    } else if (p.toLowerCase() !== s.toLowerCase()) return null; // ASP.NET and Laravel routes are case-insensitive
  }
  return params;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Res => ({ status, json: body, headers });
export const empty = (status: number, headers?: Record<string, string>): Res => ({ status, headers });

/**
 * A list page written item by item: each rendered record becomes text at once and its objects
 * die young, so walking a million records does not pile half-built pages into the old heap.
 */
export function pageRes(listKey: string, items: Iterable<unknown>, rest: Record<string, unknown>): Res {
  const parts: string[] = [];
  for (const x of items) parts.push(JSON.stringify(x));
  const tail = Object.entries(rest).map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`).join('');
  return { status: 200, text: `{${JSON.stringify(listKey)}:[${parts.join(',')}]${tail}}`, contentType: 'application/json; charset=utf-8', page: true };
}

export function* lazyMap<T>(ids: Int32Array, f: (id: number) => T): Generator<T> {
  for (const id of ids) yield f(id);
}
