import type { Db } from '../../server/db/db.ts';

/** An axis-aligned square polygon ring, clockwise on purpose (export must fix the winding). */
export function square(minLon: number, minLat: number, size: number): number[][][] {
  return [[[minLon, minLat], [minLon, minLat + size], [minLon + size, minLat + size], [minLon + size, minLat], [minLon, minLat]]];
}

/** Inserts a cell directly (bypassing the API) and returns its id. */
export async function insertCell(db: Db, c: { code: string; name: string; level: number; parentId?: number | null; rings: number[][][] }): Promise<number> {
  const geometry = { type: 'Polygon', coordinates: c.rings };
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO cells (code, name, level, parent_id, geom) VALUES ($1, $2, $3, $4, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($5), 4326))) RETURNING id`,
    [c.code, c.name, c.level, c.parentId ?? null, JSON.stringify(geometry)],
  );
  return rows[0]!.id;
}

/** A district (0.1° square at 107°E 34°N) split into two streets side by side. */
export async function twoStreets(db: Db) {
  const district = await insertCell(db, { code: '610302', name: '渭滨区', level: 1, rings: square(107, 34, 0.1) });
  const west = await insertCell(db, { code: '610302001', name: '西街道', level: 2, parentId: district, rings: [[[107, 34], [107, 34.1], [107.05, 34.1], [107.05, 34], [107, 34]]] });
  const east = await insertCell(db, { code: '610302002', name: '东街道', level: 2, parentId: district, rings: [[[107.05, 34], [107.05, 34.1], [107.1, 34.1], [107.1, 34], [107.05, 34]]] });
  return { district, west, east };
}
