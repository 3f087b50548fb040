import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { AssignmentRoleConfig } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { audit } from '../audit.ts';
import { assertCellEditable, cellWhat } from '../auth/guard.ts';
import { problem, problemSchema } from '../problem.ts';
import type { Actor } from '../auth/actor.ts';
import { fullPhoneSql, shownPhone } from './phone.ts';
import { idParams, idSchema } from '../schemas.ts';
import { gapsOf, maxViolations, roleName } from '../../core/people/rules.ts';
import { assignmentRoleSchema, assignmentSchema, assignmentsBodySchema, peopleGapSchema, roleNameSchema, type Assignment, type AssignmentsBody, type PeopleGap } from '../../core/contracts/people.ts';

interface AssignmentRow {
  position: number;
  role: string;
  person_id: number;
  name: string;
  phone: string | null;
  organisation: string | null;
  title: string | null;
  full_phone: boolean;
}

/** A cell's people in order; each phone in full only where the actor may see it (fullPhoneSql). */
export async function cellAssignments(q: Queryable, roles: AssignmentRoleConfig[], cellId: number, actor: Actor): Promise<Assignment[]> {
  const params: unknown[] = [cellId];
  const { rows } = await q.query<AssignmentRow>(
    `SELECT a.position, a.role, a.person_id, p.name, p.phone, p.organisation, p.title, ${fullPhoneSql('p.id', actor, params)} AS full_phone
     FROM cell_assignments a JOIN people p ON p.id = a.person_id WHERE a.cell_id = $1 ORDER BY a.position`, params);
  return rows.map((r) => ({
    position: r.position, role: r.role, roleName: roleName(roles, r.role), personId: r.person_id,
    name: r.name, phone: shownPhone(r.phone, r.full_phone), organisation: r.organisation, title: r.title,
  }));
}

