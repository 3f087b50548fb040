import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import type { Db } from '../../server/db/db.ts';
import { resetDb, testDb, TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { expectEveryAcknowledgedOnce, expectRetryable503, outageReport, type Outcome } from '../helpers/reliability.ts';
import { CuttableProxy, proxiedTestDb } from '../helpers/proxy.ts';

// A database outage, without touching the shared PostgreSQL server: the app talks to it through a
// TCP proxy on loopback, which the test cuts (every connection destroyed, no new one accepted) and
// restores. While the database is away the API answers 503 problem+json with Retry-After; once it
// is back the API serves again by itself; every report that got a 201 is stored exactly once.
// PostgreSQL only: the embedded database lives in the server's own process.

const report = (k: number) => outageReport(k, '断库测试');

let db: Db;
let appDb: Db;
let app: FastifyInstance;
let proxy: CuttableProxy;

async function post(k: number, key: string): Promise<Outcome> {
  const res = await app.inject({ method: 'POST', url: '/api/reports', headers: { 'content-type': 'application/json', 'idempotency-key': key }, payload: report(k) });
  const body = res.json<Record<string, unknown>>();
  return { key, k, status: res.statusCode, id: body.id as number | undefined, retryAfter: (res.headers['retry-after'] as string | undefined) ?? null, type: (res.headers['content-type'] as string | undefined) ?? null, body };
}

beforeAll(async () => {
  if (TEST_DB !== 'postgres') return;
  db = await testDb();
  await resetDb(db);
  await twoStreets(db);
  ({ proxy, viaProxy: appDb } = await proxiedTestDb(5));
  const base = loadConfig({});
  const config = { ...base, security: { ...base.security, signInPerMinute: 10_000, reportsPerMinute: 10_000 } };
  app = await buildApp({ db: appDb, config, clientDir: '/nonexistent' });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await appDb?.close().catch(() => {});
  await proxy?.cut();
});

describe('PostgreSQL becomes unreachable and comes back', () => {
  it.runIf(TEST_DB === 'postgres')('answers 503 problem+json with Retry-After while it is away, recovers by itself, and loses no acknowledged report', async () => {
    const outcomes: Outcome[] = [];
    let k = 0;

    // A LISTEN subscription through the same proxy (what the live event stream uses).
    const heard: string[] = [];
    const unlisten = await appDb.listen('outage_probe', (payload) => heard.push(payload));

    // Before: reports are filed.
    for (let i = 0; i < 20; i++) outcomes.push(await post(k++, randomUUID()));
    expect(outcomes.map((o) => o.status)).toEqual(Array(20).fill(201));

    // During a stream of submissions the database goes away.
    let stop = false;
    const during = Promise.all(Array.from({ length: 8 }, async () => {
      while (!stop) outcomes.push(await post(k++, randomUUID()));
    }));
    while (outcomes.length < 40) await new Promise((r) => setTimeout(r, 5));
    await proxy.cut();
    stop = true;
    await during;

    // While it is away: every request that needs the database gets a 503 the client can retry.
    const away = await Promise.all(Array.from({ length: 10 }, () => post(k++, randomUUID())));
    outcomes.push(...away);
    for (const o of away) expectRetryable503(o);
    const cells = await app.inject({ method: 'GET', url: '/api/cells?level=1' });
    expect(cells.statusCode).toBe(503);
    expect(cells.headers['content-type']).toContain('application/problem+json');
    expect(cells.headers['retry-after']).toBeTruthy();
    const health = await app.inject({ method: 'GET', url: '/api/health' });
    expect(health.statusCode).toBe(503);
    expect(health.headers['retry-after']).toBeTruthy();
    // Nothing unexpected: every answer was a 201 or a 503.
    expect(outcomes.filter((o) => o.status !== 201 && o.status !== 503)).toEqual([]);
    expect(outcomes.some((o) => o.status === 503)).toBe(true);

    // The database comes back on the same address; the app reconnects on its own, without a restart.
    await proxy.open();
    let back = await app.inject({ method: 'GET', url: '/api/health' });
    for (let tries = 0; back.statusCode !== 200 && tries < 100; tries++) {
      await new Promise((r) => setTimeout(r, 100));
      back = await app.inject({ method: 'GET', url: '/api/health' });
    }
    expect(back.statusCode).toBe(200);
    const fresh = await post(k++, randomUUID());
    expect(fresh.status).toBe(201);
    outcomes.push(fresh);
    expect((await app.inject({ method: 'GET', url: '/api/cells?level=1' })).statusCode).toBe(200);

    // The subscription comes back by itself too: a notification sent now is heard.
    await expect.poll(async () => {
      await db.query("SELECT pg_notify('outage_probe', 'back')");
      return heard.includes('back');
    }, { timeout: 15_000, interval: 500 }).toBe(true);
    await unlisten();

    // Clients retry what got a 503 with the same Idempotency-Key; every acknowledged report is then stored exactly once.
    await expectEveryAcknowledgedOnce(db, outcomes, (o) => post(o.k, o.key), (k) => report(k).description);
  });
});
