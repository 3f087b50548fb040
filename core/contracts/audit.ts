/** The audit log as the admin reads it (GET /api/audit, server/audit-log.ts). */
import { ROLES } from './accounts.ts';
import { object, orNull, type FromSchema } from './schema.ts';

/** Who acted: their login, today's display name and role (the account may be gone: id null). */
export const auditActorSchema = object({
  id: { type: ['integer', 'null'] },
  login: { type: ['string', 'null'] },
  name: { type: ['string', 'null'] },
  role: { type: ['string', 'null'], enum: [...ROLES, null] },
});

/** What an audit entry is about, with its current name (null when gone). */
export const auditObjectSchema = object({
  type: { type: 'string' },
  id: { type: 'string' },
  name: { type: ['string', 'null'] },
  formerName: { type: ['string', 'null'] },
  deleted: { type: 'boolean' },
  cellId: { type: ['integer', 'null'] },
});
export type AuditObject = FromSchema<typeof auditObjectSchema>;

export const auditEntrySchema = object({
  id: { type: 'integer' },
  at: { type: 'string' },
  actor: orNull(auditActorSchema),
  action: { type: 'string' },
  params: { type: 'object', additionalProperties: true },
  object: orNull(auditObjectSchema),
  address: { type: ['string', 'null'] },
});
export type AuditEntry = FromSchema<typeof auditEntrySchema>;

/** A page of the log, newest first; `next` is the `before` of the following page. */
export const auditPageSchema = object({ items: { type: 'array', items: auditEntrySchema }, next: { type: ['integer', 'null'] }, timeZone: { type: 'string' } });
export type AuditPage = FromSchema<typeof auditPageSchema>;
