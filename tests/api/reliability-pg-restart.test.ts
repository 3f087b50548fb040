import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../../scripts/bench/server.ts';
import { twoStreets } from '../helpers/cells.ts';
import { serverPlace, type ServerPlace } from '../helpers/child-server.ts';
import { TEST_DB } from '../helpers/db.ts';
import { expectEveryAcknowledgedOnce, expectRetryable503, outageReport, type Outcome } from '../helpers/reliability.ts';

// The PostgreSQL server itself restarted under load (pg_ctlcluster), with the real server
// (server/main.ts) as a child process on a schema of TEST_DATABASE_URL: first a plain restart in the
// middle of a stream of submissions, then a stop long enough to look at the server while the
// database is away, and a start. While it is away the API answers 503 problem+json with
// Retry-After and /api/health reports the outage; afterwards it serves again by itself, without a
// restart of its own; every acknowledged report is stored exactly once.
//
// It stops the cluster every other test uses, so it runs only when asked, on its own:
//   npm run test:pg-restart      (WANGGE_PG_RESTART=1, the postgres project, this file)
// The cluster is the one on TEST_DATABASE_URL's port in `pg_lsclusters`, or WANGGE_PG_CLUSTER
// ("15/main"). pg_ctlcluster needs root or the cluster's owner.

const ENABLED = process.env.WANGGE_PG_RESTART === '1' && TEST_DB === 'postgres';
const run = promisify(execFile);

/** The cluster behind TEST_DATABASE_URL, as "version name". */
async function cluster(): Promise<[string, string]> {
  const named = process.env.WANGGE_PG_CLUSTER;
  if (named) return named.split('/') as [string, string];
  const port = new URL(process.env.TEST_DATABASE_URL!).port || '5432';
  const { stdout } = await run('pg_lsclusters', ['--no-header']);
  const line = stdout.split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[2] === port);
  if (!line) throw new Error(`no cluster on port ${port} in pg_lsclusters:\n${stdout}`);
  return [line[0]!, line[1]!];
}

async function pgctl(action: 'restart' | 'stop' | 'start') {
  const [version, name] = await cluster();
  // Fast: open sessions are ended at once, as in a crash or a failover, not waited for.
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, action, ...(action === 'start' ? [] : ['-m', 'fast'])]);
}

const report = (k: number) => outageReport(k, '重启测试');

let place: ServerPlace;
let server: ChildServer | undefined;

async function post(k: number, key: string): Promise<Outcome> {
  const res = await fetch(`${server!.url}/api/reports`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(report(k)),
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { key, k, status: res.status, id: body.id as number | undefined, retryAfter: res.headers.get('retry-after'), type: res.headers.get('content-type'), body };
}

async function health() {
  const res = await fetch(`${server!.url}/api/health`);
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
}

/** Polls until the server answers /api/health with 200, by itself. */
async function recovered() {
  await expect.poll(async () => (await health()).status, { timeout: 60_000, interval: 250 }).toBe(200);
}

beforeAll(async () => {
  if (!ENABLED) return;
  place = await serverPlace('pgrestart');
  const db = await place.open({ migrate: true });
  try {
    await twoStreets(db);
  } finally {
    await db.close();
  }
  server = await startChildServer(place.serverDb);
}, 180_000);

afterAll(async () => {
  if (!ENABLED) return;
  // Whatever happened, the cluster is left running.
  await pgctl('start').catch(() => {});
  await server?.stop();
  await place?.drop();
});

describe('PostgreSQL restarted under load', () => {
  it.runIf(ENABLED)('503 with Retry-After while it is away, /api/health says so, recovery by itself, every acknowledged report exactly once', async () => {
    const outcomes: Outcome[] = [];
    let k = 0;
    let stop = false;
    const unanswered: string[] = [];
    // Eight clients submit until stopped; on a 503 a client waits a little and goes on with a new report.
    const clients = Promise.all(Array.from({ length: 8 }, async () => {
      while (!stop) {
        const n = k++;
        try {
          const o = await post(n, randomUUID());
          outcomes.push(o);
          if (o.status === 503) await new Promise((r) => setTimeout(r, 100));
        } catch (e) {
          unanswered.push(`${n}: ${(e as Error).message}`);
        }
      }
    }));
    const acked = () => outcomes.filter((o) => o.status === 201).length;
    const until = async (test: () => boolean) => expect.poll(test, { timeout: 60_000, interval: 20 }).toBe(true);

    // A plain restart in the middle of the stream.
    await until(() => acked() >= 30);
    await pgctl('restart');
    await recovered();
    const afterRestart = acked();
    await until(() => acked() >= afterRestart + 30);

    // A stop: the database stays away while we look.
    await pgctl('stop');
    const stoppedAt = outcomes.length;
    await until(() => outcomes.slice(stoppedAt).filter((o) => o.status === 503).length >= 10);
    const away = await Promise.all(Array.from({ length: 5 }, () => post(k++, randomUUID())));
    outcomes.push(...away);
    for (const o of away) expectRetryable503(o);
    const down = await health();
    expect(down).toMatchObject({ status: 503, body: { status: 'unavailable', db: 'postgres', error: 'database unreachable' } });
    expect(Number(down.retryAfter)).toBeGreaterThan(0);
    const cells = await fetch(`${server!.url}/api/cells?level=1`);
    expect(cells.status).toBe(503);
    expect(cells.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(cells.headers.get('retry-after'))).toBeGreaterThan(0);

    // Started again: the server serves again by itself, and reports are filed.
    await pgctl('start');
    await recovered();
    const afterStart = acked();
    await until(() => acked() >= afterStart + 30);
    stop = true;
    await clients;

    // The server answered everything, with a 201 or a 503 (never a 500), and it is still the same process.
    expect(unanswered).toEqual([]);
    expect(outcomes.filter((o) => o.status !== 201 && o.status !== 503).map((o) => ({ status: o.status, body: o.body }))).toEqual([]);
    for (const o of outcomes.filter((x) => x.status === 503)) expectRetryable503(o);
    expect(server!.child.exitCode).toBeNull();
    expect(server!.child.signalCode).toBeNull();

    if (process.env.WANGGE_RELIABILITY_VERBOSE) {
      console.log(`submissions: ${outcomes.length}, 201: ${acked()}, 503: ${outcomes.filter((o) => o.status === 503).length} (${outcomes.slice(0, stoppedAt).filter((o) => o.status === 503).length} around the restart)`);
    }
    const db = await place.open();
    try {
      const total = await expectEveryAcknowledgedOnce(db, outcomes, (o) => post(o.k, o.key), (n) => report(n).description);
      expect(total).toBe(new Set(outcomes.map((o) => o.key)).size);
    } finally {
      await db.close();
    }
  }, 300_000);
});
