import { useEffect, useState } from 'react';

/**
 * Views addressed by the URL hash (#/people, #/person/P123, #/reconciliation?group=gone) so a
 * reload keeps the place and Back returns to a view as it was left (its filters in the query).
 */
export type Route = { view: string; param: string | null; query: Record<string, string> };

export function parseHash(hash: string): Route {
  const [path = '', qs = ''] = hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  return { view: parts[0] ?? 'overview', param: parts[1] ? decodeURIComponent(parts[1]) : null, query: Object.fromEntries(new URLSearchParams(qs)) };
}

function hashOf(view: string, param: string | null | undefined, query: Record<string, string> = {}): string {
  const qs = new URLSearchParams(query).toString();
  return `#/${view}${param ? '/' + encodeURIComponent(param) : ''}${qs ? `?${qs}` : ''}`;
}

export function navigate(view: string, param?: string | null, query?: Record<string, string>): void {
  window.location.hash = hashOf(view, param, query);
}

/**
 * Records a view's filters in the current history entry (no new entry, no re-render): Back from
 * a page opened from the view finds them again.
 */
export function replaceQuery(patch: Record<string, string | null | undefined>): void {
  const r = parseHash(window.location.hash);
  const query = { ...r.query };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === undefined || v === '') delete query[k];
    else query[k] = v;
  }
  window.history.replaceState(window.history.state, '', hashOf(r.view, r.param, query));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
