import type { FastifyInstance } from 'fastify';
import type { Db } from '../../server/db/db.ts';
import type { Role } from '../../server/config.ts';
import { hashPassword } from '../../server/auth/passwords.ts';

export const PASSWORD = 'correct horse battery';
let hash: Promise<string> | undefined;

/** Creates an account directly in the database. */
export async function createUser(db: Db, username: string, role: Role, scope: number[] = []): Promise<number> {
  hash ??= hashPassword(PASSWORD);
  const { rows } = await db.query<{ id: number }>(
    'INSERT INTO users (username, display_name, password_hash, role, scope) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [username, username, await hash, role, scope]);
  return rows[0]!.id;
}

export type Headers = Record<string, string>;

/** Signs in and returns the headers a browser would send: the session cookie and the CSRF token. */
export async function signIn(app: FastifyInstance, username: string, password = PASSWORD): Promise<Headers> {
  const res = await app.inject({ method: 'POST', url: '/api/session', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`sign-in of ${username} failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'wangge_session')!;
  return { cookie: `wangge_session=${cookie.value}`, 'x-csrf-token': res.json().csrfToken };
}
