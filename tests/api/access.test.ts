import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { square, twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

// Every guarded route × every role × a cell in and out of the user's scope, with the expected status.
// Scoped accounts work in the west street only; "east" is outside their scope.

type Who = 'public' | 'admin' | 'planner' | 'plannerWest' | 'commander' | 'workerWest';
type Target = 'west' | 'east' | 'none';

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
const headers = {} as Record<Who, Headers>;

beforeAll(async () => {
  t = await testApp();
  ids = await twoStreets(t.db);
  await createUser(t.db, 'admin', 'admin');
  await createUser(t.db, 'planner', 'planner');
  await createUser(t.db, 'plannerWest', 'planner', [ids.west]);
  await createUser(t.db, 'commander', 'commander');
  await createUser(t.db, 'workerWest', 'worker', [ids.west]);
  headers.public = {};
  for (const who of ['admin', 'planner', 'plannerWest', 'commander', 'workerWest'] as const) headers[who] = await signIn(t.app, who);
});

const cellOf = (target: Target) => (target === 'west' ? ids.west : ids.east);
const areaIn = (target: Target) => (target === 'west' ? square(107.01, 34.01, 0.01) : square(107.06, 34.01, 0.01));

interface Case {
  route: string;
  target: Target;
  request: () => { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: unknown; headers?: Record<string, string> };
  expect: Record<Who, number>;
}

const editIn = (target: Target): Record<Who, number> => ({
  public: 401, admin: 0, planner: 0, commander: 403, workerWest: 403, plannerWest: target === 'west' ? 0 : 403,
});

const cases: Case[] = [
  ...(['west', 'east'] as const).flatMap((target): Case[] => [
    {
      route: 'POST /api/cells', target,
      request: () => ({ method: 'POST', url: '/api/cells', payload: { type: 'Feature', geometry: { type: 'Polygon', coordinates: areaIn(target) }, properties: { name: '新社区', level: 3, parentId: cellOf(target) } } }),
      expect: { ...editIn(target), admin: 201, planner: 201, plannerWest: target === 'west' ? 201 : 403 },
    },
    {
      route: 'PATCH /api/cells/:id', target,
      request: () => ({ method: 'PATCH', url: `/api/cells/${cellOf(target)}`, payload: { properties: { name: '改名' } }, headers: { 'if-match': '*' } }),
      // If-Match "*" is not a version: a permitted user gets past the guards and is told so (400).
      expect: { ...editIn(target), admin: 400, planner: 400, plannerWest: target === 'west' ? 400 : 403 },
    },
    {
      route: 'DELETE /api/cells/:id', target,
      request: () => ({ method: 'DELETE', url: `/api/cells/${cellOf(target)}` }),
      // Streets have children by now: a permitted user reaches the "has children" rule (409).
      expect: { ...editIn(target), admin: 409, planner: 409, plannerWest: target === 'west' ? 409 : 403 },
    },
    {
      route: 'POST /api/cells/:id/restore', target,
      request: () => ({ method: 'POST', url: `/api/cells/${cellOf(target)}/restore`, payload: { version: 99 } }),
      expect: { ...editIn(target), admin: 404, planner: 404, plannerWest: target === 'west' ? 404 : 403 },
    },
  ]),
  {
    route: 'GET /api/users', target: 'none', request: () => ({ method: 'GET', url: '/api/users' }),
    expect: { public: 401, admin: 200, planner: 403, plannerWest: 403, commander: 403, workerWest: 403 },
  },
  {
    route: 'POST /api/users', target: 'none',
    request: () => ({ method: 'POST', url: '/api/users', payload: { username: `u${Math.random().toString(36).slice(2, 8)}`, displayName: 'U', role: 'worker', password: 'long enough pw' } }),
    expect: { public: 401, admin: 201, planner: 403, plannerWest: 403, commander: 403, workerWest: 403 },
  },
  {
    route: 'GET /api/audit', target: 'none', request: () => ({ method: 'GET', url: '/api/audit' }),
    expect: { public: 401, admin: 200, planner: 403, plannerWest: 403, commander: 403, workerWest: 403 },
  },
  {
    route: 'POST /api/tokens', target: 'none', request: () => ({ method: 'POST', url: '/api/tokens', payload: { name: 't' } }),
    expect: { public: 401, admin: 201, planner: 201, plannerWest: 201, commander: 201, workerWest: 201 },
  },
  {
    route: 'GET /api/cells', target: 'none', request: () => ({ method: 'GET', url: '/api/cells' }),
    expect: { public: 200, admin: 200, planner: 200, plannerWest: 200, commander: 200, workerWest: 200 },
  },
];

describe(`access: route × role × scope (${TEST_DB})`, () => {
  const rows = cases.flatMap((c) => (Object.keys(c.expect) as Who[]).map((who) => ({ ...c, who, status: c.expect[who] })));
  it.each(rows)('$route on $target as $who → $status', async ({ request, who, status, target }) => {
    const r = request();
    const res = await t.app.inject({ ...r, payload: r.payload as object, headers: { ...headers[who], ...r.headers } });
    expect(res.statusCode, res.body).toBe(status);
    if (status >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    if (status === 403 && who === 'plannerWest' && target === 'east') expect(res.json().detail).toMatch(/outside your scope/);
  });
});
