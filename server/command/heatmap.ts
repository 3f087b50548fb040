import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { SEVERITIES, type Severity } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { scopeOf } from '../auth/actor.ts';
import { problemSchema } from '../problem.ts';
import { isOverdue } from '../reports/model.ts';
import type { State } from '../../core/reports/workflow.ts';
import type { CommandConfig } from './config.ts';
import { heatmapResponseSchema, type HeatBin, type HeatPoint, type HeatmapResponse } from '../../core/contracts/command.ts';
import {
  MERCATOR_MAX_LAT, STATE_FILTERS, parseBbox, parseWindow, reportFilterSql, timeWindowQuery, weightSql,
  type Bbox, type ReportFilter, type StateFilter,
} from './filters.ts';

/** Spherical (Web) Mercator, EPSG:3857: the earth's radius and the metres per pixel at zoom 0 on 256 px tiles. */
const R = 6378137;
const METRES_PER_PIXEL_Z0 = (2 * Math.PI * R) / 256;
const WORLD: Bbox = [-180, -MERCATOR_MAX_LAT, 180, MERCATOR_MAX_LAT];

export const mercatorX = (lon: number) => (R * lon * Math.PI) / 180;
export const mercatorY = (lat: number) => R * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
const lonOf = (x: number) => (x / R) * (180 / Math.PI);
const latOf = (y: number) => (2 * Math.atan(Math.exp(y / R)) - Math.PI / 2) * (180 / Math.PI);

/** The bin side in EPSG:3857 metres for a zoom: `pixels` screen pixels wide at that zoom. */
export const binSizeMetres = (zoom: number, pixels: number) => (pixels * METRES_PER_PIXEL_Z0) / 2 ** zoom;

/** The bbox clipped to the Web Mercator world (3857 has no poles). */
export function clipToMercator(b: Bbox | undefined): Bbox {
  const [w, s, e, n] = b ?? WORLD;
  return [w, Math.max(s, -MERCATOR_MAX_LAT), e, Math.min(n, MERCATOR_MAX_LAT)];
}

/**
 * A bin side no finer than what keeps the bbox within `maxCells` grid cells: a wide view at a high
 * zoom gets coarser bins (doubling), rather than as many bins as reports.
 */
export function fitBinSize(bbox: Bbox, size: number, maxCells: number): number {
  const width = mercatorX(bbox[2]) - mercatorX(bbox[0]);
  const height = mercatorY(bbox[3]) - mercatorY(bbox[1]);
  let s = size;
  while ((Math.ceil(width / s) + 1) * (Math.ceil(height / s) + 1) > maxCells) s *= 2;
  return s;
}

export type { HeatBin, HeatPoint } from '../../core/contracts/command.ts';

export interface BinOptions {
  filter: ReportFilter;
  /** Side of a bin in EPSG:3857 metres (binSizeMetres(zoom, pixels)). */
  cellSize: number;
  weights: Record<Severity, number>;
}

/**
 * Weighted bins of the reports a filter selects, aggregated in the database: each report's point is
 * projected to Web Mercator (EPSG:3857, the spherical formulas, so the grid is square on screen)
 * and snapped to the nearest node of a grid `cellSize` metres apart, as ST_SnapToGrid on the 3857
 * point would; a bin is all the reports snapped to one node, its centre that node. The projection
 * is done in arithmetic rather than ST_Transform: the same numbers, about 3× faster on PGlite
 * (measured on 200,000 points), and the same SQL on PGlite and PostgreSQL. Reports beyond ±85.05°
 * latitude (outside the 3857 world) are left out. Used by GET /api/heatmap and the benchmark.
 */
