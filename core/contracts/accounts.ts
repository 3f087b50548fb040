/** Accounts and the session as the API answers them (server/auth/routes.ts, server/users/routes.ts). */
import { idSchema, object, orNull, type FromSchema } from './schema.ts';

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

/** POST /api/session: sign in. */
export const signInBodySchema = {
  type: 'object',
  properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 256 } },
  required: ['username', 'password'],
  additionalProperties: false,
} as const;
export type SignInBody = FromSchema<typeof signInBodySchema>;

/** POST /api/tokens: a new API token, by its name. */
export const newTokenBodySchema = { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['name'], additionalProperties: false } as const;
export type NewTokenBody = FromSchema<typeof newTokenBodySchema>;

/** The fields of an account an admin sets (POST /api/users) and edits (PATCH /api/users/:id). */
export const accountEditable = {
  displayName: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' },
  role: { type: 'string', enum: ROLES },
  scope: { type: 'array', items: idSchema, maxItems: 100, uniqueItems: true },
  personId: { anyOf: [idSchema, { type: 'null' }] },
  active: { type: 'boolean' },
  password: { type: 'string', minLength: 1, maxLength: 256 },
} as const;

/** POST /api/users: a new account (admin). */
export const newUserBodySchema = {
  type: 'object',
  properties: { username: { type: 'string', pattern: '^[A-Za-z0-9_.-]{2,64}$' }, ...accountEditable },
  required: ['username', 'displayName', 'role', 'password'],
  additionalProperties: false,
} as const;
export type NewUserBody = FromSchema<typeof newUserBodySchema>;

/** PATCH /api/users/:id: edit, deactivate or reset the password of an account (admin). */
export const userPatchBodySchema = { type: 'object', properties: accountEditable, additionalProperties: false, minProperties: 1 } as const;
export type UserPatchBody = FromSchema<typeof userPatchBodySchema>;
