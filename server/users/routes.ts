import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Role } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { audit } from '../audit.ts';
import { PASSWORD_MAX, PASSWORD_MIN, hashPassword, passwordWeakness, weakPassword } from '../auth/passwords.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams } from '../schemas.ts';
import { accountSchema as userSchema, newUserBodySchema, userPatchBodySchema, type Account, type NewUserBody, type UserPatchBody } from '../../core/contracts/accounts.ts';

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  scope: number[];
  person_id: number | null;
  active: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const toUser = (r: UserRow): Account => ({
  id: r.id, username: r.username, displayName: r.display_name, role: r.role, scope: r.scope, personId: r.person_id,
  active: r.active, version: r.version, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
});

const COLUMNS = 'id, username, display_name, role, scope, person_id, active, version, created_at, updated_at';

async function checkScope(q: Queryable, scope: number[] | undefined) {
  if (!scope?.length) return;
  const { rows } = await q.query<{ id: number }>('SELECT id FROM cells WHERE id = ANY($1::int[])', [scope]);
  const missing = scope.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length) throw problem('users.scope-unknown', { ids: missing.join(', ') }, { errors: [{ field: 'body.scope', message: 'unknown cell' }] });
}

/** The account's person must exist and not be another account's already (else the FK or unique index fails opaquely). */
async function checkPerson(q: Queryable, personId: number | null | undefined, selfId: number | null) {
  if (personId == null) return;
  const { rows } = await q.query<{ name: string; user_id: number | null; username: string | null }>(
    'SELECT p.name, u.id AS user_id, u.username FROM people p LEFT JOIN users u ON u.person_id = p.id AND u.id IS DISTINCT FROM $2 WHERE p.id = $1',
    [personId, selfId]);
  const person = rows[0];
  if (!person) throw problem('users.person-unknown', { id: personId }, { errors: [{ field: 'body.personId', message: 'unknown person' }] });
  if (person.user_id !== null) {
    throw problem('users.person-linked', { id: personId, name: person.name, username: person.username ?? '' }, { errors: [{ field: 'body.personId', message: 'linked to another account' }] });
  }
}

/** Account administration: admins create, edit, deactivate users and reset passwords. */
export default async function userRoutes(app: FastifyInstance, { db, now }: AppContext) {
  const passwordProblem = (password: string) => {
    const weakness = passwordWeakness(password);
    if (!weakness) return;
    const errors = [{ field: 'body.password', message: weakPassword(password) }];
    if (weakness === 'too-short') throw problem('users.password-too-short', { min: PASSWORD_MIN }, { errors });
    if (weakness === 'too-long') throw problem('users.password-too-long', { max: PASSWORD_MAX }, { errors });
    throw problem('users.password-too-common', {}, { errors });
  };

  app.get('/api/users', {
    config: { access: 'users.manage' },
    schema: { tags: ['accounts'], summary: 'All accounts (admin)', response: { 200: { type: 'array', items: userSchema }, '4xx': problemSchema } },
  }, async () => {
    const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY username`);
    return rows.map(toUser);
  });

  app.post<{ Body: NewUserBody }>('/api/users', {
    config: { access: 'users.manage' },
    schema: {
      tags: ['accounts'],
      summary: 'Create an account (admin)',
      body: newUserBodySchema,
      response: { 201: userSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const b = request.body;
    passwordProblem(b.password);
    const hash = await hashPassword(b.password);
    const row = await db.transaction(async (tx) => {
      await checkScope(tx, b.scope);
      await checkPerson(tx, b.personId, null);
      const exists = await tx.query('SELECT 1 FROM users WHERE username = $1', [b.username]);
      if (exists.rowCount) throw problem('users.username-taken', { username: b.username });
      const { rows } = await tx.query<UserRow>(
        `INSERT INTO users (username, display_name, password_hash, role, scope, person_id, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
        [b.username, b.displayName.trim(), hash, b.role, b.scope ?? [], b.personId ?? null, b.active ?? true]);
      await audit(tx, request, 'user.create', `user:${rows[0]!.id}`, { username: b.username, role: b.role, scope: b.scope ?? [] });
      return rows[0]!;
    });
    return reply.code(201).send(toUser(row));
  });

  app.patch<{ Params: { id: number }; Body: UserPatchBody }>('/api/users/:id', {
    config: { access: 'users.manage' },
    schema: {
      tags: ['accounts'],
      summary: 'Edit, deactivate, or reset the password of an account (admin); a reset ends its sessions and revokes its API tokens',
      params: idParams,
      body: userPatchBodySchema,
      response: { 200: userSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const admin = request.actor;
    const b = request.body;
    if (b.password !== undefined) passwordProblem(b.password);
    const hash = b.password !== undefined ? await hashPassword(b.password) : null;
    if (request.params.id === admin.id && (b.active === false || (b.role && b.role !== 'admin'))) {
      throw problem('users.cannot-demote-self');
    }
    return db.transaction(async (tx) => {
      await checkScope(tx, b.scope);
      await checkPerson(tx, b.personId, request.params.id);
      const { rows } = await tx.query<UserRow>(
        `UPDATE users SET
           display_name = COALESCE($2, display_name), role = COALESCE($3, role), scope = COALESCE($4, scope),
           person_id = CASE WHEN $5::boolean THEN $6 ELSE person_id END, active = COALESCE($7, active),
           password_hash = COALESCE($8, password_hash),
           version = version + 1, updated_at = now()
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [request.params.id, b.displayName?.trim() ?? null, b.role ?? null, b.scope ?? null, 'personId' in b, b.personId ?? null, b.active ?? null, hash]);
      const row = rows[0];
      if (!row) throw problem('users.not-found', { id: request.params.id });
      // A deactivated account or a new password ends every open session at once.
      if (b.active === false || hash) await tx.query('DELETE FROM sessions WHERE user_id = $1', [row.id]);
      // A new password lifts the sign-in locks of the account, wherever they were earned, and
      // revokes its API tokens: a reset after a leak must not leave a stolen token working.
      let tokensRevoked = 0;
      if (hash) {
        await tx.query('DELETE FROM sign_in_failures WHERE username = $1', [row.username]);
        tokensRevoked = (await tx.query('UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL', [row.id, now()])).rowCount ?? 0;
      }
      const changed = Object.keys(b).map((k) => (k === 'password' ? 'password (reset)' : k));
      await audit(tx, request, 'user.update', `user:${row.id}`, { changed, ...(hash ? { tokensRevoked } : {}) });
      return toUser(row);
    });
  });
}
