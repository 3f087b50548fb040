import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { audit } from '../audit.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams } from '../schemas.ts';
import type { Actor } from './actor.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { SESSION_COOKIE } from './plugin.ts';
import { newSecret, sha256 } from './tokens.ts';
import { newTokenBodySchema, sessionSchema, signInBodySchema, tokenSchema, type NewTokenBody, type Session, type SignInBody, type Token } from '../../core/contracts/accounts.ts';

const dummyHash = hashPassword(newSecret());

/** Sign-in, sign-out, who am I, and personal API tokens. */
export default async function authRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  const sec = config.security;

  /**
   * Counts one sign-in attempt of (username, address) in one statement and returns the count with
   * the pair's lock. A lock that has run out starts a new round; failures older than an hour are
   * forgotten, and so are past locks after a day without failures.
   */
  async function countAttempt(username: string, address: string, t: Date) {
    const { rows } = await db.query<{ failures: number; locks: number; locked_until: Date | null }>(
      `INSERT INTO sign_in_failures AS f (username, address, failures, locks, locked_until, updated_at) VALUES ($1, $2, 1, 0, NULL, $3)
       ON CONFLICT (username, address) DO UPDATE SET
         failures = CASE WHEN f.locked_until <= $3 OR f.updated_at < $3::timestamptz - interval '1 hour' THEN 1 ELSE f.failures + 1 END,
         locks = CASE WHEN f.updated_at < $3::timestamptz - interval '1 day' THEN 0 ELSE f.locks END,
         locked_until = CASE WHEN f.locked_until <= $3 THEN NULL ELSE f.locked_until END,
         updated_at = $3
       RETURNING failures, locks, locked_until`, [username, address, t]);
    const r = rows[0]!;
    return { failures: r.failures, locks: r.locks, lockedUntil: r.locked_until };
  }

  /** Locks (username, address): lockMinutes, doubled for each earlier lock, at most a day. */
  async function lockPair(username: string, address: string, t: Date, locks: number): Promise<Date> {
    const minutes = Math.min(sec.lockMinutes * 2 ** Math.min(locks, 16), 24 * 60);
    const { rows } = await db.query<{ locked_until: Date }>(
      `UPDATE sign_in_failures SET
         locked_until = CASE WHEN locked_until > $3 THEN locked_until ELSE $3::timestamptz + make_interval(mins => $4) END,
         locks = CASE WHEN locked_until > $3 THEN locks ELSE locks + 1 END
       WHERE username = $1 AND address = $2 RETURNING locked_until`, [username, address, t, minutes]);
    return rows[0]?.locked_until ?? new Date(t.getTime() + minutes * 60_000);
  }

  const sessionBody = (user: Actor | null): Session => (user ? { user, csrfToken: user.csrfToken } : { user: null });

  app.post<{ Body: SignInBody }>('/api/session', {
    config: { access: 'public', csrf: false, rateLimit: { max: sec.signInPerMinute, timeWindow: '1 minute' } },
    schema: {
      tags: ['accounts'],
      summary: 'Sign in: sets an httpOnly session cookie and returns the CSRF token',
      body: signInBodySchema,
      response: { 200: sessionSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const { username, password } = request.body;
    const t = now();
    // Count this attempt first, atomically, then check the password: of concurrent guesses only
    // the first lockAfterFailures are ever checked.
    const attempt = await countAttempt(username, request.ip, t);
    const locked = async () => {
      const until = await lockPair(username, request.ip, t, attempt.locks);
      const retry = Math.max(1, Math.ceil((until.getTime() - t.getTime()) / 1000));
      await audit(db, request, 'session.locked', null, { username });
      reply.header('retry-after', String(retry));
      return problem('auth.locked', { minutes: Math.ceil(retry / 60) });
    };
    if (attempt.lockedUntil && attempt.lockedUntil > t) {
      const retry = Math.ceil((attempt.lockedUntil.getTime() - t.getTime()) / 1000);
      await audit(db, request, 'session.locked', null, { username });
      reply.header('retry-after', String(retry));
      throw problem('auth.locked', { minutes: Math.ceil(retry / 60) });
    }
    if (attempt.failures > sec.lockAfterFailures) throw await locked();
    const { rows } = await db.query<{ id: number; password_hash: string; active: boolean }>(
      'SELECT id, password_hash, active FROM users WHERE username = $1', [username]);
    const u = rows[0];
    const ok = await verifyPassword(password, u?.password_hash ?? (await dummyHash));
    if (!u || !ok || !u.active) {
      await audit(db, request, 'session.failed', u ? `user:${u.id}` : null, { username });
      // The attempt that reaches the limit locks the pair; unknown usernames alike.
      if (attempt.failures >= sec.lockAfterFailures) await lockPair(username, request.ip, t, attempt.locks);
      throw problem('auth.wrong-credentials');
    }
    await db.query('DELETE FROM sign_in_failures WHERE username = $1 AND address = $2', [username, request.ip]);
    const token = newSecret();
    const csrfToken = newSecret();
    const expires = new Date(t.getTime() + sec.sessionHours * 3600_000);
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, ip) VALUES ($1, $2, $3, $4, $5)',
        [sha256(token), u.id, csrfToken, expires, request.ip]);
      await tx.query('DELETE FROM sessions WHERE user_id = $1 AND expires_at < $2', [u.id, t]);
    });
    setSessionCookie(reply, token, expires);
    const { rows: me } = await db.query<{ username: string; display_name: string; role: Actor['role']; scope: number[]; person_id: number | null }>(
      'SELECT username, display_name, role, scope, person_id FROM users WHERE id = $1', [u.id]);
    const m = me[0]!;
    request.user = { id: u.id, username: m.username, displayName: m.display_name, role: m.role, scope: m.scope, personId: m.person_id, via: 'session', csrfToken };
    await audit(db, request, 'session.signin', `user:${u.id}`);
    return sessionBody(request.user);
  });

  function setSessionCookie(reply: FastifyReply, token: string, expires: Date) {
    reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: sec.secureCookies, expires });
  }

  app.get('/api/session', {
    config: { access: 'public' },
    schema: { tags: ['accounts'], summary: 'Who is signed in (user null when no one)', response: { 200: sessionSchema } },
  }, async (request) => sessionBody(request.user));

  app.delete('/api/session', {
    config: { access: 'public' },
    schema: { tags: ['accounts'], summary: 'Sign out', response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request: FastifyRequest, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await db.query('DELETE FROM sessions WHERE token_hash = $1', [sha256(token)]);
    if (request.user) await audit(db, request, 'session.signout', `user:${request.user.id}`);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get<{ Reply: Token[] }>('/api/tokens', {
    config: { access: 'signed-in' },
    schema: { tags: ['accounts'], summary: 'My API tokens (never the secret)', response: { 200: { type: 'array', items: tokenSchema }, '4xx': problemSchema } },
  }, async (request) => {
    const user = request.actor;
    const { rows } = await db.query<{ id: number; name: string; prefix: string; created_at: Date; last_used_at: Date | null }>(
      'SELECT id, name, prefix, created_at, last_used_at FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id', [user.id]);
    return rows.map((r) => ({ id: r.id, name: r.name, prefix: r.prefix, createdAt: r.created_at.toISOString(), lastUsedAt: r.last_used_at?.toISOString() ?? null }));
  });

  app.post<{ Body: NewTokenBody }>('/api/tokens', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['accounts'],
      summary: 'Create an API token for scripts and GIS tools; the secret is shown only in this response',
      body: newTokenBodySchema,
      response: { 201: tokenSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const user = request.actor;
    const token = newSecret('wg_');
    const { rows } = await db.transaction(async (tx) => {
      const r = await tx.query<{ id: number; created_at: Date }>(
        'INSERT INTO api_tokens (user_id, name, token_hash, prefix) VALUES ($1, $2, $3, $4) RETURNING id, created_at',
        [user.id, request.body.name, sha256(token), token.slice(0, 7)]);
      await audit(tx, request, 'token.create', `token:${r.rows[0]!.id}`, { name: request.body.name });
      return r;
    });
    const r = rows[0]!;
    return reply.code(201).send({ id: r.id, name: request.body.name, prefix: token.slice(0, 7), createdAt: r.created_at.toISOString(), lastUsedAt: null, token });
  });

  app.delete<{ Params: { id: number } }>('/api/tokens/:id', {
    config: { access: 'signed-in' },
    schema: { tags: ['accounts'], summary: 'Revoke one of my API tokens', params: idParams, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    const user = request.actor;
    await db.transaction(async (tx) => {
      const r = await tx.query('UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL', [request.params.id, user.id, now()]);
      if (r.rowCount === 0) throw problem('auth.token-not-found', { id: request.params.id });
      await audit(tx, request, 'token.revoke', `token:${request.params.id}`);
    });
    return reply.code(204).send();
  });
}
