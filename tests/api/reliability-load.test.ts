import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, signIn } from '../helpers/auth.ts';

// Load, retries and races against a listening server on loopback (real sockets, real connection
// pool): nothing acknowledged is lost, nothing is filed twice, nothing failed is half-stored.
// WANGGE_RELIABILITY_HEAVY=1 runs the load longer and wider.

const HEAVY = process.env.WANGGE_RELIABILITY_HEAVY === '1';
const CLIENTS = HEAVY ? 200 : 40;
const LOAD_MS = HEAVY ? 30_000 : 2_500;

let t: TestApp;
let base: string;
let districtId: number;

beforeAll(async () => {
  t = await testApp();
  const ids = await twoStreets(t.db);
  districtId = ids.district;
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await t.app.close();
});

const report = (k: number, extra: Record<string, unknown> = {}) => ({
  location: { type: 'Point', coordinates: [107 + ((k * 37) % 1000) / 10_000, 34 + ((k * 91) % 1000) / 10_000] },
  category: 'fire', severity: k % 7 ? 'ordinary' : 'major', description: `负载测试 ${k}`, ...extra,
});

async function post(body: unknown, key?: string) {
  const res = await fetch(`${base}/api/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, replayed: res.headers.get('idempotent-replayed') === 'true', body: await res.json() as Record<string, unknown> };
}

const count = async (sql: string, params: unknown[] = []) => (await t.db.query<{ n: number }>(sql, params)).rows[0]!.n;

describe(`reports under concurrent load with retries (${TEST_DB})`, () => {
  it('stores every acknowledged report exactly once; retries with the same key give the same report; rejected ones leave nothing', async () => {
    const acked = new Map<string, number>(); // Idempotency-Key → report id of its first 201
    const replays: { key: string; id: number; replayed: boolean }[] = [];
    const rejectedKeys: string[] = [];
    const unexpected: string[] = [];
    let n = 0;
    const deadline = Date.now() + LOAD_MS;

    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < deadline) {
        const k = n++;
        const key = randomUUID();
        if (k % 11 === 5) {
          // An invalid report: refused, and its key must not be remembered.
          const r = await post(report(k, { category: 'no-such-category' }), key);
          if (r.status !== 422) unexpected.push(`invalid report got ${r.status}`);
          rejectedKeys.push(key);
          continue;
        }
        // Every third client sends the same submission twice at once (a double tap), every fifth
        // retries after its answer (a lost response); the rest submit once.
        const body = report(k);
        const first = k % 3 === 0 ? await Promise.all([post(body, key), post(body, key)]) : [await post(body, key)];
        for (const r of first) {
          if (r.status !== 201) unexpected.push(`submission got ${r.status}: ${JSON.stringify(r.body)}`);
        }
        const ids = new Set(first.map((r) => r.body.id as number));
        if (ids.size !== 1) unexpected.push(`one key, two reports: ${[...ids].join(', ')}`);
        acked.set(key, first[0]!.body.id as number);
        if (first.length === 2) replays.push({ key, id: first[1]!.body.id as number, replayed: first.some((r) => r.replayed) });
        if (k % 5 === 0) {
          const retry = await post(body, key);
          replays.push({ key, id: retry.body.id as number, replayed: retry.replayed });
        }
      }
    }));

    expect(unexpected).toEqual([]);
    expect(acked.size).toBeGreaterThan(CLIENTS);
    for (const r of replays) {
      expect(r.id).toBe(acked.get(r.key));
      expect(r.replayed).toBe(true);
    }

    const ids = [...acked.values()];
    // Each acknowledged report is in the database once, with its creation event once; no other report exists.
    expect(await count('SELECT count(*)::int AS n FROM reports')).toBe(ids.length);
    expect(await count('SELECT count(DISTINCT id)::int AS n FROM reports WHERE id = ANY ($1::int[])', [ids])).toBe(ids.length);
    expect(await count(`SELECT count(*)::int AS n FROM report_events WHERE action = 'create'`)).toBe(ids.length);
    expect(await count(`SELECT count(*)::int AS n FROM reports r WHERE NOT EXISTS (SELECT 1 FROM report_events e WHERE e.report_id = r.id AND e.action = 'create')`)).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM report_intake_keys')).toBe(ids.length);
    expect(await count('SELECT count(DISTINCT report_id)::int AS n FROM report_intake_keys')).toBe(ids.length);
    // Routed: every point lies in the district.
    expect(await count('SELECT count(*)::int AS n FROM reports WHERE cell_id IS NULL')).toBe(0);
    expect(rejectedKeys.length).toBeGreaterThan(0);
  });

  it('answers a retry after the load with the same report, and refuses the same key for a different report', async () => {
    const key = randomUUID();
    const first = await post(report(1_000_001), key);
    expect(first.status).toBe(201);
    const again = await post(report(1_000_001), key);
    expect(again).toMatchObject({ status: 201, replayed: true, body: { id: first.body.id, trackingCode: first.body.trackingCode } });
    const other = await post(report(1_000_002), key);
    expect(other.status).toBe(422);
    expect(await count('SELECT count(*)::int AS n FROM reports WHERE id = $1', [first.body.id])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM reports WHERE description = $1`, [report(1_000_002).description])).toBe(0);
  });
});

describe(`concurrent edits of one cell with If-Match (${TEST_DB})`, () => {
  it('lets exactly one of many editors of the same version win; the others get 409 and change nothing', async () => {
    await createUser(t.db, 'reliabilityPlanner', 'planner');
    const h = await signIn(t.app, 'reliabilityPlanner');
    const url = `${base}/api/cells/${districtId}`;
    const before = await fetch(url);
    const etag = before.headers.get('etag')!;
    expect(etag).toBeTruthy();
    const editors = 12;
    const results = await Promise.all(Array.from({ length: editors }, (_, i) => fetch(url, {
      method: 'PATCH',
      headers: { ...h, 'content-type': 'application/json', 'if-match': etag },
      body: JSON.stringify({ properties: { name: `渭滨区 ${i}` } }),
    }).then(async (r) => ({ status: r.status, type: r.headers.get('content-type'), body: await r.json() as { properties?: { name: string; version: number } } }))));
    const won = results.filter((r) => r.status === 200);
    const lost = results.filter((r) => r.status === 409);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(editors - 1);
    for (const r of lost) expect(r.type).toContain('application/problem+json');
    const after = await (await fetch(url)).json() as { properties: { name: string; version: number } };
    expect(after.properties.name).toBe(won[0]!.body.properties!.name);
    expect(after.properties.version).toBe(won[0]!.body.properties!.version);
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'cell.update' AND target = $1`, [`cell:${districtId}`])).toBe(1);
  });
});