export async function binReports(q: Queryable, opts: BinOptions): Promise<HeatBin[]> {
  const params: unknown[] = [];
  const size = `$${params.push(opts.cellSize)}::float8`;
  const filter: ReportFilter = { ...opts.filter, bbox: clipToMercator(opts.filter.bbox) };
  const where = reportFilterSql(filter, params);
  const weight = weightSql(opts.weights, params);
  const { rows } = await q.query<{ i: number; j: number; count: number; weight: number }>(
    `SELECT i, j, count(*)::int AS count, sum(w)::float8 AS weight FROM (
       SELECT round(ST_X(r.geom) * ${R * Math.PI / 180} / ${size})::bigint AS i,
              round(ln(tan(pi() / 4 + radians(ST_Y(r.geom)) / 2)) * ${R} / ${size})::bigint AS j,
              ${weight} AS w
       FROM reports r WHERE ${where}) p
     GROUP BY i, j`, params);
  return rows.map((b) => ({
    lon: lonOf(Number(b.i) * opts.cellSize),
    lat: latOf(Number(b.j) * opts.cellSize),
    count: b.count,
    weight: b.weight,
  }));
}

/**
 * The rollup's zoom bands (report_heat_rows, migration 029): a band-L cell is the world's width / 2^L.
 * Time windows are kept (per UTC day) by the coarser bands only.
 */
export const HEAT_BANDS = [15, 18, 19, 21];
const DAILY_BANDS = [15, 18];
const WORLD_WIDTH = 2 * Math.PI * R;
const DAY_MS = 86_400_000;
/** Views up to this many band-cell columns wide are read from the rollup a column at a time. */
const ROLLUP_MAX_COLUMNS = 4096;
/**
 * The most columns of fine band cells read along a view's edges (each a descent of the rollup's key):
 * at zoom 10 the finest band would be 10^4 columns, 30 ms with nothing in them.
 */
const STRIP_MAX_COLUMNS = 2048;
/** How far inside the bbox (EPSG:3857 metres) a band cell must lie to be read from the rollup. */
const EDGE_MARGIN = 1e-3;
const utcDay = (t: number) => new Date(Math.floor(t / DAY_MS) * DAY_MS);
const dayText = (d: Date) => d.toISOString().slice(0, 10);

/** The top-level cells, if the scope is made of them only (the rollup keeps reports per top-level cell). */
async function rootScope(q: Queryable, scope: number[]): Promise<boolean> {
  if (scope.length === 0) return true;
  const { rows } = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM cells WHERE id = ANY ($1::int[]) AND parent_id IS NULL', [scope]);
  return rows[0]!.n === new Set(scope).size;
}

/** Band cells [ia..ib] × [ja..jb] of band L: a part of the view the rollup answers. */
interface Block { L: number; ia: number; ib: number; ja: number; jb: number }

const bandSide = (L: number) => WORLD_WIDTH / 2 ** L;

/** The band-L cells wholly inside the bbox, by a millimetre (what is left is binned from the reports). */
function blockInside(L: number, bbox: Bbox): Block {
  const h = bandSide(L);
  return {
    L,
    ia: Math.ceil((mercatorX(bbox[0]) + EDGE_MARGIN) / h), ib: Math.floor((mercatorX(bbox[2]) - EDGE_MARGIN) / h) - 1,
    ja: Math.ceil((mercatorY(bbox[1]) + EDGE_MARGIN) / h), jb: Math.floor((mercatorY(bbox[3]) - EDGE_MARGIN) / h) - 1,
  };
}

const isEmpty = (b: Block) => b.ia > b.ib || b.ja > b.jb;

/**
 * The view's part the rollup answers, as blocks: the coarse band's cells inside the bbox, and around
 * them, in the strips up to the bbox, the finest band's cells (all time only: the fine bands keep no
 * days). What is left, binned from the reports, is a strip under a fine cell wide instead of under a
 * coarse one (zoom 13 over 10^7 reports, all: 167 → 87 ms; zoom 10, where the strips are empty: 9 → 30).
 */
