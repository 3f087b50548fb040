import type { Severity } from '../config.ts';
import { inScopeSql } from '../reports/model.ts';
import { OPEN_STATES } from '../../core/reports/workflow.ts';
import { problem } from '../problem.ts';

/** The state filter of the command view; it is the report's state now (overdue: open and past its deadline now). */
export const STATE_FILTERS = ['open', 'overdue', 'closed', 'all'] as const;
export type StateFilter = (typeof STATE_FILTERS)[number];

export type Bbox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

/** Which reports a command-view query counts. */
export interface ReportFilter {
  /** Subtree roots the user works in; empty = the whole grid, unassigned reports included. */
  scope: number[];
  category?: string;
  severity?: Severity;
  state?: StateFilter;
  /** Reported (created) at or after `from`, before `to`. */
  from?: Date;
  to?: Date;
  bbox?: Bbox;
  /** What "overdue" is measured against. */
  now: Date;
}

/** The Web Mercator world: 3857 has no pole, so the heatmap and its counts stop at ±85.0511°. */
export const MERCATOR_MAX_LAT = 85.05112878;

/**
 * The WHERE conditions (on reports `r`) of a filter, its values appended to `params`. Every
 * command-view query goes through here, so points, bins, statistics and the brute-force check in
 * the tests agree on what a filter means.
 */
export function reportFilterSql(f: ReportFilter, params: unknown[]): string {
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = [inScopeSql(`${p(f.scope)}`)];
  if (f.category) where.push(`r.category = ${p(f.category)}`);
  if (f.severity) where.push(`r.severity = ${p(f.severity)}`);
  switch (f.state ?? 'all') {
    case 'open': where.push(`r.state = ANY (${p(OPEN_STATES)}::text[])`); break;
    case 'overdue': where.push(`r.state = ANY (${p(OPEN_STATES)}::text[]) AND r.due_at < ${p(f.now)}::timestamptz`); break;
    case 'closed': where.push(`r.state = 'closed'`); break;
    case 'all': break;
  }
  if (f.from) where.push(`r.created_at >= ${p(f.from)}::timestamptz`);
  if (f.to) where.push(`r.created_at < ${p(f.to)}::timestamptz`);
  if (f.bbox) where.push(`r.geom && ST_MakeEnvelope(${p(f.bbox[0])}, ${p(f.bbox[1])}, ${p(f.bbox[2])}, ${p(f.bbox[3])}, 4326)`);
  return where.join(' AND ');
}

/** SQL weight of report `r` by severity; the weights are parameters. */
export function weightSql(weights: Record<Severity, number>, params: unknown[]): string {
  return `(CASE WHEN r.severity = 'major' THEN $${params.push(weights.major)}::float8 ELSE $${params.push(weights.ordinary)}::float8 END)`;
}

/** "minLon,minLat,maxLon,maxLat" → a bbox, or a 422 naming the field. */
export function parseBbox(text: string, field = 'querystring.bbox'): Bbox {
  const b = text.split(',').map(Number);
  const bad = (code: 'command.bbox-count' | 'command.bbox-range' | 'command.bbox-reversed', message: string) =>
    problem(code, { bbox: text }, { errors: [{ field, message }] });
  if (b.length !== 4 || b.some((v) => !Number.isFinite(v))) throw bad('command.bbox-count', 'must be four numbers minLon,minLat,maxLon,maxLat');
  const [w, s, e, n] = b as Bbox;
  if (w < -180 || e > 180 || s < -90 || n > 90) throw bad('command.bbox-range', 'must be longitudes -180..180 and latitudes -90..90 (WGS 84)');
  if (w > e || s > n) throw bad('command.bbox-reversed', 'minLon must not exceed maxLon, nor minLat maxLat');
  return [w, s, e, n];
}

/** A time window from the query, checked: from before to. */
export function parseWindow(from: string | undefined, to: string | undefined): { from?: Date; to?: Date } {
  const f = from ? new Date(from) : undefined;
  const t = to ? new Date(to) : undefined;
  if (f && t && f.getTime() >= t.getTime()) {
    throw problem('command.window-empty', { from: from ?? '', to: to ?? '' }, { errors: [{ field: 'querystring.from', message: 'must be before to' }] });
  }
  return { from: f, to: t };
}

export const timeWindowQuery = {
  from: { type: 'string', format: 'date-time', description: 'Reported at or after (ISO 8601)' },
  to: { type: 'string', format: 'date-time', description: 'Reported before (ISO 8601)' },
} as const;
