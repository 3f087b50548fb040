import type { FastifyRequest } from 'fastify';
import type { Queryable } from './db/db.ts';
import type { AuditAction } from '../core/audit/actions.ts';

/**
 * Records who did what, when and from where (request.ip: the client's address, or the forwarded one
 * behind a trusted proxy, WANGGE_TRUST_PROXY). Call it inside the change's transaction. The action is
 * one of core/audit's codes, so each has a sentence in both languages.
 */
export async function audit(q: Queryable, request: FastifyRequest, action: AuditAction, target: string | null, detail: Record<string, unknown> = {}) {
  await q.query('INSERT INTO audit_log (user_id, username, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6)', [
    request.user?.id ?? null,
    request.user?.username ?? null,
    action,
    target,
    JSON.stringify(detail),
    request.ip,
  ]);
}
