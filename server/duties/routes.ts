import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { audit } from '../audit.ts';
import { assertCellEditable, cellWhat } from '../auth/guard.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams } from '../schemas.ts';
import { templateOf, type DutyItem } from './config.ts';
import { cellDuties } from './model.ts';
import { cellDutiesSchema as dutiesSchema, dutiesBodySchema, type CellDuties, type DutiesBody } from '../../core/contracts/duties.ts';

async function loadCell(q: Queryable, id: number, lock = false) {
  const { rows } = await q.query<{ id: number; name: string; level: number }>(`SELECT id, name, level FROM cells WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
  if (!rows[0]) throw problem('cells.not-found', { id });
  return rows[0];
}

/** 五定 of a cell: read by anyone (they are posted publicly), changed by planners in scope. */
export default async function dutiesRoutes(app: FastifyInstance, { db, config }: AppContext) {
  const bodySchema = dutiesBodySchema(config.duties.domains.map((d) => d.code));
  async function read(q: Queryable, id: number): Promise<CellDuties> {
    const cell = await loadCell(q, id);
    const t = templateOf(config.duties, cell.level);
    return {
      cellId: cell.id, level: cell.level, ...(await cellDuties(q, config.duties, cell.id, cell.level)),
      template: { duties: t.duties, tasks: t.tasks }, domains: config.duties.domains,
    };
  }

  app.get<{ Params: { id: number } }>('/api/cells/:id/duties', {
    config: { access: 'public' },
    schema: {
      tags: ['cells'],
      summary: "A cell's duties (定职责), tasks (定任务) and its level's reward/penalty rules (定奖惩); inherited from the level's template until changed",
      params: idParams,
      response: { 200: dutiesSchema, '4xx': problemSchema },
    },
  }, async (request) => read(db, request.params.id));

  app.put<{ Params: { id: number }; Body: DutiesBody }>('/api/cells/:id/duties', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: "Change a cell's duties and/or tasks: a list replaces the cell's own, null restores the level's template",
      params: idParams,
      body: bodySchema,
      response: { 200: dutiesSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const body = request.body;
    return db.transaction(async (tx) => {
      const cell = await loadCell(tx, request.params.id, true);
      await assertCellEditable(tx, actor, cell.id, cellWhat(cell.id, cell.name));
      const clean = (list: DutyItem[] | null | undefined) => (list == null ? null : JSON.stringify(list.map((i) => ({ domain: i.domain, text: i.text.trim() }))));
      // Absent keeps the stored value; null (restore) clears it.
      await tx.query(
        `INSERT INTO cell_duties (cell_id, duties, tasks, updated_by) VALUES ($1, $2::jsonb, $3::jsonb, $4)
         ON CONFLICT (cell_id) DO UPDATE SET
           duties = CASE WHEN $5 THEN EXCLUDED.duties ELSE cell_duties.duties END,
           tasks = CASE WHEN $6 THEN EXCLUDED.tasks ELSE cell_duties.tasks END,
           updated_at = now(), updated_by = EXCLUDED.updated_by`,
        [cell.id, clean(body.duties), clean(body.tasks), actor.username, 'duties' in body, 'tasks' in body]);
      await tx.query('DELETE FROM cell_duties WHERE cell_id = $1 AND duties IS NULL AND tasks IS NULL', [cell.id]);
      const changed = (['duties', 'tasks'] as const).filter((k) => k in body);
      await audit(tx, request, 'cell.duties', `cell:${cell.id}`, {
        changed, restored: changed.filter((k) => body[k] === null),
      });
      return read(tx, cell.id);
    });
  });
}