function rollupBlocks(bands: number[], band: number, bbox: Bbox): { blocks: Block[]; outer: Block } {
  const coarse = blockInside(band, bbox);
  const alone = { blocks: isEmpty(coarse) ? [] : [coarse], outer: coarse };
  // The finest band whose strips along the coarse block are few enough columns to read one by one.
  for (const fineBand of bands.filter((L) => L > band).reverse()) {
    const outer = blockInside(fineBand, bbox);
    const r = 2 ** (fineBand - band);
    // The coarse cells whose fine cells all lie in the outer block (so, in integers, inside it).
    const c: Block = { L: band, ia: Math.ceil(outer.ia / r), ib: Math.floor((outer.ib + 1) / r) - 1, ja: Math.ceil(outer.ja / r), jb: Math.floor((outer.jb + 1) / r) - 1 };
    if (isEmpty(c)) return alone;
    if ((c.ib - c.ia + 1) * r > STRIP_MAX_COLUMNS) continue;
    const x0 = c.ia * r, x1 = (c.ib + 1) * r - 1, y0 = c.ja * r, y1 = (c.jb + 1) * r - 1;
    const strips: Block[] = [
      { L: fineBand, ia: outer.ia, ib: x0 - 1, ja: outer.ja, jb: outer.jb },
      { L: fineBand, ia: x1 + 1, ib: outer.ib, ja: outer.ja, jb: outer.jb },
      { L: fineBand, ia: x0, ib: x1, ja: outer.ja, jb: y0 - 1 },
      { L: fineBand, ia: x0, ib: x1, ja: y1 + 1, jb: outer.jb },
    ];
    return { blocks: [c, ...strips.filter((s) => !isEmpty(s))], outer };
  }
  return alone;
}

/**
 * The bins binReports computes, from the rollup (report_heat) where it holds the answer and from the
 * reports for the rest: the rollup's band cells wholly inside the bbox (rollupBlocks) and the whole
 * UTC days of the time window come from the rollup; the bbox's edge strips and the window's partial
 * days are binned from the reports, as are the open reports not yet overdue, subtracted for
 * state=overdue. A bin of side S = h·2^n (n ≥ 1) is exactly a block of band cells:
 * round(x / S) = floor((floor(x / h) + 2^(n-1)) / 2^n).
 * Undefined when the rollup cannot answer (a bin finer than the finest band, a bin size not a power
 * of two of the world's width, a scope below the top level, a bbox narrower than two band cells).
 */
