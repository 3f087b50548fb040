import { bboxSql } from '../../cells/feature.ts';
import type { Feature, Geometry } from 'geojson';
import type { Config } from '../../config.ts';
import type { Queryable } from '../../db/db.ts';
import { scopeOf, type Actor } from '../../auth/actor.ts';
import { typeName, unitInScopeSql } from '../../units/feature.ts';
import { OPEN_STATES } from '../../../core/reports/workflow.ts';

/** A filter on a collection's items: bbox (CRS84), a time instant or interval, paging. */
export interface ItemQuery {
  bbox?: [number, number, number, number];
  datetime?: { start: string | null; end: string | null };
  limit: number;
  offset: number;
}

export interface CollectionDef {
  id: string;
  title: string;
  description: string;
  /** Only for signed-in users (units are not public). */
  needsUser: boolean;
  /** Items limited to the user's scope by this SQL cell column (units: personal data, 404 outside scope). */
  scopeColumn?: string;
  temporal: boolean;
  /** SQL pieces: the table (aliased t), the geometry, a fixed condition, the order. */
  from: string;
  geom: string;
  where: string | null;
  whereParams: unknown[];
  order: string;
  columns: string;
  /** The id as the path carries it, and the SQL that finds one item by it. */
  idWhere: string;
  parseId: (id: string) => unknown;
  toFeature: (row: Record<string, unknown>) => Feature;
  /** Vector tiles of the collection (OGC API – Tiles): the cells tiles, of one level or all. */
  tiles?: { level?: number };
  /** Property names and JSON types, for the OpenAPI document. */
  properties: Record<string, 'string' | 'integer' | 'number' | 'boolean'>;
}

const round7 = (n: number) => Math.round(n * 1e7) / 1e7;

/** A report's public place: its point, or for a confidential one a point inside its cell. */
const PUBLIC_REPORT_GEOM = 'CASE WHEN t.confidential THEN ST_PointOnSurface(c.geom) ELSE t.geom END';

/**
 * The collections: cells (every level), one per level, units (signed-in users) and reports (the
 * public summary only: what, how severe, where, when, state — never who reported or who works it).
 */
export function collectionDefs(config: Config): CollectionDef[] {
  const levelName = (level: number) => config.levels.find((l) => l.level === level);
  const cellCollection = (level: number | null): CollectionDef => ({
    id: level === null ? 'cells' : `cells-level-${level}`,
    title: level === null ? '网格 Grid cells' : `网格 ${levelName(level)?.zh ?? level} · Level ${level} cells (${levelName(level)?.en ?? ''})`.replace(' ()', ''),
    description: level === null
      ? 'Every grid cell of every level: code, name, level, parent code, true area in m²'
      : `The grid cells of level ${level} (${levelName(level)?.zh ?? ''} ${levelName(level)?.en ?? ''})`,
    needsUser: false,
    temporal: false,
    tiles: level === null ? {} : { level },
    from: 'cells t LEFT JOIN cells p ON p.id = t.parent_id',
    geom: 't.geom',
    where: level === null ? null : 't.level = $L',
    whereParams: level === null ? [] : [level],
    order: 't.level, t.code',
    columns: `t.code, t.name, t.level, p.code AS parent_code, ST_Area(t.geom::geography) AS area_m2, t.updated_at,
      ST_AsGeoJSON(ST_ForcePolygonCCW(t.geom), 7)::json AS geometry`,
    idWhere: 't.code = $ID',
    parseId: (id) => id,
    toFeature: (r) => ({
      type: 'Feature',
      id: r.code as string,
      geometry: r.geometry as Geometry,
      properties: {
        code: r.code, name: r.name, level: r.level, levelName: levelName(r.level as number)?.zh ?? null,
        parentCode: r.parent_code, areaM2: Math.round((r.area_m2 as number) * 100) / 100, updatedAt: new Date(r.updated_at as string).toISOString(),
      },
    }),
    properties: { code: 'string', name: 'string', level: 'integer', levelName: 'string', parentCode: 'string', areaM2: 'number', updatedAt: 'string' },
  });

  const numericId = (id: string) => (/^\d{1,9}$/.test(id) ? Number(id) : null);
  const reportCollection = (open: boolean): CollectionDef => ({
    id: open ? 'reports-open' : 'reports',
    title: open ? '未办结隐患 Open hazard reports' : '隐患上报 Hazard reports',
    description: (open ? 'The reports not closed yet (the same fields as reports). ' : '') + 'Hazard reports as the public sees them: category, severity, state, place and time. Nothing about reporters or staff. '
      + 'A confidential report is placed at its cell (a point inside it, location "cell"), never at its exact point; one in no cell is left out. datetime filters on the time filed.',
    needsUser: false,
    temporal: true,
    // The place the public sees: a confidential report's exact point never leaves the server, not
    // even through a bbox filter or the extent, so every use of the geometry goes through this.
    from: 'reports t LEFT JOIN cells c ON c.id = t.cell_id',
    geom: PUBLIC_REPORT_GEOM,
    where: `(NOT t.confidential OR t.cell_id IS NOT NULL)${open ? ` AND t.state IN (${OPEN_STATES.map((st) => `'${st}'`).join(', ')})` : ''}`,
    whereParams: [],
    order: 't.id',
    columns: `t.id, t.category, t.severity, t.state, t.created_at, t.closed_at, t.confidential, ST_X(${PUBLIC_REPORT_GEOM}) AS lon, ST_Y(${PUBLIC_REPORT_GEOM}) AS lat`,
    idWhere: 't.id = $ID',
    parseId: numericId,
    toFeature: (r) => {
      const category = config.reports.categories.find((c) => c.code === r.category);
      return {
        type: 'Feature',
        id: r.id as number,
        geometry: { type: 'Point', coordinates: [round7(r.lon as number), round7(r.lat as number)] },
        properties: {
          category: r.category, categoryName: category?.zh ?? r.category, severity: r.severity, state: r.state,
          location: r.confidential ? 'cell' : 'exact',
          createdAt: new Date(r.created_at as string).toISOString(), closedAt: r.closed_at ? new Date(r.closed_at as string).toISOString() : null,
        },
      };
    },
    properties: { category: 'string', categoryName: 'string', severity: 'string', state: 'string', location: 'string', createdAt: 'string', closedAt: 'string' },
  });

  return [
    cellCollection(null),
    ...config.levels.map((l) => cellCollection(l.level)),
    {
      id: 'units',
      title: '单位场所 Units and places',
      description: 'Units and places on file (一户一档), each in the smallest cell containing it. Signed-in users only (an API token in QGIS or GDAL).',
      needsUser: true,
      scopeColumn: 't.cell_id',
      temporal: false,
      from: 'units t LEFT JOIN cells c ON c.id = t.cell_id',
      geom: 't.geom',
      // Archived units (归档) are off the active map.
      where: 't.archived_at IS NULL',
      whereParams: [],
      order: 't.id',
      columns: 't.id, t.type, t.name, t.address, c.code AS cell_code, t.updated_at, ST_X(t.geom) AS lon, ST_Y(t.geom) AS lat',
      idWhere: 't.id = $ID',
      parseId: numericId,
      toFeature: (r) => ({
        type: 'Feature',
        id: r.id as number,
        geometry: { type: 'Point', coordinates: [round7(r.lon as number), round7(r.lat as number)] },
        properties: {
          type: r.type, typeName: typeName(config.unitTypes, r.type as string).zh, name: r.name, address: r.address,
          cellCode: r.cell_code, updatedAt: new Date(r.updated_at as string).toISOString(),
        },
      }),
      properties: { type: 'string', typeName: 'string', name: 'string', address: 'string', cellCode: 'string', updatedAt: 'string' },
    },
    reportCollection(false),
    reportCollection(true),
  ];
}

