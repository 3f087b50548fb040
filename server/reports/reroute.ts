import type { Rerouter } from '../cells/reroute.ts';
import { notifyReport } from './events.ts';
import { OPEN_STATES } from '../../core/reports/workflow.ts';

/**
 * After boundary edits, open reports follow their point to the smallest cell that now contains it,
 * as units do; each move is an event and a live update. Closed and rejected reports stay where they
 * were handled (their history), and transferred reports stay with the cell they were handed to,
 * unless that cell is being deleted. Unassigned reports a new cell now covers leave the queue.
 */
export const reportsRerouter: Rerouter = async (q, changed, deleting) => {
  const { rows } = await q.query<{ id: number; from_cell: number | null; to_cell: number | null; state: string }>(
    `WITH moved AS (
       SELECT r2.id, r2.cell_id AS from_cell, route_point(r2.geom, $2::int[]) AS to_cell FROM reports r2
       WHERE r2.state = ANY ($3::text[])
         AND (r2.cell_id = ANY ($2::int[])
              OR (NOT r2.transferred AND (r2.cell_id = ANY ($1::int[]) OR r2.cell_id IS NULL
                  OR EXISTS (SELECT 1 FROM cells c WHERE c.id = ANY ($1::int[]) AND ST_Intersects(c.geom, r2.geom))))))
     UPDATE reports r SET cell_id = m.to_cell, transferred = false, escalated_to = NULL, escalation_level = 0,
       version = r.version + 1, updated_at = now()
     FROM moved m WHERE r.id = m.id AND r.cell_id IS DISTINCT FROM m.to_cell
     RETURNING r.id, m.from_cell, m.to_cell, r.state`,
    [changed, deleting, OPEN_STATES]);
  for (const r of rows) {
    await q.query(
      `INSERT INTO report_events (report_id, at, action, username, from_state, to_state, from_cell, to_cell, detail)
       VALUES ($1, now(), 'reroute',
         -- Who edited the boundaries: set for deletions, else the last editor of the changed cells.
         COALESCE(NULLIF(current_setting('wangge.actor', true), ''),
                  (SELECT c.updated_by FROM cells c WHERE c.id = ANY ($5::int[]) ORDER BY c.updated_at DESC LIMIT 1)),
         $2, $2, $3, $4, '{"reason":"cell boundaries changed"}')`,
      [r.id, r.state, r.from_cell, r.to_cell, changed]);
    await notifyReport(q, r.id, 'changed');
  }
};