export async function binRollup(q: Queryable, opts: BinOptions): Promise<HeatBin[] | undefined> {
  const S = opts.cellSize;
  const k = Math.round(Math.log2(WORLD_WIDTH / S));
  if (WORLD_WIDTH / 2 ** k !== S) return undefined;
  const f = opts.filter;
  const windowed = f.from !== undefined || f.to !== undefined;
  const bands = windowed ? DAILY_BANDS : HEAT_BANDS;
  const band = bands.find((L) => L >= k + 1);
  if (band === undefined) return undefined;
  if (!(await rootScope(q, f.scope))) return undefined;
  const bbox = clipToMercator(f.bbox);
  const { blocks, outer } = rollupBlocks(windowed ? [band] : bands, band, bbox);
  if (blocks.length === 0) return undefined;
  const h = bandSide(outer.L);
  // Whole UTC days of the window (all time without one).
  const d0 = f.from ? utcDay(f.from.getTime() + DAY_MS - 1) : undefined;
  const d1 = f.to ? utcDay(f.to.getTime()) : undefined;
  if (d0 && d1 && d0.getTime() >= d1.getTime()) return undefined;

  const bins = new Map<string, { i: number; j: number; count: number; weight: number }>();
  const add = (rows: { i: number | string; j: number | string; count: number | string; weight: number }[], sign: number) => {
    for (const r of rows) {
      const key = `${r.i},${r.j}`;
      const b = bins.get(key) ?? { i: Number(r.i), j: Number(r.j), count: 0, weight: 0 };
      b.count += sign * Number(r.count);
      b.weight += sign * r.weight;
      bins.set(key, b);
    }
  };

  // 1. The rollup: the slots of the kinds the filter selects, summed apart for the major ones (the
  // weight is the severity's). Slots are integers from the database, written into the statement.
  const state = f.state ?? 'all';
  const stateClasses = state === 'open' || state === 'overdue' ? ['open'] : state === 'closed' ? ['closed'] : undefined;
  const { rows: kinds } = await q.query<{ slot: number; category: string; severity: string; state_class: string }>(
    'SELECT slot, category, severity, state_class FROM report_heat_kinds');
  const chosen = kinds.filter((kd) => Number.isInteger(kd.slot) && (!f.category || kd.category === f.category)
    && (!f.severity || kd.severity === f.severity) && (!stateClasses || stateClasses.includes(kd.state_class)));
  const sumOf = (slots: number[]) => slots.length ? slots.map((x) => `coalesce(n[${x}], 0)`).join(' + ') : '0';
  if (chosen.length > 0) {
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const days: string[] = [];
    if (!windowed) days.push(`day = 'infinity'`);
    else {
      days.push(`day <> 'infinity'`);
      if (d0) days.push(`day >= ${p(dayText(d0))}::date`);
      if (d1) days.push(`day < ${p(dayText(d1))}::date`);
    }
    if (f.scope.length > 0) days.push(`root_id = ANY (${p(f.scope)}::int[])`);
    const major = chosen.filter((kd) => kd.severity === 'major').map((kd) => kd.slot);
    const other = chosen.filter((kd) => kd.severity !== 'major').map((kd) => kd.slot);
    // All time (one day value): each column of band cells by itself (i = ANY), so the key (band, day,
    // i, j, …) bounds j too, where a range on i reads every j of the city between ia and ib (2.7× the
    // rows in view at zoom 13). Not for a window: after a range of days, each column would be a scan of
    // every day in it (measured: 30 days at zoom 13 over 10^7 reports, 200 → 300 ms).
    const parts = blocks.map((b) => {
      const m = 2 ** (b.L - k);
      const columns = !windowed && b.ib - b.ia < ROLLUP_MAX_COLUMNS
        ? `i = ANY (${p(Array.from({ length: b.ib - b.ia + 1 }, (_, x) => b.ia + x))}::int[])` : `i BETWEEN ${p(b.ia)} AND ${p(b.ib)}`;
      return `SELECT floor((i + ${m / 2})::float8 / ${m})::bigint AS i, floor((j + ${m / 2})::float8 / ${m})::bigint AS j,
                     ${sumOf(major)} AS major, ${sumOf(other)} AS other
              FROM report_heat WHERE band = ${b.L} AND ${columns} AND j BETWEEN ${p(b.ja)} AND ${p(b.jb)} AND ${days.join(' AND ')}`;
    });
    const { rows } = await q.query<{ i: string; j: string; major: string; other: string }>(
      `SELECT i, j, sum(major)::bigint AS major, sum(other)::bigint AS other FROM (${parts.join(' UNION ALL ')}) b GROUP BY 1, 2`, params);
    add(rows.map((r) => ({
      i: r.i, j: r.j, count: Number(r.major) + Number(r.other),
      weight: Number(r.major) * opts.weights.major + Number(r.other) * opts.weights.ordinary,
    })), 1);
  }

  // Reports in the rollup's part (band cells of the outer block, whole days), as SQL on `r`.
  const { ia, ib, ja, jb } = outer;
  const inRollup = (params: unknown[]) => {
    const p = (v: unknown) => `$${params.push(v)}`;
    const hh = p(h);
    const cond = [
      `floor(ST_X(r.geom) * ${R * Math.PI / 180} / ${hh}::float8) BETWEEN ${p(ia)} AND ${p(ib)}`,
      `floor(ln(tan(pi() / 4 + radians(ST_Y(r.geom)) / 2)) * ${R} / ${hh}::float8) BETWEEN ${p(ja)} AND ${p(jb)}`,
    ];
    if (d0) cond.push(`r.created_at >= ${p(d0)}::timestamptz`);
    if (d1) cond.push(`r.created_at < ${p(d1)}::timestamptz`);
    return `(${cond.join(' AND ')})`;
  };
  const rawBins = async (filter: ReportFilter, extra: (params: unknown[]) => string) => {
    const params: unknown[] = [];
    const size = `$${params.push(S)}::float8`;
    const where = reportFilterSql({ ...filter, bbox }, params);
    const more = extra(params);
    const weight = weightSql(opts.weights, params);
    const { rows } = await q.query<{ i: string; j: string; count: number; weight: number }>(
      `SELECT i, j, count(*)::int AS count, sum(w)::float8 AS weight FROM (
         SELECT round(ST_X(r.geom) * ${R * Math.PI / 180} / ${size})::bigint AS i,
                round(ln(tan(pi() / 4 + radians(ST_Y(r.geom)) / 2)) * ${R} / ${size})::bigint AS j,
                ${weight} AS w
         FROM reports r WHERE ${where} AND ${more}) p
       GROUP BY i, j`, params);
    return rows;
  };

  // 2. The rest from the reports: the bbox's edge strips (any time) and the window's partial days.
  add(await rawBins(f, (params) => {
    const p = (v: unknown) => `$${params.push(v)}`;
    const eps = 1e-9;
    const lonA = lonOf(ia * h) + eps, lonB = lonOf((ib + 1) * h) - eps;
    const latA = latOf(ja * h) + eps, latB = latOf((jb + 1) * h) - eps;
    const env = (w: number, s: number, e: number, n: number) => `r.geom && ST_MakeEnvelope(${p(w)}, ${p(s)}, ${p(e)}, ${p(n)}, 4326)`;
    const any = [
      env(bbox[0], bbox[1], lonA, bbox[3]), env(lonB, bbox[1], bbox[2], bbox[3]),
      env(bbox[0], bbox[1], bbox[2], latA), env(bbox[0], latB, bbox[2], bbox[3]),
    ];
    if (d0) any.push(`r.created_at < ${p(d0)}::timestamptz`);
    if (d1) any.push(`r.created_at >= ${p(d1)}::timestamptz`);
    return `NOT ${inRollup(params)} AND (${any.join(' OR ')})`;
  }), 1);

  // 3. Overdue: the rollup counted every open report of its part; take away those not yet overdue.
  if (f.state === 'overdue') {
    add(await rawBins({ ...f, state: 'open' }, (params) =>
      `(r.due_at IS NULL OR r.due_at >= $${params.push(f.now)}::timestamptz) AND ${inRollup(params)}`), -1);
  }

  return [...bins.values()].filter((b) => b.count > 0).map((b) => ({
    lon: lonOf(b.i * S), lat: latOf(b.j * S), count: b.count, weight: b.weight,
  }));
}

