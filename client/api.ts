import { describeProblem, type ProblemBody } from '../core/problems/index.ts';
import { currentLang } from './i18n/lang.ts';

export type { Bounds, ClientConfig, Level, ResolvedBasemap as Basemap } from '../core/contracts/system.ts';
import type { Bounds, ClientConfig } from '../core/contracts/system.ts';
export type { Cell, CellCollection, CellProperties } from '../core/contracts/cells.ts';
import type { Cell, CellCollection } from '../core/contracts/cells.ts';

/**
 * A failed API call: the problem+json fields. `detail` (and `message`) is what a person reads: the
 * text of the problem's code in the current language, else the server's own words.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly serverDetail: string,
    readonly problem: Partial<ProblemBody> = {},
  ) {
    super(serverDetail || title);
    Object.defineProperty(this, 'message', { get: () => this.detail });
  }

  get code(): string | undefined {
    return typeof this.problem.code === 'string' ? this.problem.code : undefined;
  }

  get detail(): string {
    return describeProblem({ title: this.title, ...this.problem, detail: this.serverDetail || undefined }, currentLang()) || this.title;
  }
}

let csrfToken: string | null = null;

/** Set by the session: cookie-authenticated writes must carry it (the server refuses them otherwise). */
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON, or as is when it is FormData. */
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** Calls the Wangge API; resolves to the parsed JSON (or text), throws ApiError with the server's explanation. */
export async function api<T>(url: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, signal } = options;
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  // The phone's clock when sending: the server works out its offset for actions done offline (their `at`).
  if (method !== 'GET') headers['x-client-time'] = new Date().toISOString();
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(url, { method, body: payload, signal, headers, credentials: 'same-origin' });
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok) {
    let problem: Partial<ProblemBody> = {};
    if (type.includes('json')) problem = (await response.json().catch(() => ({}))) as Partial<ProblemBody>;
    const title = typeof problem.title === 'string' ? problem.title : response.statusText;
    const detail = typeof problem.detail === 'string' ? problem.detail : '';
    throw new ApiError(response.status, title, detail, problem);
  }
  if (response.status === 204) return undefined as T;
  return (type.includes('json') ? await response.json() : await response.text()) as T;
}

const getJson = <T,>(url: string, signal?: AbortSignal) => api<T>(url, { signal });

export const fetchClientConfig = (signal?: AbortSignal) => getJson<ClientConfig>('/api/client-config', signal);

export const fetchCell = (id: number, signal?: AbortSignal) => getJson<Cell>(`/api/cells/${id}`, signal);

/** Cells of a level, children of a cell, or those meeting a box; ordered by level and code. */
export async function fetchCells(query: { level?: number; parentId?: number; bbox?: Bounds }, signal?: AbortSignal): Promise<Cell[]> {
  const params = new URLSearchParams();
  if (query.level !== undefined) params.set('level', String(query.level));
  if (query.parentId !== undefined) params.set('parentId', String(query.parentId));
  if (query.bbox) params.set('bbox', query.bbox.map((v) => v.toFixed(6)).join(','));
  const fc = await getJson<CellCollection>(`/api/cells?${params}`, signal);
  return fc.features;
}

/** The cell and its ancestors, root first. */
export async function fetchLineage(id: number, signal?: AbortSignal): Promise<Cell[]> {
  const lineage: Cell[] = [];
  for (let next: number | null = id; next !== null; ) {
    const cell: Cell = await fetchCell(next, signal);
    lineage.unshift(cell);
    next = cell.properties.parentId;
  }
  return lineage;
}
