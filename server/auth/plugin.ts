import type { FastifyInstance, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import type { AppContext } from '../context.ts';
import type { Role } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { problem } from '../problem.ts';
import type { Actor } from './actor.ts';
import { sha256 } from './tokens.ts';
import { installAccess } from './access.ts';

export const SESSION_COOKIE = 'wangge_session';

declare module 'fastify' {
  interface FastifyRequest {
    user: Actor | null;
  }
  interface FastifyContextConfig {
    /** false: a state-changing route that needs no CSRF token (public intake, sign-in). */
    csrf?: boolean;
  }
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  scope: number[];
  person_id: number | null;
}

const USER_COLUMNS = 'u.id, u.username, u.display_name, u.role, u.scope, u.person_id';

const toActor = (r: UserRow, via: Actor['via'], csrfToken?: string): Actor => ({
  id: r.id, username: r.username, displayName: r.display_name, role: r.role, scope: r.scope, personId: r.person_id, via, csrfToken,
});

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Resolves who a request acts as: a session cookie (browser) or a bearer token (scripts, GIS
 * tools). Cookie sessions must echo their CSRF token on every state-changing request.
 */
/** The user an API token stands for (its last use noted), or null when it is unknown, revoked or the user inactive. */
export async function actorFromToken(db: Queryable, token: string, at: Date): Promise<Actor | null> {
  const { rows } = await db.query<UserRow>(
    `UPDATE api_tokens t SET last_used_at = $2 FROM users u
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.id = t.user_id AND u.active
     RETURNING ${USER_COLUMNS}`,
    [sha256(token), at],
  );
  return rows[0] ? toActor(rows[0], 'token') : null;
}

export async function installAuth(app: FastifyInstance, { db, now }: AppContext) {
  await app.register(cookie);
  app.decorateRequest('user', null);

  async function fromSession(token: string): Promise<Actor | null> {
    const { rows } = await db.query<UserRow & { csrf_token: string }>(
      `SELECT ${USER_COLUMNS}, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active`,
      [sha256(token), now()],
    );
    const r = rows[0];
    return r ? toActor(r, 'session', r.csrf_token) : null;
  }

  const fromBearer = (token: string) => actorFromToken(db, token, now());

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const auth = request.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      request.user = await fromBearer(auth.slice(7).trim());
      if (!request.user) throw problem('auth.token-invalid');
      return;
    }
    // HTTP Basic with an API token as the password (the user name is not checked): what QGIS
    // before 3.24 can send from a project file (username/password in the data source), which
    // has no way to set a Bearer header. Basic that is not a token is ignored, not refused: a
    // reverse proxy's own Basic login may pass through, and the request is then anonymous.
    if (auth?.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const actor = colon >= 0 ? await fromBearer(decoded.slice(colon + 1)) : null;
      if (actor) {
        request.user = actor;
        return;
      }
    }
    const token = request.cookies[SESSION_COOKIE];
    if (token) request.user = await fromSession(token);
  });

  app.addHook('preHandler', async (request) => {
    if (!UNSAFE.has(request.method) || request.user?.via !== 'session') return;
    if (request.routeOptions.config.csrf === false) return;
    if (request.headers['x-csrf-token'] !== request.user.csrfToken) {
      throw problem('auth.csrf');
    }
  });
  // After the CSRF check: a forged request is refused as such whatever the role.
  installAccess(app);
}
