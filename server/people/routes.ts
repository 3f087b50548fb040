import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { audit } from '../audit.ts';
import { scopeOf, type Actor } from '../auth/actor.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams } from '../schemas.ts';
import { fullPhoneSql, normalizePhone, shownPhone } from './phone.ts';
import { newPersonBodySchema, personPatchBodySchema, personSchema, type NewPersonBody, type Person, type PersonPatchBody } from '../../core/contracts/people.ts';

export interface PersonRow {
  id: number;
  name: string;
  phone: string | null;
  organisation: string | null;
  title: string | null;
  user_id: number | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  /** Whether the reading actor sees the full phone (fullPhoneSql); else it is masked. */
  full_phone: boolean;
}

/** A person's columns as `actor` may read them; pushes the parameters of the phone rule onto `params`. */
export const personColumns = (actor: Actor, params: unknown[]) => `p.id, p.name, p.phone, p.organisation, p.title, p.version, p.created_at, p.updated_at,
  (SELECT u.id FROM users u WHERE u.person_id = p.id) AS user_id, ${fullPhoneSql('p.id', actor, params)} AS full_phone`;

export const toPerson = (r: PersonRow): Person => ({
  id: r.id, name: r.name, phone: shownPhone(r.phone, r.full_phone), organisation: r.organisation, title: r.title, userId: r.user_id,
  version: r.version, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
});

const blankToNull = (s: string | null | undefined) => (s == null || s.trim() === '' ? null : s.trim());

/** Checks and normalises the phone; a number that already belongs to someone else is a 409 naming them. */
export async function checkPhone(q: Queryable, raw: string | null | undefined, selfId: number | null): Promise<string | null> {
  const given = blankToNull(raw);
  if (given === null) return null;
  const phone = normalizePhone(given);
  if (!phone) throw problem('people.phone-invalid', { phone: given }, { errors: [{ field: 'phone', message: 'not a phone number' }] });
  const { rows } = await q.query<{ id: number; name: string }>('SELECT id, name FROM people WHERE phone = $1 AND id IS DISTINCT FROM $2', [phone, selfId]);
  if (rows[0]) throw problem('people.phone-taken', { phone, personId: rows[0].id, name: rows[0].name }, { errors: [{ field: 'phone', message: 'taken' }], personId: rows[0].id });
  return phone;
}

export async function loadPerson(q: Queryable, id: number, actor: Actor, lock = false): Promise<PersonRow> {
  const params: unknown[] = [id];
  const { rows } = await q.query<PersonRow>(`SELECT ${personColumns(actor, params)} FROM people p WHERE p.id = $1 ${lock ? 'FOR UPDATE OF p' : ''}`, params);
  if (!rows[0]) throw problem('people.not-found', { id });
  return rows[0];
}

/** A scoped planner edits people who work only inside their scope (or nowhere yet). */
export async function assertPersonEditable(q: Queryable, actor: Actor, person: PersonRow) {
  const scope = scopeOf(actor);
  if (scope.length === 0) return;
  const { rows } = await q.query<{ code: string }>(
    'SELECT c.code FROM cell_assignments a JOIN cells c ON c.id = a.cell_id WHERE a.person_id = $1 AND NOT cell_within(a.cell_id, $2::int[]) LIMIT 3',
    [person.id, scope]);
  if (rows.length) {
    throw problem('people.out-of-scope', { id: person.id, name: person.name, cells: rows.map((r) => r.code).join(', ') });
  }
}

