import { useEffect, useState } from 'react';

/** Views addressed by the URL hash (#/people, #/person/P123) so reload keeps the place. */
export type Route = { view: string; param: string | null };

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  return { view: parts[0] ?? 'overview', param: parts[1] ? decodeURIComponent(parts[1]) : null };
}

export function navigate(view: string, param?: string | null): void {
  window.location.hash = `#/${view}${param ? '/' + encodeURIComponent(param) : ''}`;
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
