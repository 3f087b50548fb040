import { addDays, endOfDay, startOfDay, subDays, subHours } from 'date-fns';
import { TZDate, tz } from '@date-fns/tz';
import { timeZone } from '../i18n/time.ts';

/** Midnight of a calendar day (YYYY-MM-DD) in the deployment's zone, not the browser's. */
const zonedDay = (ymd: string) => {
  const [y, m, d] = ymd.split('-').map(Number);
  return new TZDate(y!, m! - 1, d!, timeZone());
};

/** The commander's filters; all of them live in the URL so a view can be shared. */
export interface Filters {
  category: string | null;
  severity: 'ordinary' | 'major' | null;
  state: 'open' | 'overdue' | 'closed' | 'all';
  window: '24h' | '7d' | '30d' | 'custom';
  /** Custom range (YYYY-MM-DD, local days), used when window is custom. */
  from: string | null;
  to: string | null;
  /** While the time slider plays: the end of the window, as a day offset back from now (0 = now). */
  daysBack: number;
  /** The level whose cells the statistics and the choropleth show. */
  level: number;
  metric: Metric;
}

export const METRICS = ['reports', 'open', 'overdue', 'rate', 'medianHours', 'pctInspected', 'unitsOverdue'] as const;
export type Metric = (typeof METRICS)[number];

const STATES = ['open', 'overdue', 'closed', 'all'] as const;
const WINDOWS = ['24h', '7d', '30d', 'custom'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const oneOf = <T extends string>(value: string | null, allowed: readonly T[], fallback: T): T =>
  value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;

export function readFilters(params: URLSearchParams, defaultLevel: number): Filters {
  const level = Number(params.get('level'));
  const daysBack = Number(params.get('daysBack'));
  const severity = params.get('severity');
  return {
    category: params.get('category') || null,
    severity: severity === 'ordinary' || severity === 'major' ? severity : null,
    state: oneOf(params.get('state'), STATES, 'open'),
    window: oneOf(params.get('window'), WINDOWS, '7d'),
    from: DAY.test(params.get('from') ?? '') ? params.get('from') : null,
    to: DAY.test(params.get('to') ?? '') ? params.get('to') : null,
    daysBack: Number.isInteger(daysBack) && daysBack > 0 ? daysBack : 0,
    level: Number.isInteger(level) && level > 0 ? level : defaultLevel,
    metric: oneOf(params.get('metric'), METRICS, 'reports'),
  };
}

/** Only what differs from the defaults goes into the URL, so shared links stay short. */
export function writeFilters(f: Filters, defaultLevel: number): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.category) out.category = f.category;
  if (f.severity) out.severity = f.severity;
  if (f.state !== 'open') out.state = f.state;
  if (f.window !== '7d') out.window = f.window;
  if (f.window === 'custom' && f.from) out.from = f.from;
  if (f.window === 'custom' && f.to) out.to = f.to;
  if (f.daysBack) out.daysBack = String(f.daysBack);
  if (f.level !== defaultLevel) out.level = String(f.level);
  if (f.metric !== 'reports') out.metric = f.metric;
  return out;
}

/** The time range the filters select, as instants; the slider moves the whole window back by whole days. */
export function timeRange(f: Filters, now: Date): { from: Date; to: Date } {
  // Days are the deployment's days (Asia/Shanghai unless configured), not the browser's.
  const zone = { in: tz(timeZone()) };
  const instant = (d: Date) => new Date(d.getTime());
  if (f.window === 'custom') {
    const from = f.from ? startOfDay(zonedDay(f.from), zone) : subDays(now, 30, zone);
    const to = f.to ? endOfDay(zonedDay(f.to), zone) : now;
    return { from: instant(from), to: instant(subDays(to, f.daysBack, zone)) };
  }
  const to = subDays(now, f.daysBack, zone);
  const from = f.window === '24h' ? subHours(to, 24) : subDays(to, f.window === '7d' ? 7 : 30, zone);
  return { from: instant(from), to: instant(to) };
}

/** The query string the server's report endpoints take for these filters. */
export function filterQuery(f: Filters, now: Date): URLSearchParams {
  const { from, to } = timeRange(f, now);
  const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), state: f.state });
  if (f.category) q.set('category', f.category);
  if (f.severity) q.set('severity', f.severity);
  return q;
}

export const nextDay = (d: Date) => addDays(d, 1);