/** Up to `limit` reports a filter selects, as points with their weight; id order, so a page is stable. */
export async function heatPoints(q: Queryable, filter: ReportFilter, weights: Record<Severity, number>, limit: number): Promise<HeatPoint[]> {
  const params: unknown[] = [];
  const where = reportFilterSql({ ...filter, bbox: clipToMercator(filter.bbox) }, params);
  const weight = weightSql(weights, params);
  const { rows } = await q.query<{ id: number; lon: number; lat: number; weight: number; category: string; severity: Severity; state: State; due_at: Date | null; created_at: Date }>(
    `SELECT r.id, ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat, ${weight} AS weight, r.category, r.severity, r.state, r.due_at, r.created_at
     FROM reports r WHERE ${where} ORDER BY r.id LIMIT $${params.push(limit)}`, params);
  return rows.map((r) => ({
    id: r.id, lon: r.lon, lat: r.lat, weight: r.weight, category: r.category, severity: r.severity, state: r.state,
    overdue: isOverdue(r, filter.now), reportedAt: r.created_at.toISOString(),
  }));
}

/** The bbox of the cells in a scope (all cells when it is empty), or undefined when there are none. */
async function scopeExtent(q: Queryable, scope: number[]): Promise<Bbox | undefined> {
  const { rows } = await q.query<{ w: number | null; s: number | null; e: number | null; n: number | null }>(
    `WITH x AS (SELECT ST_Extent(geom) AS b FROM cells WHERE cardinality($1::int[]) = 0 OR id = ANY ($1::int[]) OR ancestors && $1::int[])
     SELECT ST_XMin(b) AS w, ST_YMin(b) AS s, ST_XMax(b) AS e, ST_YMax(b) AS n FROM x`, [scope]);
  const r = rows[0];
  return r && r.w !== null ? [r.w, r.s!, r.e!, r.n!] : undefined;
}

/** What GET /api/heatmap answers; the bbox is the one used, the weights those of the configuration. */
export type HeatmapResult = HeatmapResponse & { bbox: Bbox; severityWeights: Record<Severity, number> };

/**
 * Points when there are at most `threshold` of them (or fewer), else bins sized to the zoom. The bins
 * come from the rollup where it can answer (binRollup), which also tells whether there are few
 * enough reports for points; `source: 'raw'` bins the reports only (the benchmark's comparison).
 */
