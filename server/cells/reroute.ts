import type { Queryable } from '../db/db.ts';

/**
 * Re-files the points of one table after boundary changes. `changed` cells have new ground (or are
 * new); `deleting` cells are still in the table but about to go, so route_point must skip them.
 */
export type Rerouter = (q: Queryable, changed: number[], deleting: number[]) => Promise<void>;

/**
 * A point table with a geometry column `geom` and a cell column `cell_id` kept at route_point(geom).
 * Affected points are those filed in a changed or deleted cell (they may have left it) and those on
 * the ground of a changed cell that sit in no cell or in one no deeper than it (it may have gained
 * them). Points in a deeper cell stay: that cell's ground did not change, and deeper wins. So
 * reshaping a district does not re-route every unit in it. Rows whose cell stays are not touched.
 */
export function pointTableRerouter(table: string): Rerouter {
  return async (q, changed, deleting) => {
    await q.query(
      `UPDATE ${table} t SET cell_id = r.cell_id
       FROM (SELECT t2.id, route_point(t2.geom, $2::int[]) AS cell_id FROM ${table} t2
             WHERE t2.cell_id = ANY ($1::int[]) OR t2.cell_id = ANY ($2::int[])
                OR EXISTS (SELECT 1 FROM cells c WHERE c.id = ANY ($1::int[]) AND ST_Intersects(c.geom, t2.geom)
                           AND NOT EXISTS (SELECT 1 FROM cells cur WHERE cur.id = t2.cell_id AND cur.level > c.level))) r
       WHERE t.id = r.id AND t.cell_id IS DISTINCT FROM r.cell_id`,
      [changed, deleting]);
  };
}

/**
 * Every table of points filed in cells. The module that owns such a table registers its re-router
 * as the app is built (units, reports), so cells knows nothing of them.
 */
const REROUTERS = new Set<Rerouter>();

/** Registers a table's re-router once (registering it again, as every new app does, changes nothing). */
export function refileOnCellChange(rerouter: Rerouter): void {
  REROUTERS.add(rerouter);
}

/**
 * Called by the cells writer (CellWriter.refile, ./writer.ts) inside the transaction of every
 * boundary change, with the cells whose ground changed
 * (and those about to be deleted). Points filed in cells — units, reports — are re-routed here so
 * they always sit in the smallest cell that contains them.
 */
export async function afterCellsChanged(q: Queryable, changed: number[], deleting: number[] = []): Promise<void> {
  if (changed.length === 0 && deleting.length === 0) return;
  for (const reroute of REROUTERS) await reroute(q, changed, deleting);
}
