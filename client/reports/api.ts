import { api } from '../api.ts';

/** Shapes of the reports API (server/reports/routes.ts, model.ts), as the client uses them. */

export { OPEN_STATES, PAY_METHODS, STATES } from '../../core/contracts/reports.ts';
export type {
  Action, ActionInput, Filed, NewReport, Rating, Report, ReportEvent, Reward, RewardsLedger as RewardsLedgerData, Severity, Source, State, Tracked,
} from '../../core/contracts/reports.ts';
import type { ActionInput, Action, ClaimBody, PayoutBody, Rating, RatingBody, Report, ReportEvent, ReportPage, Reward, RewardsLedger as RewardsLedgerData, Severity, Source, State, Tracked } from '../../core/contracts/reports.ts';

export interface Named {
  code: string;
  zh: string;
  en: string;
}

export interface ReportsConfig {
  categories: Named[];
  severities: (Named & { code: Severity })[];
  sources: Source[];
  states: (Named & { code: State })[];
  actions: Action[];
  photos: { maxCount: number; maxBytes: number; types: string[] };
}

export interface InboxFilter {
  state?: readonly State[];
  category?: string;
  overdue?: boolean;
}

export interface Assignment {
  personId: number;
  name: string;
  roleName: Named;
}

/** Tracking codes as the server issues them: WG-XXXXX-XXXXX (case does not matter). */
export const TRACK_CODE = /^WG-[0-9A-Z]{5}-[0-9A-Z]{5}$/i;

export function inboxQuery(f: InboxFilter): URLSearchParams {
  const q = new URLSearchParams();
  for (const s of f.state ?? []) q.append('state', s);
  if (f.category) q.set('category', f.category);
  if (f.overdue !== undefined) q.set('overdue', String(f.overdue));
  q.set('limit', '500');
  return q;
}

/** Whether a report (e.g. one that just arrived on the event stream) belongs in a list with this filter. */
export function matchesFilter(r: Pick<Report, 'state' | 'category' | 'overdue'>, f: InboxFilter): boolean {
  if (f.state?.length && !f.state.includes(r.state)) return false;
  if (f.category && r.category !== f.category) return false;
  if (f.overdue !== undefined && r.overdue !== f.overdue) return false;
  return true;
}

/** The inbox order of the server: overdue first, then by due date (none last), then by id. */
export function inboxOrder(a: Report, b: Report): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const da = a.dueAt ? Date.parse(a.dueAt) : Infinity;
  const db = b.dueAt ? Date.parse(b.dueAt) : Infinity;
  if (da !== db) return da < db ? -1 : 1;
  return a.id - b.id;
}

/** A random key for the Idempotency-Key header (crypto.randomUUID needs a secure context; this does not). */
export function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * One Idempotency-Key per submission: sending the very same report again (a retry after a lost
 * answer) reuses the key, so the server answers with the first report instead of filing a second;
 * a changed report is a new submission and gets a new key.
 */
export function keyFor(previous: { key: string; signature: string } | null, signature: string): { key: string; signature: string } {
  return previous && previous.signature === signature ? previous : { key: newKey(), signature };
}

export const reportsApi = {
  config: (signal?: AbortSignal) => api<ReportsConfig>('/api/reports/config', { signal }),
  track: (code: string, signal?: AbortSignal) => api<Tracked>(`/api/reports/track/${encodeURIComponent(code.trim().toUpperCase())}`, { signal }),
  claim: (code: string, body: ClaimBody) =>
    api<{ status: string; amount: number }>(`/api/reports/track/${encodeURIComponent(code.trim().toUpperCase())}/claim`, { method: 'POST', body }),
  rate: (code: string, body: RatingBody) =>
    api<Rating>(`/api/reports/track/${encodeURIComponent(code.trim().toUpperCase())}/rating`, { method: 'POST', body }),
  rewards: (signal?: AbortSignal) => api<RewardsLedgerData>('/api/rewards', { signal }),
  payout: (id: number, body: PayoutBody) => api<Reward>(`/api/rewards/${id}/payout`, { method: 'POST', body }),
  list: (f: InboxFilter, signal?: AbortSignal) => api<ReportPage>(`/api/reports?${inboxQuery(f)}`, { signal }),
  get: (id: number, signal?: AbortSignal) => api<Report>(`/api/reports/${id}`, { signal }),
  events: (id: number, signal?: AbortSignal) => api<ReportEvent[]>(`/api/reports/${id}/events`, { signal }),
  act: (id: number, input: ActionInput) => api<Report>(`/api/reports/${id}/actions`, { method: 'POST', body: input }),
  assignments: (cellId: number, signal?: AbortSignal) => api<Assignment[]>(`/api/cells/${cellId}/assignments`, { signal }),
};
