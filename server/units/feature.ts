import type { Feature, Point } from 'geojson';
import type { UnitTypeConfig } from '../config.ts';

export interface UnitRow {
  id: number;
  type: string;
  name: string;
  address: string | null;
  contact: string | null;
  attributes: Record<string, unknown>;
  cell_id: number | null;
  cell_code: string | null;
  lon: number;
  lat: number;
  version: number;
  updated_at: Date;
  archived_at: Date | null;
  archived_by: string | null;
}

export const UNIT_COLUMNS = `u.id, u.type, u.name, u.address, u.contact, u.attributes, u.cell_id, c.code AS cell_code,
  ST_X(u.geom) AS lon, ST_Y(u.geom) AS lat, u.version, u.updated_at, u.archived_at, u.archived_by`;
export const UNIT_FROM = 'units u LEFT JOIN cells c ON c.id = u.cell_id';

/**
 * SQL true when the unit's cell column `cellColumn` is in the scope given as parameter `param` (an
 * int[] of subtree roots; empty = the whole grid, including units in no cell). Units and their
 * records are personal data: outside one's scope they are not admitted to exist (404), as reports.
 */
export const unitInScopeSql = (cellColumn: string, param: string) => `(cardinality(${param}::int[]) = 0 OR ${cellColumn} IN (
  SELECT id FROM cells WHERE id = ANY (${param}::int[]) OR ancestors && ${param}::int[]))`;

export interface UnitProperties {
  type: string;
  typeName: { zh: string; en: string };
  name: string;
  address: string | null;
  contact: string | null;
  attributes: Record<string, unknown>;
  cellId: number | null;
  cellCode: string | null;
  version: number;
  updatedAt: string;
  /** When the unit was archived (归档), null while it is active. */
  archivedAt: string | null;
  archivedBy: string | null;
}

const round7 = (n: number) => Math.round(n * 1e7) / 1e7;

export function typeName(types: UnitTypeConfig[], code: string) {
  const t = types.find((x) => x.code === code);
  return { zh: t?.zh ?? code, en: t?.en ?? code };
}

export function toUnitFeature(types: UnitTypeConfig[], r: UnitRow): Feature<Point, UnitProperties> & { id: number } {
  return {
    type: 'Feature',
    id: r.id,
    geometry: { type: 'Point', coordinates: [round7(r.lon), round7(r.lat)] },
    properties: {
      type: r.type, typeName: typeName(types, r.type), name: r.name, address: r.address, contact: r.contact,
      attributes: r.attributes, cellId: r.cell_id, cellCode: r.cell_code, version: r.version, updatedAt: new Date(r.updated_at).toISOString(),
      archivedAt: r.archived_at ? new Date(r.archived_at).toISOString() : null, archivedBy: r.archived_by ?? null,
    },
  };
}

export const unitFeatureSchema = {
  $id: 'UnitFeature',
  type: 'object',
  properties: {
    type: { const: 'Feature' },
    id: { type: 'integer' },
    geometry: { type: 'object', additionalProperties: true, description: 'GeoJSON Point, EPSG:4326' },
    properties: {
      type: 'object',
      properties: {
        type: { type: 'string' },
        typeName: { type: 'object', properties: { zh: { type: 'string' }, en: { type: 'string' } } },
        name: { type: 'string' },
        address: { type: ['string', 'null'] },
        contact: { type: ['string', 'null'] },
        attributes: { type: 'object', additionalProperties: true },
        cellId: { type: ['integer', 'null'], description: 'the smallest cell containing the unit (route_point)' },
        cellCode: { type: ['string', 'null'] },
        version: { type: 'integer' },
        updatedAt: { type: 'string' },
        archivedAt: { type: ['string', 'null'], description: 'when the unit was archived (归档); null while active' },
        archivedBy: { type: ['string', 'null'] },
      },
    },
  },
} as const;

export const unitCollectionSchema = {
  $id: 'UnitCollection',
  type: 'object',
  properties: { type: { const: 'FeatureCollection' }, features: { type: 'array', items: { $ref: 'UnitFeature#' } } },
} as const;
