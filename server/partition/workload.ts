import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import type { BandMetric, WorkloadConfig, WorkloadWeights } from './config.ts';

/** What a piece of ground holds, before weighting. */
export type { Balance, Measures } from '../../core/contracts/partition.ts';
import type { Balance, Measures } from '../../core/contracts/partition.ts';

export const ZERO: Measures = { households: 0, units: 0, unitsWeighted: 0, population: 0, areaM2: 0, reports: 0, patrolMinutes: 0 };

export const addMeasures = (a: Measures, b: Measures): Measures => ({
  households: a.households + b.households, units: a.units + b.units, unitsWeighted: a.unitsWeighted + b.unitsWeighted,
  population: a.population + b.population, areaM2: a.areaM2 + b.areaM2, reports: a.reports + b.reports, patrolMinutes: a.patrolMinutes + b.patrolMinutes,
});

/** The workload of measured ground: each measure times its weight. */
export function workloadOf(m: Measures, w: WorkloadWeights): number {
  return m.households * w.households + m.unitsWeighted * w.units + (m.areaM2 / 1e6) * w.areaKm2
    + m.reports * w.reports + m.population * w.population + (m.patrolMinutes / 60) * w.patrolHours;
}

export function balanceOf(values: number[]): Balance {
  const n = values.length;
  if (!n) return { mean: 0, cv: 0, min: 0, max: 0, maxMin: null };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { mean, cv: mean > 0 ? sd / mean : 0, min, max, maxMin: min > 0 ? max / min : null };
}

/** 'below' or 'above' the configured band, or null inside it (or when there is no band). */
export function bandStatus(m: Measures, workload: number, band: WorkloadConfig['band']): 'below' | 'above' | null {
  if (!band) return null;
  const v = band.metric === 'workload' ? workload : m[band.metric as Exclude<BandMetric, 'workload'>];
  return v < band.min ? 'below' : v > band.max ? 'above' : null;
}

/**
 * Inspection minutes a month for one unit of each type: the first patrol plan listing the type,
 * its visits per rolling window spread over an average month, times the minutes of one visit.
 */
export function patrolMinutesByType(config: Pick<Config, 'patrols' | 'unitTypes' | 'workload'>): Record<string, number> {
  const out: Record<string, number> = {};
  const days = { day: 1, week: 7, month: 30.44 } as const;
  for (const t of config.unitTypes) {
    const plan = config.patrols.plans.find((p) => p.unitTypes?.includes(t.code));
    if (!plan) continue;
    const c = plan.cadence;
    out[t.code] = ((c.times ?? 1) / ((c.every ?? 1) * days[c.period])) * 30.44 * config.workload.visitMinutes;
  }
  return out;
}

/**
 * SQL aggregates of the measures of units `u` (a row set with type, attributes), given the unit
 * weights as jsonb parameter `weights` and the patrol minutes per type as jsonb parameter `patrol`.
 */
export const unitAggregatesSql = (weights: string, patrol: string) => `
  count(u.*)::float8 AS units,
  coalesce(sum(CASE WHEN jsonb_typeof(u.attributes->'households') = 'number' THEN (u.attributes->>'households')::float8 END), 0) AS households,
  coalesce(sum(CASE WHEN jsonb_typeof(u.attributes->'population') = 'number' THEN (u.attributes->>'population')::float8 END), 0) AS population,
  coalesce(sum(coalesce((${weights}::jsonb->>(u.attributes->>'kind'))::float8, (${weights}::jsonb->>u.type)::float8, 1)), 0) AS units_weighted,
  coalesce(sum(coalesce((${patrol}::jsonb->>u.type)::float8, 0)), 0) AS patrol_minutes`;

export interface MeasureRow {
  units: number;
  households: number;
  population: number;
  units_weighted: number;
  patrol_minutes: number;
  reports: number;
  area_m2: number;
}

export const toMeasures = (r: MeasureRow): Measures => ({
  households: Number(r.households), units: Number(r.units), unitsWeighted: Number(r.units_weighted), population: Number(r.population),
  areaM2: Number(r.area_m2), reports: Number(r.reports), patrolMinutes: Number(r.patrol_minutes),
});

/** Reports count from a year before now. */
export const reportsSince = (now: Date) => new Date(now.getTime() - 365.25 * 86_400_000);

export interface CellWorkload extends Measures {
  id: number;
  code: string;
  name: string;
  workload: number;
  outsideBand: 'below' | 'above' | null;
}

/**
 * The measures of each child of a parent: the units and reports filed anywhere in its subtree
 * (they are filed in the smallest cell containing them), its true area. Also what is filed in the
 * parent itself, on ground no child covers.
 */