export const visibleTo = (c: CollectionDef, user: Actor | null) => !c.needsUser || user !== null;

/** Replaces the $L / $ID / $n placeholders as parameters are pushed. */
function conditions(c: CollectionDef, q: Partial<ItemQuery>, params: unknown[], user: Actor | null): string {
  const where: string[] = [];
  if (c.scopeColumn) where.push(user ? unitInScopeSql(c.scopeColumn, `$${params.push(scopeOf(user))}`) : 'false');
  if (c.where) where.push(c.where.includes('$L') ? c.where.replace('$L', `$${params.push(c.whereParams[0])}`) : c.where);
  if (q.bbox) {
    where.push(bboxSql(c.geom, q.bbox, params));
  }
  if (q.datetime && c.temporal) {
    const { start, end } = q.datetime;
    if (start !== null && start === end) where.push(`t.created_at = $${params.push(start)}::timestamptz`);
    else {
      if (start !== null) where.push(`t.created_at >= $${params.push(start)}::timestamptz`);
      if (end !== null) where.push(`t.created_at <= $${params.push(end)}::timestamptz`);
    }
  }
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

export async function queryItems(q: Queryable, c: CollectionDef, query: ItemQuery, user: Actor | null): Promise<{ features: Feature[]; matched: number }> {
  const params: unknown[] = [];
  const where = conditions(c, query, params, user);
  const { rows: count } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${c.from} ${where}`, params);
  const { rows } = await q.query<Record<string, unknown>>(
    `SELECT ${c.columns} FROM ${c.from} ${where} ORDER BY ${c.order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, query.limit, query.offset]);
  return { features: rows.map(c.toFeature), matched: count[0]?.n ?? 0 };
}

export async function queryItem(q: Queryable, c: CollectionDef, id: string, user: Actor | null): Promise<Feature | null> {
  const value = c.parseId(id);
  if (value === null) return null;
  const params: unknown[] = [];
  const where = conditions(c, {}, params, user);
  const { rows } = await q.query<Record<string, unknown>>(
    `SELECT ${c.columns} FROM ${c.from} ${where ? `${where} AND` : 'WHERE'} ${c.idWhere.replace('$ID', `$${params.push(value)}`)}`, params);
  return rows[0] ? c.toFeature(rows[0]) : null;
}

/** The spatial extent (and for reports the time span) of a collection. */
export async function extentOf(q: Queryable, c: CollectionDef, user: Actor | null) {
  const params: unknown[] = [];
  const where = conditions(c, {}, params, user);
  const { rows } = await q.query<{ minx: number | null; miny: number; maxx: number; maxy: number; t0: Date | null; t1: Date | null }>(
    `SELECT ST_XMin(e) AS minx, ST_YMin(e) AS miny, ST_XMax(e) AS maxx, ST_YMax(e) AS maxy, t0, t1
     FROM (SELECT ST_Extent(${c.geom}) AS e, ${c.temporal ? 'min(t.created_at)' : 'NULL::timestamptz'} AS t0, ${c.temporal ? 'max(t.created_at)' : 'NULL::timestamptz'} AS t1
           FROM ${c.from} ${where}) x`, params);
  const r = rows[0];
  const bbox = r && r.minx !== null ? [r.minx, r.miny, r.maxx, r.maxy] : [-180, -90, 180, 90];
  return {
    spatial: { bbox: [bbox], crs: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84' },
    ...(c.temporal ? { temporal: { interval: [[r?.t0 ? new Date(r.t0).toISOString() : null, r?.t1 ? new Date(r.t1).toISOString() : null]], trs: 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian' } } : {}),
  };
}
