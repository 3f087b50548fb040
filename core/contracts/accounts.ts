/** Accounts and the session as the API answers them (server/auth/routes.ts, server/users/routes.ts). */
import { object, orNull, type FromSchema } from './schema.ts';

/** The roles an account can have; names are configuration, the codes are fixed. */
export const ROLES = ['admin', 'planner', 'commander', 'worker'] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in user, as the session tells it. */
export const sessionUserSchema = object({
  id: { type: 'integer' },
  username: { type: 'string' },
  displayName: { type: 'string' },
  role: { type: 'string', enum: ROLES },
  scope: { type: 'array', items: { type: 'integer' }, description: 'roots of the subtrees the user works in; empty for the whole grid' },
  personId: { type: ['integer', 'null'] },
  via: { type: 'string', enum: ['session', 'token'] },
});
export type SessionUser = FromSchema<typeof sessionUserSchema>;

/** GET and POST /api/session: who is signed in (null when no one) and, for a session, its CSRF token. */
export const sessionSchema = object({ user: orNull(sessionUserSchema), csrfToken: { type: 'string' } }, 'csrfToken');
export type Session = FromSchema<typeof sessionSchema>;

/** An account as the admin sees it (/api/users). */
export const accountSchema = object({
  id: { type: 'integer' },
  username: { type: 'string' },
  displayName: { type: 'string' },
  role: { type: 'string', enum: ROLES },
  scope: { type: 'array', items: { type: 'integer' } },
  personId: { type: ['integer', 'null'] },
  active: { type: 'boolean' },
  version: { type: 'integer' },
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
});
export type Account = FromSchema<typeof accountSchema>;

/** One of my API tokens (GET /api/tokens); the secret `token` only in the answer that created it. */
export const tokenSchema = object({
  id: { type: 'integer' },
  name: { type: 'string' },
  prefix: { type: 'string' },
  createdAt: { type: 'string' },
  lastUsedAt: { type: ['string', 'null'] },
  token: { type: 'string' },
}, 'token');
export type Token = FromSchema<typeof tokenSchema>;