export async function childMeasures(q: Queryable, config: Config, parentId: number, now: Date) {
  const params = [parentId, JSON.stringify(config.workload.unitWeights), JSON.stringify(patrolMinutesByType(config)), reportsSince(now)];
  const { rows } = await q.query<MeasureRow & { id: number; code: string; name: string }>(
    `WITH sub (root, id) AS (
       SELECT (k.ancestors || k.id)[array_position(k.ancestors, $1::int) + 1], k.id FROM cells k WHERE k.ancestors @> ARRAY[$1::int]),
     filed AS (SELECT $1::int AS root, $1::int AS id UNION ALL SELECT root, id FROM sub),
     roots AS (SELECT c.id, c.code, c.name, cell_area_m2(c.geom) AS area_m2 FROM cells c WHERE c.parent_id = $1
               UNION ALL SELECT $1::int, '', '', 0::float8)
     SELECT r.id, r.code, r.name, r.area_m2, um.*, rp.reports
     FROM roots r
     CROSS JOIN LATERAL (SELECT ${unitAggregatesSql('$2', '$3')} FROM units u
       WHERE u.archived_at IS NULL AND u.cell_id IN (SELECT f.id FROM filed f WHERE f.root = r.id)) um
     CROSS JOIN LATERAL (SELECT count(*)::float8 AS reports FROM reports x
       WHERE x.created_at >= $4 AND x.cell_id IN (SELECT f.id FROM filed f WHERE f.root = r.id)) rp
     ORDER BY r.code`, params);
  const children = rows.filter((r) => r.id !== parentId);
  const unfiled = rows.find((r) => r.id === parentId)!;
  return { children: children.map((r) => ({ id: r.id, code: r.code, name: r.name, ...toMeasures(r) })), unfiled: toMeasures(unfiled) };
}

/**
 * The measures of any set of areas (drawn, proposed, adjusted): each unit and report counted once,
 * in the first area holding it, so areas sharing a border do not count its points twice; `scope`
 * (subtree roots, empty = everywhere) limits the units and reports counted to those a user sees.
 */
export async function measureAreas(q: Queryable, config: Config, geometries: string[], scope: number[], now: Date): Promise<Measures[]> {
  const { rows } = await q.query<MeasureRow & { i: number }>(
    `WITH f AS (SELECT i::int AS i, ST_SetSRID(ST_GeomFromGeoJSON(j), 4326) AS g FROM unnest($1::text[]) WITH ORDINALITY AS x(j, i)),
     box AS (SELECT ST_SetSRID(ST_Extent(g)::geometry, 4326) AS b FROM f),
     sub AS (SELECT id FROM cells WHERE cardinality($5::int[]) = 0 OR id = ANY ($5::int[]) OR ancestors && $5::int[]),
     um AS (SELECT w.i, ${unitAggregatesSql('$2', '$3')} FROM units u CROSS JOIN box
            CROSS JOIN LATERAL (SELECT f.i FROM f WHERE f.g && u.geom AND ST_Intersects(f.g, u.geom) ORDER BY f.i LIMIT 1) w
            WHERE u.geom && box.b AND u.archived_at IS NULL AND (cardinality($5::int[]) = 0 OR u.cell_id IN (SELECT id FROM sub)) GROUP BY w.i),
     rm AS (SELECT w.i, count(*)::float8 AS reports FROM reports r CROSS JOIN box
            CROSS JOIN LATERAL (SELECT f.i FROM f WHERE f.g && r.geom AND ST_Intersects(f.g, r.geom) ORDER BY f.i LIMIT 1) w
            WHERE r.geom && box.b AND r.created_at >= $4 AND (cardinality($5::int[]) = 0 OR r.cell_id IN (SELECT id FROM sub)) GROUP BY w.i)
     SELECT f.i, cell_area_m2(f.g) AS area_m2, coalesce(um.units, 0) AS units, coalesce(um.households, 0) AS households,
            coalesce(um.population, 0) AS population, coalesce(um.units_weighted, 0) AS units_weighted,
            coalesce(um.patrol_minutes, 0) AS patrol_minutes, coalesce(rm.reports, 0) AS reports
     FROM f LEFT JOIN um ON um.i = f.i LEFT JOIN rm ON rm.i = f.i ORDER BY f.i`,
    [geometries, JSON.stringify(config.workload.unitWeights), JSON.stringify(patrolMinutesByType(config)), reportsSince(now), scope]);
  return rows.map(toMeasures);
}
