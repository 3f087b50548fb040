import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/db.ts';
import { TEST_DB } from '../helpers/db.ts';
import { serverPlace, type ServerPlace } from '../helpers/child-server.ts';
import { startChildServer, type ChildServer, type ServerDb } from '../../scripts/bench/server.ts';

// The real server (server/main.ts) as a child process on its own database (an embedded data
// directory, or a schema of TEST_DATABASE_URL): killed with SIGKILL in the middle of a load run
// and restarted, it has lost no report it acknowledged and holds none half-stored; stopped with
// SIGTERM, it finishes what it accepted and exits cleanly. WANGGE_RELIABILITY_HEAVY=1 loads longer.

const HEAVY = process.env.WANGGE_RELIABILITY_HEAVY === '1';
const CLIENTS = HEAVY ? 100 : 20;
const LOAD_MS = HEAVY ? 10_000 : 1_500;

let place: ServerPlace;
let serverDb: ServerDb;
let server: ChildServer | undefined;

beforeAll(async () => {
  place = await serverPlace('crash');
  serverDb = place.serverDb;
  // The server creates and migrates its database itself (and so has PostGIS loaded when the load begins).
  server = await startChildServer(serverDb);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await place?.drop();
});

/** The server's database, opened directly while no server runs. */
const openDirect = (): Promise<Db> => place.open();

const body = (k: number) => ({
  location: { type: 'Point', coordinates: [107 + (k % 100) / 1000, 34 + (k % 37) / 1000] },
  category: 'fire', severity: 'ordinary', description: `崩溃测试 ${k}`,
});

type Outcome = { key: string; k: number; status: number; trackingCode?: string; error?: string };

/** One request on its own connection (Connection: close), as a client without keep-alive sends it. */
function submitOnce(url: string, k: number, key: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request(`${url}/api/reports`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'idempotency-key': key } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ key, k, status: res.statusCode ?? 0, trackingCode: (JSON.parse(text) as { trackingCode?: string }).trackingCode }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ key, k, status: 0, error: e.code ?? e.message }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ key, k, status: 0, error: e.code ?? e.message }));
    req.end(JSON.stringify(body(k)));
  });
}

async function submit(url: string, k: number, key: string): Promise<Outcome> {
  try {
    const res = await fetch(`${url}/api/reports`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body(k)),
    });
    const json = await res.json() as { trackingCode?: string };
    return { key, k, status: res.status, trackingCode: json.trackingCode };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause;
    return { key, k, status: 0, error: cause?.code ?? (e as Error).message };
  }
}

/** CLIENTS clients submitting until stopped (keep-alive fetch, or a connection per request); every outcome recorded. */
function load(url: string, until: () => boolean, keepAlive = true) {
  const outcomes: Outcome[] = [];
  let n = 0;
  const done = Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (!until()) {
      const k = n++;
      const o = await (keepAlive ? submit : submitOnce)(url, k, randomUUID());
      outcomes.push(o);
      if (o.status === 0) return;
    }
  }));
  return { outcomes, done };
}

async function checkStored(db: Db, acknowledged: string[]) {
  const { rows } = await db.query<{ tracking_code: string }>('SELECT tracking_code FROM reports WHERE tracking_code = ANY ($1::text[])', [acknowledged]);
  expect(new Set(rows.map((r) => r.tracking_code)).size).toBe(acknowledged.length);
  const one = async (sql: string) => (await db.query<{ n: number }>(sql)).rows[0]!.n;
  // Nothing half-stored: every report has its creation event and its key, and nothing else exists.
  const reports = await one('SELECT count(*)::int AS n FROM reports');
  expect(await one(`SELECT count(*)::int AS n FROM report_events WHERE action = 'create'`)).toBe(reports);
  expect(await one('SELECT count(*)::int AS n FROM report_intake_keys')).toBe(reports);
  return reports;
}

describe(`the server killed mid-load and restarted (${TEST_DB})`, () => {
  it('keeps every acknowledged report; a retry of an unanswered one files it exactly once', async () => {
    const first = server!;
    let killed = false;
    const run = load(first.url, () => killed);
    await new Promise((r) => setTimeout(r, LOAD_MS));
    await first.kill();
    killed = true;
    await run.done;

    const acked = run.outcomes.filter((o) => o.status === 201);
    const unanswered = run.outcomes.filter((o) => o.status === 0);
    expect(run.outcomes.filter((o) => o.status !== 201 && o.status !== 0)).toEqual([]);
    expect(acked.length).toBeGreaterThan(0);

    server = await startChildServer(serverDb);
    for (const o of acked) {
      const res = await fetch(`${server.url}/api/reports/track/${o.trackingCode}`);
      expect(res.status, o.trackingCode).toBe(200);
    }
    // The client never heard back: it retries with the same key and gets one report either way.
    const retried = await Promise.all(unanswered.map((o) => submit(server!.url, o.k, o.key)));
    expect(retried.map((o) => o.status)).toEqual(unanswered.map(() => 201));
    await server.stop();
    server = undefined;

    const db = await openDirect();
    try {
      const total = await checkStored(db, [...acked, ...retried].map((o) => o.trackingCode!));
      expect(total).toBe(acked.length + retried.length);
    } finally {
      await db.close();
    }
  }, 300_000);

  /** Load, then SIGTERM with requests in flight; answers the exit code and what the clients saw. */
  async function sigtermDuringLoad(keepAlive: boolean, timeoutMs: number) {
    server = await startChildServer(serverDb);
    const s = server;
    let stopping = false;
    const run = load(s.url, () => stopping, keepAlive);
    await new Promise((r) => setTimeout(r, 500));
    // Clients send nothing new from here; what they sent is in flight when SIGTERM arrives.
    stopping = true;
    const exitCode = await s.stop(timeoutMs);
    server = undefined;
    await run.done;
    return { exitCode, outcomes: run.outcomes };
  }

  it('exits with 0 on SIGTERM under load; every answered report is stored, and an unanswered one retried is filed once', async () => {
    const { exitCode, outcomes } = await sigtermDuringLoad(false, 30_000);
    expect(exitCode).toBe(0);
    const answered = outcomes.filter((o) => o.status === 201);
    // Refused while closing (503) or cut off (ECONNRESET today): the client retries with its key.
    const unanswered = outcomes.filter((o) => o.status === 0 || o.status === 503);
    expect(answered.length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.status !== 201 && o.status !== 503 && o.status !== 0)).toEqual([]);
    server = await startChildServer(serverDb);
    const retried = await Promise.all(unanswered.map((o) => submit(server!.url, o.k, o.key)));
    expect(retried.map((o) => o.status)).toEqual(unanswered.map(() => 201));
    await server.stop();
    server = undefined;
    const db = await openDirect();
    try {
      const before = await checkStored(db, [...answered, ...retried].map((o) => o.trackingCode!));
      expect(before).toBeGreaterThanOrEqual(answered.length + retried.length);
    } finally {
      await db.close();
    }
  }, 300_000);

  // app.close() waits for every open connection; server/main.ts closes keep-alive sockets as they
  // fall idle, so a process manager's SIGTERM is not followed by a SIGKILL.
  it('exits within 10 s of SIGTERM when the clients keep their connections alive', async () => {
    const { exitCode } = await sigtermDuringLoad(true, 10_000);
    expect(exitCode).toBe(0);
  }, 300_000);
});
