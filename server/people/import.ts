import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { audit } from '../audit.ts';
import { can, scopeOf } from '../auth/actor.ts';
import { problem, problemSchema } from '../problem.ts';
import { acceptCsvBodies, parseCsv, rowError, type RowError } from './csv.ts';
import { assignmentImportSchema, type AssignmentImport } from '../../core/contracts/imports.ts';
import type { ProblemCode, ProblemParam } from '../../core/problems/index.ts';
import { normalizePhone } from './phone.ts';
import { findRole } from '../../core/people/rules.ts';
import { assignmentImportBodySchema, type AssignmentImportBody } from '../../core/contracts/people.ts';

const COLUMNS = {
  cellCode: ['cell_code', 'cell', 'code', '网格编码', '网格代码', '网格编号'],
  name: ['person', 'person_name', '姓名', '人员', '责任人'],
  role: ['角色', '职责', '责任类型'],
  phone: ['mobile', 'tel', 'telephone', '电话', '手机', '联系电话', '手机号'],
  organisation: ['organization', 'org', '单位', '工作单位'],
  title: ['职务'],
};

interface Planned {
  line: number;
  cellId: number;
  phone: string;
  name: string;
  role: string;
  organisation: string | null;
  title: string | null;
}

/**
 * Bulk assignment from a spreadsheet: one row per (cell code, person, role, phone). Rows add to the
 * cells' lists (a row already assigned changes nothing, so re-importing a file is harmless). People
 * are matched by phone and created when new. Any invalid row → nothing is written, unless
 * skipInvalid, which imports the valid rows and reports the others.
 */