export async function heatmap(
  q: Queryable, cfg: CommandConfig, filter: ReportFilter, zoom: number, forceBins = false, source: 'rollup' | 'raw' = 'rollup',
): Promise<HeatmapResult> {
  const bbox = clipToMercator(filter.bbox);
  const threshold = cfg.heatmap.pointThreshold;
  const base = { threshold, zoom, bbox, severityWeights: cfg.severityWeights };
  // Without a bbox the bins are sized for the extent of the cells in scope (the filter stays unbounded).
  const binSize = async () => fitBinSize(filter.bbox ? bbox : clipToMercator(await scopeExtent(q, filter.scope)), binSizeMetres(zoom, cfg.heatmap.binPixels), cfg.heatmap.maxGridCells);
  if (source === 'rollup') {
    const cellSize = await binSize();
    const bins = await binRollup(q, { filter, cellSize, weights: cfg.severityWeights });
    if (bins) {
      const total = bins.reduce((s, b) => s + b.count, 0);
      if (forceBins || total > threshold) {
        return { ...base, mode: 'bins', cellSize, bins, total, totalWeight: bins.reduce((s, b) => s + b.weight, 0) };
      }
      const points = await heatPoints(q, filter, cfg.severityWeights, threshold);
      return { ...base, mode: 'points', total: points.length, totalWeight: points.reduce((s, p) => s + p.weight, 0), cellSize: null, points };
    }
  }
  if (!forceBins) {
    // One more than the threshold tells "too many" without counting them all.
    const points = await heatPoints(q, filter, cfg.severityWeights, threshold + 1);
    if (points.length <= threshold) {
      return { ...base, mode: 'points', total: points.length, totalWeight: points.reduce((s, p) => s + p.weight, 0), cellSize: null, points };
    }
  }
  const cellSize = await binSize();
  const bins = await binReports(q, { filter, cellSize, weights: cfg.severityWeights });
  return {
    ...base, mode: 'bins', cellSize, bins,
    total: bins.reduce((s, b) => s + b.count, 0),
    totalWeight: bins.reduce((s, b) => s + b.weight, 0),
  };
}

export interface HeatmapQuery {
  bbox?: string;
  zoom: number;
  category?: string;
  severity?: Severity;
  state: StateFilter;
  from?: string;
  to?: string;
  mode: 'auto' | 'bins';
}

export default async function heatmapRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  app.get<{ Querystring: HeatmapQuery; Reply: HeatmapResponse }>('/api/heatmap', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['command'],
      summary: 'The hazard heatmap of my cells: raw points up to the threshold, above it weighted bins on a Web Mercator grid sized to the zoom',
      description: 'Filters: bbox (minLon,minLat,maxLon,maxLat, WGS 84; default the whole world, bins then sized for the extent of my cells), category, severity, state '
        + '(open | overdue | closed | all: the state now; overdue = open and past its deadline now), from/to (reported in [from, to)). '
        + 'Weight per report by severity from configuration (command.severityWeights, default ordinary 1, major 3). '
        + 'mode=bins forces bins. Commanders and grid workers see their scope, admins everything.',
      querystring: {
        type: 'object',
        properties: {
          bbox: { type: 'string', pattern: '^[^,]+,[^,]+,[^,]+,[^,]+$', description: 'minLon,minLat,maxLon,maxLat' },
          zoom: { type: 'integer', minimum: 0, maximum: 24, default: 10, description: 'The map zoom; sets the bin size' },
          category: { type: 'string', maxLength: 64 },
          severity: { type: 'string', enum: SEVERITIES },
          state: { type: 'string', enum: STATE_FILTERS, default: 'all' },
          ...timeWindowQuery,
          mode: { type: 'string', enum: ['auto', 'bins'], default: 'auto' },
        },
        additionalProperties: false,
      },
      response: { 200: heatmapResponseSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const q = request.query;
    const filter: ReportFilter = {
      scope: scopeOf(actor), category: q.category, severity: q.severity, state: q.state,
      ...parseWindow(q.from, q.to), bbox: q.bbox ? parseBbox(q.bbox) : undefined, now: now(),
    };
    return heatmap(db, config.command, filter, q.zoom, q.mode === 'bins');
  });
}