function parseIfMatch(request: FastifyRequest): number {
  const h = request.headers['if-match'];
  if (!h) throw problem('people.if-match-required');
  const v = Number(String(h).replace(/^W\//, '').replace(/"/g, ''));
  if (!Number.isInteger(v) || v < 1) throw problem('people.if-match-invalid', { value: String(h) });
  return v;
}

/** People who can be made responsible for cells. Phones are personal data: signed-in users only. */
export default async function peopleRoutes(app: FastifyInstance, { db }: AppContext) {
  app.get<{ Querystring: { q?: string; limit?: number; offset?: number } }>('/api/people', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['people'],
      summary: 'People, optionally searched by name or phone (?q=), ordered by name',
      querystring: {
        type: 'object',
        properties: {
          q: { type: 'string', maxLength: 100 },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          offset: { type: 'integer', minimum: 0, default: 0 },
        },
        additionalProperties: false,
      },
      response: { 200: { type: 'array', items: personSchema }, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const { q, limit = 100, offset = 0 } = request.query;
    const term = q?.trim() ?? '';
    // A search with digits also matches phones typed with spaces or dashes, but only the phones the
    // actor sees in full: otherwise a search would reveal a masked number digit by digit.
    const digits = term.replace(/[\s\-().+]/g, '');
    const params: unknown[] = [term, digits, limit, offset];
    const columns = personColumns(actor, params);
    const { rows } = await db.query<PersonRow>(
      `SELECT * FROM (SELECT ${columns} FROM people p) p
       WHERE $1 = '' OR strpos(lower(p.name), lower($1)) > 0
          OR ($2 ~ '^[0-9]+$' AND p.full_phone AND strpos(coalesce(p.phone, ''), $2) > 0)
       ORDER BY (strpos(lower(p.name), lower($1)) = 1) DESC, p.name, p.id LIMIT $3 OFFSET $4`,
      params);
    return rows.map(toPerson);
  });

  app.get<{ Params: { id: number } }>('/api/people/:id', {
    config: { access: 'signed-in' },
    schema: { tags: ['people'], summary: 'One person; the version is the ETag', params: idParams, response: { 200: personSchema, '4xx': problemSchema } },
  }, async (request, reply) => {
    const row = await loadPerson(db, request.params.id, request.actor);
    reply.header('etag', `"${row.version}"`);
    return toPerson(row);
  });

  app.post<{ Body: NewPersonBody }>('/api/people', {
    config: { access: 'people.edit' },
    schema: {
      tags: ['people'],
      summary: 'Add a person',
      body: newPersonBodySchema,
      response: { 201: personSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const b = request.body;
    const row = await db.transaction(async (tx) => {
      const phone = await checkPhone(tx, b.phone, null);
      const { rows } = await tx.query<{ id: number }>(
        'INSERT INTO people (name, phone, organisation, title, created_by, updated_by) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id',
        [b.name.trim(), phone, blankToNull(b.organisation), blankToNull(b.title), actor.username]);
      const id = rows[0]!.id;
      // No phone in the audit detail: the log is kept longer than the person may be.
      await audit(tx, request, 'person.create', `person:${id}`, { name: b.name.trim() });
      return loadPerson(tx, id, actor);
    });
    reply.header('etag', `"${row.version}"`);
    return reply.code(201).send(toPerson(row));
  });

  app.patch<{ Params: { id: number }; Body: PersonPatchBody }>('/api/people/:id', {
    config: { access: 'people.edit' },
    schema: {
      tags: ['people'],
      summary: 'Edit a person; If-Match with its version is required (stale → 409)',
      params: idParams,
      body: personPatchBodySchema,
      response: { 200: personSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const b = request.body;
    const row = await db.transaction(async (tx) => {
      const current = await loadPerson(tx, request.params.id, actor, true);
      await assertPersonEditable(tx, actor, current);
      const expected = parseIfMatch(request);
      if (current.version !== expected) {
        throw problem('people.version-conflict', { id: current.id, expected, current: current.version }, { current: toPerson(current) });
      }
      const phone = 'phone' in b ? await checkPhone(tx, b.phone, current.id) : current.phone;
      await tx.query(
        `UPDATE people SET name = $2, phone = $3, organisation = $4, title = $5, version = version + 1, updated_at = now(), updated_by = $6 WHERE id = $1`,
        [current.id, b.name?.trim() ?? current.name, phone,
          'organisation' in b ? blankToNull(b.organisation) : current.organisation,
          'title' in b ? blankToNull(b.title) : current.title, actor.username]);
      await audit(tx, request, 'person.update', `person:${current.id}`, { changed: Object.keys(b) });
      return loadPerson(tx, current.id, actor);
    });
    reply.header('etag', `"${row.version}"`);
    return toPerson(row);
  });

  app.delete<{ Params: { id: number } }>('/api/people/:id', {
    config: { access: 'people.edit' },
    schema: {
      tags: ['people'],
      summary: 'Delete a person who is responsible for no cell',
      params: idParams,
      response: { 204: { type: 'null' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    await db.transaction(async (tx) => {
      const person = await loadPerson(tx, request.params.id, actor, true);
      await assertPersonEditable(tx, actor, person);
      const { rows } = await tx.query<{ code: string }>(
        'SELECT DISTINCT c.code FROM cell_assignments a JOIN cells c ON c.id = a.cell_id WHERE a.person_id = $1 ORDER BY c.code', [person.id]);
      if (rows.length) {
        throw problem('people.still-responsible', { id: person.id, name: person.name, count: rows.length, cells: rows.slice(0, 5).map((r) => r.code).join(', ') }, { cells: rows.map((r) => r.code) });
      }
      await tx.query('DELETE FROM people WHERE id = $1', [person.id]);
      await audit(tx, request, 'person.delete', `person:${person.id}`, { name: person.name });
    });
    return reply.code(204).send();
  });
}
