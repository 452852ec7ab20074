// Calls to custlake's JSON API. Every POST carries the session's CSRF token (from /api/me).
import type {
  AtRisk, Missing, Catalog, Customer360, Dashboard, Drilldown, FilterOptions, Influencers, Lineage, Me,
  Pipeline, QueryResult, Retention, TableDetail,
} from './types';

/** An error the API answered with: its message, HTTP status and (for SQL) the position in the query. */
export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly position: number | null = null,
    /** What the server needs computed first (a 503 before the first warehouse build). */
    readonly missing: Missing[] = []) {
    super(message);
  }
}

let csrfToken = '';
export function setCsrf(token: string): void { csrfToken = token; }

/** Called when the server answers 401: the app shows its login page. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(f: () => void): void { onUnauthorized = f; }

/** The answer's JSON, or an ApiError; a 401 shows the login page unless this is the login itself. */
async function parse<T>(res: Response, what: string, isLogin = false): Promise<T> {
  const text = await res.text();
  let body: unknown = null;
  try { body = text ? JSON.parse(text) : null; } catch { /* not JSON: reported below */ }
  if (!res.ok) {
    if (res.status === 401 && !isLogin) onUnauthorized();
    const b = body as { error?: string; position?: number | null; missing?: Missing[] } | null;
    const message = b?.error ?? `${what}: HTTP ${res.status} ${res.statusText}${text && !b ? `: ${text.slice(0, 200)}` : ''}`;
    throw new ApiError(message, res.status, typeof b?.position === 'number' ? b.position : null, b?.missing ?? []);
  }
  if (body === null) throw new ApiError(`${what}: the server's answer was not JSON`, res.status);
  return body as T;
}

export async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', signal });
  return parse<T>(res, `GET ${path}`);
}

export async function post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const res = await postRaw(path, body, signal);
  return parse<T>(res, `POST ${path}`);
}

export function postRaw(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken },
    body: JSON.stringify(body),
    signal,
  });
}

/** Query-string of the non-empty entries. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const api = {
  /** The session; a server without users (no /api/me) needs no login. */
  me: () => get<Me>('/api/me').catch((e: unknown) => {
    if (e instanceof ApiError && e.status === 404) return { user: null, auth_required: false, csrf: '' };
    throw e;
  }),
  login: async (user: string, password: string) =>
    parse<unknown>(await postRaw('/api/login', { user, password }), 'POST /api/login', true),
  logout: () => post<unknown>('/api/logout', {}),
  filters: () => get<FilterOptions>('/api/filters'),
  dashboard: (f: Record<string, string>, signal?: AbortSignal) => get<Dashboard>(`/api/dashboard${qs(f)}`, signal),
  atRisk: (f: Record<string, string>, limit: number, signal?: AbortSignal) =>
    get<AtRisk>(`/api/at-risk${qs({ ...f, limit })}`, signal),
  /** The rows behind a KPI (metric = its key) under the dashboard's filters. */
  drilldown: (metric: string, filters: Record<string, string>) => get<Drilldown>(`/api/drilldown${qs({ metric, ...filters })}`),
  /** The published retention plan: its summary and the best `limit` customers. */
  retention: (limit: number) => get<Retention>(`/api/retention${qs({ limit })}`),
  influencers: () => get<Influencers>('/api/influencers'),
  customer: (id: string) => get<Customer360>(`/api/customer/${encodeURIComponent(id)}`),
  catalog: () => get<Catalog>('/api/catalog'),
  table: (fullName: string) => get<TableDetail>(`/api/table/${encodeURIComponent(fullName)}`),
  lineage: () => get<Lineage>('/api/lineage'),
  pipeline: () => get<Pipeline>('/api/pipeline'),
  query: (sql: string, page: number, pageSize: number, queryId: string, signal?: AbortSignal) =>
    post<QueryResult>('/api/query', { sql, page, page_size: pageSize, query_id: queryId }, signal),
  cancel: (queryId: string) => post<unknown>('/api/query/cancel', { query_id: queryId }),
};
