import { expect } from 'vitest';
import type { Db } from '../../server/db/db.ts';

/** Shared by the database-outage tests (a cut TCP proxy, a restarted PostgreSQL): reports and their checks. */

/** The k-th report of a run, somewhere in the two streets of tests/helpers/cells.ts. */
export const outageReport = (k: number, label: string) => ({
  location: { type: 'Point', coordinates: [107 + ((k * 37) % 1000) / 10_000, 34 + ((k * 91) % 1000) / 10_000] },
  category: 'fire', severity: 'ordinary', description: `${label} ${k}`,
});

/** What a client saw for one submission, sent with its Idempotency-Key. */
export interface Outcome {
  key: string;
  k: number;
  status: number;
  id?: number;
  retryAfter: string | null;
  type: string | null;
  body: Record<string, unknown>;
}

/** A 503 a client can retry: problem+json with Retry-After, and nothing internal in it. */
export function expectRetryable503(o: Pick<Outcome, 'status' | 'type' | 'retryAfter' | 'body'>) {
  expect(o.status).toBe(503);
  expect(o.type).toContain('application/problem+json');
  expect(Number(o.retryAfter)).toBeGreaterThan(0);
  expect(o.body).toMatchObject({ status: 503, title: 'Service Unavailable' });
  expect(JSON.stringify(o.body)).not.toMatch(/ECONNREFUSED|terminat|shut ?down|administrator|127\.0\.0\.1|SELECT|INSERT/);
}

/**
 * After the outage, clients retry every submission that got a 503 with its Idempotency-Key: each
 * is filed (201), or, when its commit went through before the connection broke, answered with the
 * report already stored. Then every acknowledged report is in the database exactly once, with its
 * creation event and its key, with what was sent; and nothing else was stored.
 */
export async function expectEveryAcknowledgedOnce(db: Db, outcomes: Outcome[], retry: (o: Outcome) => Promise<Outcome>, description: (k: number) => string) {
  const count = async (sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params)).rows[0]!.n;
  const acked = new Map<string, number>();
  for (const o of outcomes) if (o.status === 201) acked.set(o.key, o.id!);
  for (const o of outcomes.filter((x) => x.status === 503)) {
    const again = await retry(o);
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    acked.set(o.key, again.id!);
  }
  const ids = [...acked.values()];
  expect(new Set(ids).size).toBe(ids.length);
  expect(await count('SELECT count(*)::int AS n FROM reports WHERE id = ANY ($1::int[])', [ids])).toBe(ids.length);
  expect(await count('SELECT count(*)::int AS n FROM reports')).toBe(ids.length);
  expect(await count(`SELECT count(*)::int AS n FROM report_events WHERE action = 'create'`)).toBe(ids.length);
  expect(await count('SELECT count(*)::int AS n FROM report_intake_keys')).toBe(ids.length);
  const { rows } = await db.query<{ id: number; description: string }>('SELECT id, description FROM reports WHERE id = ANY ($1::int[])', [ids]);
  const stored = new Map(rows.map((r) => [r.id, r.description]));
  for (const o of outcomes.filter((x) => x.status === 201)) expect(stored.get(o.id!), o.key).toBe(description(o.k));
  return ids.length;
}
