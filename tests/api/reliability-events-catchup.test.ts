import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import type { Db } from '../../server/db/db.ts';
import { resetDb, testDb, TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { CuttableProxy, proxiedTestDb } from '../helpers/proxy.ts';

// The live event stream across a lost database connection: the server's LISTEN goes through a TCP
// proxy the test cuts. Reports filed meanwhile by another server process (here a second app on a
// direct connection) are announced to the stream's clients once the subscription is back: their
// NOTIFY went to no one, so the server catches up from report_events. PostgreSQL only.

let db: Db;
let appDb: Db;
let app: FastifyInstance;
let other: FastifyInstance;
let proxy: CuttableProxy;

const config = () => {
  const base = loadConfig({});
  return { ...base, security: { ...base.security, reportsPerMinute: 10_000 } };
};
const report = (description: string) => ({ location: { type: 'Point', coordinates: [107.02, 34.05] }, category: 'fire', severity: 'ordinary', description });

beforeAll(async () => {
  if (TEST_DB !== 'postgres') return;
  db = await testDb();
  await resetDb(db);
  await twoStreets(db);
  ({ proxy, viaProxy: appDb } = await proxiedTestDb(3));
  app = await buildApp({ db: appDb, config: config(), clientDir: '/nonexistent' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  other = await buildApp({ db, config: config(), clientDir: '/nonexistent' });
  await other.ready();
});

afterAll(async () => {
  await app?.close();
  await other?.close();
  await appDb?.close().catch(() => {});
  await proxy?.cut();
});

describe('live report events across a lost database connection', () => {
  it.runIf(TEST_DB === 'postgres')('announces, once the subscription is back, the reports filed while the server was not listening', async () => {
    const address = app.server.address() as { port: number };
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${address.port}/api/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    let text = '';
    const reader = res.body!.getReader();
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })();
    await expect.poll(() => text, { timeout: 5_000 }).toContain(': connected');
    const heard = (id: number) => text.split('\n\n').some((m) => m.startsWith('event: report') && m.includes(`"id":${id},`));

    // Live: a report filed through the server is announced.
    const first = await app.inject({ method: 'POST', url: '/api/reports', payload: report('在线时上报') });
    expect(first.statusCode).toBe(201);
    await expect.poll(() => heard(first.json().id), { timeout: 5_000 }).toBe(true);

    // The server loses its database connection; another process files a report meanwhile.
    await proxy.cut();
    const missed = await other.inject({ method: 'POST', url: '/api/reports', payload: report('断连期间由另一进程上报') });
    expect(missed.statusCode).toBe(201);
    const missedId = missed.json().id as number;
    await new Promise((r) => setTimeout(r, 500));
    expect(heard(missedId)).toBe(false);

    // The connection comes back: the subscription is renewed and the missed report announced.
    await proxy.open();
    await expect.poll(() => heard(missedId), { timeout: 20_000, interval: 200 }).toBe(true);
    // Announced once, not once per retry.
    expect(text.split('\n\n').filter((m) => m.includes(`"id":${missedId},`))).toHaveLength(1);

    controller.abort();
    await reading;
  });
});
