import type { FastifyRequest } from 'fastify';
import type { Queryable } from './db/db.ts';

/** Records who did what, when and from where. Call it inside the change's transaction. */
export async function audit(q: Queryable, request: FastifyRequest, action: string, target: string | null, detail: Record<string, unknown> = {}) {
  await q.query('INSERT INTO audit_log (user_id, username, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6)', [
    request.user?.id ?? null,
    request.user?.username ?? null,
    action,
    target,
    JSON.stringify(detail),
    request.ip,
  ]);
}
