import type { UnitTypeConfig } from '../config.ts';
import type { Unit } from '../../core/contracts/units.ts';

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

const round7 = (n: number) => Math.round(n * 1e7) / 1e7;

export function typeName(types: UnitTypeConfig[], code: string) {
  const t = types.find((x) => x.code === code);
  return { zh: t?.zh ?? code, en: t?.en ?? code };
}

export function toUnitFeature(types: UnitTypeConfig[], r: UnitRow): Unit {
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
