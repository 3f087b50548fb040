import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Db, Queryable } from './db/db.ts';
import { problem } from './problem.ts';

/**
 * Idempotency-Key for staff writes (a phone replaying its offline queue): the first request with a
 * key does its work and keeps its answer in the same transaction; the same key sent again (after an
 * answer lost on the way back) gets that answer and changes nothing. The key counts per user; the
 * same key with a different request is refused. A refusal (a problem) is not kept: it does nothing,
 * so a retry is asked again. The report intake keeps its own table (report_intake_keys), older.
 */

/** How long a key is kept: longer than a phone stays offline with actions the server still takes (ACTION_MAX_AGE_DAYS). */
export const KEY_RETENTION_DAYS = 14;

/** The schema of the header, for a route's `headers`. */
export const idempotencyHeaders = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', minLength: 8, maxLength: 200 } },
} as const;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Runs work in a transaction, once per Idempotency-Key. What work returns must be JSON (it is kept
 * and returned as stored on a replay): ids and plain values, from which the route builds its answer.
 * `extra` joins the fingerprint (e.g. the hashes of uploaded photos).
 */
export async function idempotent<T>(
  db: Db, request: FastifyRequest, userId: number, now: Date, work: (tx: Queryable) => Promise<T>, extra = '',
): Promise<{ value: T; replayed: boolean }> {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string') return { value: await db.transaction(work), replayed: false };
  const keyHash = sha256(`${userId}:${key}`);
  const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
  const fingerprint = sha256(JSON.stringify([route, request.params ?? null, request.body ?? null, extra]));
  return db.transaction(async (tx) => {
    // Two requests with one key queue here; the second then finds the first's answer.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [keyHash]);
    const { rows } = await tx.query<{ fingerprint: string; answer: T }>('SELECT fingerprint, answer FROM request_keys WHERE key_hash = $1', [keyHash]);
    const earlier = rows[0];
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) throw problem('offline.key-reused');
      return { value: earlier.answer, replayed: true };
    }
    const value = await work(tx);
    await tx.query('INSERT INTO request_keys (key_hash, route, fingerprint, answer, created_at) VALUES ($1, $2, $3, $4, $5)',
      [keyHash, route, fingerprint, JSON.stringify(value ?? null), now]);
    return { value, replayed: false };
  });
}