export default async function assignmentImportRoutes(app: FastifyInstance, { db, config }: AppContext) {
  acceptCsvBodies(app);
  const roles = config.assignmentRoles;

  app.post<{ Body: AssignmentImportBody; Querystring: { skipInvalid?: boolean }; Reply: AssignmentImport }>('/api/assignments/import', {
    config: { access: 'assignments.edit' },
    schema: {
      tags: ['people'],
      summary: 'Import assignments from CSV (columns: cell code, person name, role, phone; optional organisation, title)',
      description: 'Send text/csv (then ?skipInvalid=true to import the valid rows only) or JSON {csv, skipInvalid}. '
        + 'Without skipInvalid, any invalid row is a 422 listing every row error and nothing is written.',
      querystring: { type: 'object', properties: { skipInvalid: { type: 'boolean' } }, additionalProperties: false },
      body: assignmentImportBodySchema,
      response: { 200: assignmentImportSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const body = request.body;
    const csv = typeof body === 'string' ? body : body.csv ?? '';
    const skipInvalid = (typeof body === 'string' ? undefined : body.skipInvalid) ?? request.query.skipInvalid ?? false;
    const { rows } = parseCsv(csv, COLUMNS, [['cellCode'], ['name'], ['role'], ['phone']]);
    const mayCreatePeople = can(actor, 'people.edit');

    return db.transaction(async (tx) => {
      const codes = [...new Set(rows.map((r) => r.values.cellCode ?? '').filter(Boolean))];
      const { rows: cells } = await tx.query<{ id: number; code: string; ok: boolean }>(
        'SELECT id, code, cell_within(id, $2::int[]) AS ok FROM cells WHERE code = ANY($1::text[]) FOR UPDATE', [codes, scopeOf(actor)]);
      const cellByCode = new Map(cells.map((c) => [c.code, c]));
      const phones = [...new Set(rows.map((r) => normalizePhone(r.values.phone ?? '')).filter((p): p is string => !!p))];
      const { rows: people } = await tx.query<{ id: number; name: string; phone: string }>('SELECT id, name, phone FROM people WHERE phone = ANY($1::text[])', [phones]);
      const personByPhone = new Map(people.map((p) => [p.phone, { id: p.id as number | null, name: p.name }]));
      const { rows: existing } = await tx.query<{ cell_id: number; phone: string | null; person_id: number; role: string }>(
        'SELECT a.cell_id, p.phone, a.person_id, a.role FROM cell_assignments a JOIN people p ON p.id = a.person_id WHERE a.cell_id = ANY($1::int[])', [cells.map((c) => c.id)]);
      // Per cell: how many hold each role, and which (person, role) pairs are there already.
      const count = new Map<string, number>();
      const held = new Set<string>();
      for (const e of existing) {
        count.set(`${e.cell_id}/${e.role}`, (count.get(`${e.cell_id}/${e.role}`) ?? 0) + 1);
        held.add(`${e.cell_id}/${e.person_id}/${e.role}`);
        if (e.phone) held.add(`${e.cell_id}/${e.phone}/${e.role}`);
      }

      const errors: RowError[] = [];
      const planned: Planned[] = [];
      let unchanged = 0;
      for (const { line, values: v } of rows) {
        const fail = (field: string, code: ProblemCode, params: Record<string, ProblemParam> = {}) => errors.push(rowError(line, field, code, params));
        const before = errors.length;
        const code = v.cellCode ?? '';
        const cell = cellByCode.get(code);
        if (!code) fail('cellCode', 'people.row-cell-empty');
        else if (!cell) fail('cellCode', 'people.row-cell-unknown', { code });
        else if (!cell.ok) fail('cellCode', 'people.row-cell-out-of-scope', { code });
        const name = v.name ?? '';
        if (!name) fail('name', 'people.row-name-empty');
        const role = findRole(roles, v.role ?? '');
        if (!role) fail('role', 'people.row-role-unknown', { role: v.role ?? '', roles: roles.map((r) => `${r.code} (${r.zh})`).join(', ') });
        const phone = normalizePhone(v.phone ?? '');
        if (!phone) {
          if (v.phone) fail('phone', 'people.row-phone-invalid', { phone: v.phone });
          else fail('phone', 'people.row-phone-empty');
        }
        if (phone && name) {
          const known = personByPhone.get(phone);
          if (known && known.name !== name) {
            const which = known.id ? { zh: `（人员 ${known.id}）`, en: ` (person ${known.id})` } : { zh: '（前面的行）', en: ' (an earlier row)' };
            fail('name', 'people.row-phone-other-name', { phone, known: known.name, which, name });
          }
          else if (!known && !mayCreatePeople) fail('phone', 'people.row-phone-unknown', { phone });
          else if (!known) personByPhone.set(phone, { id: null, name });
        }
        if (errors.length > before || !cell || !role || !phone) continue;
        const key = `${cell.id}/${phone}/${role.code}`;
        if (held.has(key)) { unchanged++; continue; }
        const n = (count.get(`${cell.id}/${role.code}`) ?? 0) + 1;
        if (role.maxPerCell !== undefined && n > role.maxPerCell) {
          fail('role', 'people.row-role-full', { max: role.maxPerCell, roleName: { zh: role.zh, en: role.zh }, role: role.code, code, n });
          continue;
        }
        count.set(`${cell.id}/${role.code}`, n);
        held.add(key);
        planned.push({ line, cellId: cell.id, phone, name, role: role.code, organisation: v.organisation || null, title: v.title || null });
      }
      const invalidRows = new Set(errors.map((e) => e.row)).size;
      if (errors.length && !skipInvalid) {
        throw problem('people.import-invalid-rows', { invalid: invalidRows, rows: rows.length }, { errors, rows: rows.length });
      }

      // New people first (first row of each phone gives organisation and title), then the assignments.
      const fresh = new Map<string, Planned>();
      for (const p of planned) if (personByPhone.get(p.phone)?.id === null && !fresh.has(p.phone)) fresh.set(p.phone, p);
      const newPeople = [...fresh.values()];
      const idByPhone = new Map(people.map((p) => [p.phone, p.id]));
      if (newPeople.length) {
        const { rows: made } = await tx.query<{ id: number; phone: string }>(
          `INSERT INTO people (name, phone, organisation, title, created_by, updated_by)
           SELECT x.name, x.phone, x.org, x.title, $5, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(name, phone, org, title)
           RETURNING id, phone`,
          [newPeople.map((p) => p.name), newPeople.map((p) => p.phone), newPeople.map((p) => p.organisation), newPeople.map((p) => p.title), actor.username]);
        for (const m of made) idByPhone.set(m.phone, m.id);
      }
      if (planned.length) {
        // Appended after each cell's current list, in file order.
        await tx.query(
          `INSERT INTO cell_assignments (cell_id, position, person_id, role, assigned_by)
           SELECT x.cell_id, coalesce((SELECT max(position) FROM cell_assignments a WHERE a.cell_id = x.cell_id), 0)
                  + row_number() OVER (PARTITION BY x.cell_id ORDER BY x.ord), x.person_id, x.role, $4
           FROM unnest($1::int[], $2::int[], $3::text[]) WITH ORDINALITY AS x(cell_id, person_id, role, ord)`,
          [planned.map((p) => p.cellId), planned.map((p) => idByPhone.get(p.phone)!), planned.map((p) => p.role), actor.username]);
      }
      await audit(tx, request, 'assignments.import', null, { rows: rows.length, assigned: planned.length, peopleCreated: newPeople.length, skipped: invalidRows });
      return { rows: rows.length, assigned: planned.length, unchanged, peopleCreated: newPeople.length, skipped: invalidRows, errors };
    });
  });
}