async function assertCellExists(q: Queryable, id: number, lock = false) {
  const { rowCount } = await q.query(`SELECT 1 FROM cells WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
  if (!rowCount) throw problem('people.cell-not-found', { id });
}

/** Who answers for each cell, in which role; the role rules of the configuration hold on every save. */
export default async function assignmentRoutes(app: FastifyInstance, { db, config }: AppContext) {
  const roles = config.assignmentRoles;
  const roleCodes = roles.map((r) => r.code);

  app.get('/api/assignment-roles', {
    config: { access: 'public' },
    schema: {
      tags: ['people'],
      summary: 'The roles a person can hold in a cell, with their rules',
      response: {
        200: { type: 'array', items: assignmentRoleSchema },
      },
    },
  }, async () => roles);

  app.get<{ Params: { id: number } }>('/api/cells/:id/assignments', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['people'],
      summary: "A cell's responsible people in order (signed-in users); full phones for admins and staff whose scope holds one of the person's cells, masked for others",
      params: idParams,
      response: { 200: { type: 'array', items: assignmentSchema }, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    await assertCellExists(db, request.params.id);
    return cellAssignments(db, roles, request.params.id, actor);
  });

  app.put<{ Params: { id: number }; Body: AssignmentsBody }>('/api/cells/:id/assignments', {
    config: { access: 'assignments.edit' },
    schema: {
      tags: ['people'],
      summary: "Replace a cell's whole ordered list of responsible people; a list that breaks a role rule is refused (422) and nothing changes",
      params: idParams,
      body: assignmentsBodySchema(roleCodes),
      response: { 200: { type: 'array', items: assignmentSchema }, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const cellId = request.params.id;
    const list = request.body;
    return db.transaction(async (tx) => {
      // Locking the cell serialises concurrent saves of its list.
      await assertCellExists(tx, cellId, true);
      await assertCellEditable(tx, actor, cellId, cellWhat(cellId));
      const errors: { field: string; message: string; zh: string }[] = [];
      const seen = new Map<string, number>();
      list.forEach((a, i) => {
        const key = `${a.personId}/${a.role}`;
        const first = seen.get(key);
        const roleZh = roles.find((r) => r.code === a.role)?.zh ?? a.role;
        if (first !== undefined) errors.push({ field: `body.${i}`, message: `person ${a.personId} is already listed as ${a.role} (item ${first})`, zh: `第 ${i} 项：人员 ${a.personId} 已列为${roleZh}（第 ${first} 项）` });
        else seen.set(key, i);
      });
      const ids = [...new Set(list.map((a) => a.personId))];
      const { rows: found } = await tx.query<{ id: number }>('SELECT id FROM people WHERE id = ANY($1::int[])', [ids]);
      const known = new Set(found.map((r) => r.id));
      list.forEach((a, i) => {
        if (!known.has(a.personId)) errors.push({ field: `body.${i}.personId`, message: `person ${a.personId} does not exist`, zh: `第 ${i} 项：人员 ${a.personId} 不存在` });
      });
      if (errors.length) {
        const summary = { zh: errors.map((e) => e.zh).join('；'), en: errors.map((e) => `${e.field}: ${e.message}`).join('; ') };
        throw problem('people.assignments-invalid', { summary }, { errors: errors.map(({ field, message }) => ({ field, message })) });
      }
      const violations = maxViolations(roles, list);
      if (violations.length) {
        const zhOf = (role: string) => roles.find((r) => r.code === role)?.zh ?? role;
        const summary = {
          zh: violations.map((v) => `每个网格最多 ${v.max} 名${zhOf(v.role)}，现有 ${v.given} 名`).join('；'),
          en: violations.map((v) => v.message).join('; '),
        };
        throw problem('people.role-rules', { summary }, {
          errors: violations.map((v) => ({ field: 'body', message: v.message })),
          rules: violations.map(({ role, rule, max, given }) => ({ role, rule, max, given })),
        });
      }
      const before = await tx.query<{ person_id: number; role: string }>('SELECT person_id, role FROM cell_assignments WHERE cell_id = $1 ORDER BY position', [cellId]);
      await tx.query('DELETE FROM cell_assignments WHERE cell_id = $1', [cellId]);
      if (list.length) {
        await tx.query(
          `INSERT INTO cell_assignments (cell_id, position, person_id, role, assigned_by)
           SELECT $1, x.pos, x.person_id, x.role, $4 FROM unnest($2::int[], $3::text[]) WITH ORDINALITY AS x(person_id, role, pos)`,
          [cellId, list.map((a) => a.personId), list.map((a) => a.role), actor.username]);
      }
      await audit(tx, request, 'cell.assignments', `cell:${cellId}`, {
        before: before.rows.map((r) => [r.person_id, r.role]),
        after: list.map((a) => [a.personId, a.role]),
      });
      return cellAssignments(tx, roles, cellId, actor);
    });
  });

  app.get<{ Params: { id: number } }>('/api/people/:id/cells', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['people'],
      summary: 'The cells a person is responsible for, with the role in each',
      params: idParams,
      response: {
        200: {
          type: 'array',
          items: {
            type: 'object',
            properties: { cellId: { type: 'integer' }, code: { type: 'string' }, name: { type: 'string' }, level: { type: 'integer' }, role: { type: 'string' }, roleName: roleNameSchema, position: { type: 'integer' } },
          },
        },
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const { rowCount } = await db.query('SELECT 1 FROM people WHERE id = $1', [request.params.id]);
    if (!rowCount) throw problem('people.not-found', { id: request.params.id });
    const { rows } = await db.query<{ cell_id: number; code: string; name: string; level: number; role: string; position: number }>(
      `SELECT a.cell_id, c.code, c.name, c.level, a.role, a.position FROM cell_assignments a JOIN cells c ON c.id = a.cell_id
       WHERE a.person_id = $1 ORDER BY c.level, c.code, a.position`, [request.params.id]);
    return rows.map((r) => ({ cellId: r.cell_id, code: r.code, name: r.name, level: r.level, role: r.role, roleName: roleName(roles, r.role), position: r.position }));
  });

  app.get<{ Querystring: { parentId?: number; level?: number }; Reply: PeopleGap[] }>('/api/people-gaps', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['people'],
      summary: 'Cells missing a required role or short of a minimum (e.g. supervisors), with what is missing',
      querystring: {
        type: 'object',
        properties: { parentId: idSchema, level: { type: 'integer', minimum: 1 } },
        additionalProperties: false,
      },
      response: {
        200: { type: 'array', items: peopleGapSchema },
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const { parentId, level } = request.query;
    if (parentId !== undefined) await assertCellExists(db, parentId);
    const { rows } = await db.query<{ id: number; code: string; name: string; level: number; counts: Record<string, number> | null }>(
      `SELECT c.id, c.code, c.name, c.level,
              (SELECT jsonb_object_agg(role, n) FROM (SELECT role, count(*)::int AS n FROM cell_assignments a WHERE a.cell_id = c.id GROUP BY role) x) AS counts
       FROM cells c
       WHERE ($1::int IS NULL OR c.parent_id = $1) AND ($2::int IS NULL OR c.level = $2)
       ORDER BY c.level, c.code`, [parentId ?? null, level ?? null]);
    return rows
      .map((r) => ({ cellId: r.id, code: r.code, name: r.name, level: r.level, missing: gapsOf(roles, r.counts ?? {}) }))
      .filter((g) => g.missing.length > 0);
  });
}
