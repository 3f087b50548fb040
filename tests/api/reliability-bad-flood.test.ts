import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../../scripts/bench/server.ts';
import { serverPlace, type ServerPlace } from '../helpers/child-server.ts';
import { TEST_DB } from '../helpers/db.ts';

// 10,000 mixed bad requests to the real server process, anonymous, 8 at a time: each is a 4xx
// problem, and afterwards health is 200 and a normal request works. On the embedded database a few
// thousand of them used to leave every later request a 500 and health "database unreachable".

let place: ServerPlace;
let server: ChildServer;

const deep = '['.repeat(50_000) + ']'.repeat(50_000);
const report = (description: string, coordinates = '[107.01,34.01]') =>
  `{"location":{"type":"Point","coordinates":${coordinates}},"category":"fire","severity":"ordinary","description":${JSON.stringify(description)}}`;

const BAD: { path: string; body?: string }[] = [
  { path: '/api/cells?parentId=1e309' },
  { path: '/api/cells?parentId=-0' },
  { path: '/api/cells?parentId=9223372036854775808' },
  { path: '/api/cells?level=NaN' },
  { path: '/api/cells?bbox=1,2,3' },
  { path: '/api/cells?bbox=1e309,0,1,1' },
  { path: '/api/cells?bbox=%00' },
  { path: '/api/cells/1e309' },
  { path: '/api/cells/-1' },
  { path: '/api/cells/0x10' },
  { path: `/api/cells/${'9'.repeat(400)}` },
  { path: '/tiles/cells/1e309/0/0.mvt' },
  { path: '/tiles/cells/99/0/0.mvt' },
  { path: '/tiles/cells/3/-1/9.mvt' },
  { path: '/ogc/collections/a%00b/items' },
  { path: '/ogc/collections/cells/items?limit=1e309' },
  { path: '/ogc/collections/cells/items?bbox=nan,1,2,3' },
  { path: '/api/reports/track/WG-%00AAAA-BBBBB' },
  { path: `/api/reports/track/${'x'.repeat(5000)}` },
  { path: '/api/reports', body: report('火\u0000灾') },
  { path: '/api/reports', body: report('a\ud800b') },
  { path: '/api/reports', body: report('x', '[1e309,34]') },
  { path: '/api/reports', body: report('x', '[-0,34]') },
  { path: '/api/reports', body: report('x'.repeat(100_000)) },
  { path: '/api/reports', body: deep },
];

beforeAll(async () => {
  place = await serverPlace('flood');
  await (await place.open({ migrate: true })).close();
  server = await startChildServer(place.serverDb);
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await place?.drop();
});

describe(`10,000 bad requests to a real server (${TEST_DB})`, () => {
  it('answers each with a 4xx problem, and then health is 200 and a good report is filed', async () => {
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < 10_000) {
        const c = BAD[next++ % BAD.length]!;
        const res = await fetch(server.url + c.path, c.body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: c.body });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const counts = Object.fromEntries(statuses);
    expect(Object.keys(counts).filter((s) => Number(s) < 400 || Number(s) >= 500), JSON.stringify(counts)).toEqual([]);
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status, await health.text()).toBe(200);
    const filed = await fetch(`${server.url}/api/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: report('洪水之后的正常举报') });
    expect(filed.status, await filed.text()).toBe(201);
    expect((await fetch(`${server.url}/api/cells`)).status).toBe(200);
  }, 240_000);
});
