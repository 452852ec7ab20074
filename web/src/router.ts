// Hash routes: #/<page>/<rest>?<query>. The query holds a page's state (filters), so links keep it.

export interface Route { page: string; rest: string[]; query: URLSearchParams }

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = hash.split('?', 2) as [string, string?];
  const [page = '', ...rest] = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { page: page || 'dashboard', rest, query: new URLSearchParams(query) };
}

export function href(page: string, rest: (string | number)[] = [], query?: URLSearchParams | Record<string, string>): string {
  const q = query instanceof URLSearchParams ? query : new URLSearchParams(query ?? {});
  for (const [k, v] of [...q.entries()]) if (!v) q.delete(k);
  const path = [page, ...rest.map((r) => encodeURIComponent(String(r)))].join('/');
  const qs = q.toString();
  return `#/${path}${qs ? `?${qs}` : ''}`;
}

export function navigate(page: string, rest: (string | number)[] = [], query?: URLSearchParams | Record<string, string>): void {
  location.hash = href(page, rest, query);
}

/** Changes the query of the current route without a new history entry or a page render. */
export function replaceQuery(query: URLSearchParams): void {
  const r = currentRoute();
  history.replaceState(null, '', href(r.page, r.rest, query));
}
