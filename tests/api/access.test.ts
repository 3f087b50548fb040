import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { square, twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { multipartFile } from '../fixtures/exchange/upload.ts';
import { PERMISSIONS, type Permission } from '../../server/auth/actor.ts';
import type { Role } from '../../server/config.ts';
import { buildApp, routesOf } from '../../server/app.ts';

// Every guarded route × every role × an object in and out of the user's scope, with the expected status.
// Scoped accounts work in the west street only; "east" is outside their scope. An object "east" is
// one of the east street (a unit, a patrol, a person who answers for an east cell…).

type Who = 'public' | 'admin' | 'planner' | 'plannerWest' | 'commander' | 'workerWest';
type Target = 'west' | 'east' | 'none';
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Req { method: Method; url: string; payload?: unknown; headers?: Record<string, string> }

const ROLE: Record<Exclude<Who, 'public'>, Role> = {
  admin: 'admin', planner: 'planner', plannerWest: 'planner', commander: 'commander', workerWest: 'worker',
};
const SCOPED = new Set<Who>(['plannerWest', 'workerWest']);

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
const headers = {} as Record<Who, Headers>;
/** Objects of the west and the east street, made in beforeAll. */
const fx = {
  unit: { west: 0, east: 0 },
  unit2: { west: 0, east: 0 },
  patrol: { west: 0, east: 0 },
  visit: { west: 0, east: 0 },
  person: { west: 0, east: 0 },
  workerEast: 0,
  adminToken: 0,
  importOfPlanner: '',
};
let workerEast: Headers;

const WEST = [107.02, 34.05] as const;
const EAST = [107.07, 34.05] as const;
const at = (target: Target) => (target === 'west' ? WEST : EAST);
const point = (target: Target) => ({ type: 'Point', coordinates: [...at(target)] });
const phoneOf = (target: Target) => (target === 'west' ? '13800000001' : '13800000002');

async function ok(res: { statusCode: number; body: string; json: () => unknown }, status: number) {
  if (res.statusCode !== status) throw new Error(`fixture: expected ${status}, got ${res.statusCode} ${res.body}`);
  return res.json() as { id: number } & Record<string, unknown>;
}

async function insertUnit(target: Target, name: string): Promise<number> {
  const [lon, lat] = at(target);
  const { rows } = await t.db.query<{ id: number }>(
    "INSERT INTO units (type, name, geom) VALUES ('small_place', $1, ST_SetSRID(ST_MakePoint($2::float8, $3::float8), 4326)) RETURNING id", [name, lon, lat]);
  return rows[0]!.id;
}

/** A GeoJSON file with one community in the east street, named but without code or parent. */
const importFile = JSON.stringify({
  type: 'FeatureCollection',
  features: [{ type: 'Feature', properties: { name: '导入社区' }, geometry: { type: 'Polygon', coordinates: square(107.08, 34.08, 0.01) } }],
});

beforeAll(async () => {
  t = await testApp();
  ids = await twoStreets(t.db);
  await createUser(t.db, 'admin', 'admin');
  await createUser(t.db, 'planner', 'planner');
  await createUser(t.db, 'plannerWest', 'planner', [ids.west]);
  await createUser(t.db, 'commander', 'commander');
  await createUser(t.db, 'workerWest', 'worker', [ids.west]);
  fx.workerEast = await createUser(t.db, 'workerEast', 'worker', [ids.east]);
  headers.public = {};
  for (const who of ['admin', 'planner', 'plannerWest', 'commander', 'workerWest'] as const) headers[who] = await signIn(t.app, who);
  workerEast = await signIn(t.app, 'workerEast');
  const as = (h: Headers, method: Method, url: string, payload?: unknown) => t.app.inject({ method, url, payload: payload as object, headers: h });

  for (const target of ['west', 'east'] as const) {
    fx.unit[target] = await insertUnit(target, `${target} 面馆`);
    fx.unit2[target] = await insertUnit(target, `${target} 商店`);
    // A reported hazard in each street (public intake), for the scoped reads.
    await ok(await as({}, 'POST', '/api/reports', { location: point(target), category: 'fire', severity: 'ordinary', description: `${target} 楼道堵塞` }), 201);
    // A person who answers for the street only.
    fx.person[target] = (await ok(await as(headers.admin, 'POST', '/api/people', { name: `${target} 张三`, phone: phoneOf(target) }), 201)).id;
    await ok(await as(headers.admin, 'PUT', `/api/cells/${target === 'west' ? ids.west : ids.east}/assignments`, [{ personId: fx.person[target], role: 'chief' }]), 200);
  }
  // An open patrol with one check-in in each street, by that street's worker.
  for (const [target, h] of [['west', headers.workerWest], ['east', workerEast]] as const) {
    fx.patrol[target] = (await ok(await as(h, 'POST', '/api/inspections', { cellId: target === 'west' ? ids.west : ids.east }), 201)).id;
    fx.visit[target] = (await ok(await as(h, 'POST', `/api/inspections/${fx.patrol[target]}/visits`, { unitId: fx.unit[target] }), 201)).id;
  }
  // Admin and commander have an open patrol too, so starting another reaches the one-open-patrol rule.
  await ok(await as(headers.admin, 'POST', '/api/inspections', { cellId: ids.east }), 201);
  await ok(await as(headers.commander, 'POST', '/api/inspections', { cellId: ids.west }), 201);
  fx.adminToken = (await ok(await as(headers.admin, 'POST', '/api/tokens', { name: 'script' }), 201)).id;
  const upload = await multipartFile('east.geojson', importFile);
  const up = await t.app.inject({ method: 'POST', url: '/api/import/cells', payload: upload.payload, headers: { ...headers.planner, ...upload.headers } });
  fx.importOfPlanner = (await ok(up, 201) as unknown as { id: string }).id;
});

const cellOf = (target: Target) => (target === 'west' ? ids.west : ids.east);
const areaIn = (target: Target) => (target === 'west' ? square(107.01, 34.01, 0.01) : square(107.06, 34.01, 0.01));

interface Case {
  route: string;
  target: Target;
  request: () => Req | Promise<Req>;
  expect: Record<Who, number>;
  /** The permission the route's guard asks for: a 403 for a role without it says so. */
  perm?: Permission;
  /** Why a 403 that is neither the role nor the scope (e.g. someone else's patrol). */
  why?: Partial<Record<Who, RegExp>>;
}

const editIn = (target: Target): Record<Who, number> => ({
  public: 401, admin: 0, planner: 0, commander: 403, workerWest: 403, plannerWest: target === 'west' ? 0 : 403,
});

/** Everyone signed in, whatever the role or scope. */
const signedIn = (status: number): Record<Who, number> => ({ public: 401, admin: status, planner: status, plannerWest: status, commander: status, workerWest: status });
const everyone = (status: number): Record<Who, number> => ({ ...signedIn(status), public: status });
/** reports.view (admin, commander, worker); planners get 403; the worker only in the west. */
const viewIn = (target: Target, ok = 200, out = 403): Record<Who, number> => ({
  public: 401, admin: ok, planner: 403, plannerWest: 403, commander: ok, workerWest: target === 'east' ? out : ok,
});
/** units.edit (admin, planner, worker); commanders get 403; scoped users only in the west. */
const unitEditIn = (target: Target, ok: number, out = 403): Record<Who, number> => ({
  public: 401, admin: ok, planner: ok, commander: 403, plannerWest: target === 'east' ? out : ok, workerWest: target === 'east' ? out : ok,
});
/** Personal data (units, their records): any account in the west, scoped accounts do not see the east (404). */
const seenIn = (target: Target, ok = 200): Record<Who, number> => ({
  public: 401, admin: ok, planner: ok, commander: ok, plannerWest: target === 'east' ? 404 : ok, workerWest: target === 'east' ? 404 : ok,
});
/** cells/people/assignments.edit (admin, planner); scoped planner only in the west. */
const planIn = (target: Target, ok: number, out = 403): Record<Who, number> => ({
  public: 401, admin: ok, planner: ok, commander: 403, workerWest: 403, plannerWest: target === 'east' ? out : ok,
});
/** Recording on a patrol: only its own worker; others who may see it are refused (not its owner), the rest never learn of it. */
const ownPatrol = (target: Target, ok: number): Record<Who, number> => ({
  public: 401, admin: 403, planner: 403, plannerWest: 403, commander: 403, workerWest: target === 'west' ? ok : 404,
});
const NOT_OWNER = /only the worker who started it/;
const notOwner: Case['why'] = { admin: NOT_OWNER, commander: NOT_OWNER };
const both = ['west', 'east'] as const;
/** The west street is the scoped planner's scope root: its outline belongs to whoever holds the district. */
const ROOT: Case['why'] = { plannerWest: /root of your scope|outside your scope/ };

const cases: Case[] = [
  ...both.flatMap((target): Case[] => [
    {
      route: 'POST /api/cells', target, perm: 'cells.edit',
      request: () => ({ method: 'POST', url: '/api/cells', payload: { type: 'Feature', geometry: { type: 'Polygon', coordinates: areaIn(target) }, properties: { name: '新社区', level: 3, parentId: cellOf(target) } } }),
      expect: { ...editIn(target), admin: 201, planner: 201, plannerWest: target === 'west' ? 201 : 403 },
    },
    {
      route: 'PATCH /api/cells/:id', target, perm: 'cells.edit',
      request: () => ({ method: 'PATCH', url: `/api/cells/${cellOf(target)}`, payload: { properties: { name: '改名' } }, headers: { 'if-match': '*' } }),
      // If-Match "*" is not a version: a permitted user gets past the guards and is told so (400).
      expect: { ...editIn(target), admin: 400, planner: 400, plannerWest: target === 'west' ? 400 : 403 },
    },
    {
      route: 'DELETE /api/cells/:id', target, perm: 'cells.edit',
      request: () => ({ method: 'DELETE', url: `/api/cells/${cellOf(target)}` }),
      // Streets have children by now: a permitted user reaches the "has children" rule (409).
      expect: { ...editIn(target), admin: 409, planner: 409, plannerWest: 403 },
      why: ROOT,
    },
    {
      route: 'POST /api/cells/reshape', target, perm: 'cells.edit',
      request: () => ({ method: 'POST', url: '/api/cells/reshape', payload: { cells: [{ id: cellOf(target), version: 9999, geometry: { type: 'Polygon', coordinates: areaIn(target) } }] } }),
      // Version 9999 is stale: a permitted user gets past the guards to the conflict (409).
      expect: { ...editIn(target), admin: 409, planner: 409, plannerWest: 403 },
      why: ROOT,
    },
    {
      route: 'POST /api/cells/:id/restore', target, perm: 'cells.edit',
      request: () => ({ method: 'POST', url: `/api/cells/${cellOf(target)}/restore`, payload: { version: 99 } }),
      expect: { ...editIn(target), admin: 404, planner: 404, plannerWest: 403 },
      why: ROOT,
    },
  ]),
  {
    route: 'GET /api/users', target: 'none', perm: 'users.manage', request: () => ({ method: 'GET', url: '/api/users' }),
    expect: { public: 401, admin: 200, planner: 403, plannerWest: 403, commander: 403, workerWest: 403 },
  },
  {
    route: 'POST /api/users', target: 'none', perm: 'users.manage',
    request: () => ({ method: 'POST', url: '/api/users', payload: { username: `u${Math.random().toString(36).slice(2, 8)}`, displayName: 'U', role: 'worker', password: 'long enough pw' } }),
    expect: { public: 401, admin: 201, planner: 403, plannerWest: 403, commander: 403, workerWest: 403 },
  },
  {
    route: 'PATCH /api/users/:id', target: 'none', perm: 'users.manage',
    request: () => ({ method: 'PATCH', url: `/api/users/${fx.workerEast}`, payload: { displayName: '东街网格员' } }),
    expect: { public: 401, admin: 200, planner: 403, plannerWest: 403, commander: 403, workerWest: 403 },
  },
  {
    route: 'PATCH /api/users/:id (no such user)', target: 'none', perm: 'users.manage',
    request: () => ({ method: 'PATCH', url: '/api/users/999999', payload: { displayName: 'x' } }),
    expect: { public: 401, admin: 404, planner: 403, plannerWest: 403, commander: 403, workerWest: 403 },
  },
  {
    route: 'GET /api/audit', target: 'none', perm: 'audit.view', request: () => ({ method: 'GET', url: '/api/audit' }),
    expect: { public: 401, admin: 200, planner: 403, plannerWest: 403, commander: 403, workerWest: 403 },
  },
  {
    route: 'GET /api/audit.csv', target: 'none', perm: 'audit.view', request: () => ({ method: 'GET', url: '/api/audit.csv?q=x' }),
    expect: { public: 401, admin: 200, planner: 403, plannerWest: 403, commander: 403, workerWest: 403 },
  },
  { route: 'GET /api/tokens', target: 'none', request: () => ({ method: 'GET', url: '/api/tokens' }), expect: signedIn(200) },
  {
    route: 'POST /api/tokens', target: 'none', request: () => ({ method: 'POST', url: '/api/tokens', payload: { name: 't' } }),
    expect: { public: 401, admin: 201, planner: 201, plannerWest: 201, commander: 201, workerWest: 201 },
  },
  {
    // Someone else's token is not admitted to exist; its owner revokes it.
    route: "DELETE /api/tokens/:id (admin's)", target: 'none', request: () => ({ method: 'DELETE', url: `/api/tokens/${fx.adminToken}` }),
    expect: { ...signedIn(404), admin: 204 },
  },
  {
    route: 'GET /api/cells', target: 'none', request: () => ({ method: 'GET', url: '/api/cells' }),
    expect: { public: 200, admin: 200, planner: 200, plannerWest: 200, commander: 200, workerWest: 200 },
  },
  {
    route: 'GET /api/cells/names', target: 'none', request: () => ({ method: 'GET', url: `/api/cells/names?ids=${ids.west},${ids.east}` }),
    expect: { public: 200, admin: 200, planner: 200, plannerWest: 200, commander: 200, workerWest: 200 },
  },

  // Command view (server/command): reads only, each counting the caller's scope (see "scoped reads" below).
  ...['/api/heatmap', '/api/stats/cells', '/api/reports/monthly?month=2030-03', '/api/reports/monthly.csv?month=2030-03',
    '/api/reports/monthly.html?month=2030-03', '/api/reports/feed'].map((url): Case => ({
    route: `GET ${url.split('?')[0]}`, target: 'none', perm: 'reports.view', request: () => ({ method: 'GET', url }), expect: viewIn('none'),
  })),

  // Accountability (server/accountability): warnings, notices and evaluation are for supervisors (commanders, admins).
  ...['/api/warnings', '/api/evaluations?period=2030-03', '/evaluations/2030-03/notice'].map((url): Case => ({
    route: `GET ${url.split('?')[0]}`, target: 'none', perm: 'reports.supervise', request: () => ({ method: 'GET', url }),
    expect: { public: 401, admin: 200, planner: 403, plannerWest: 403, commander: 200, workerWest: 403 },
  })),
  // No notice was issued here: the guard passes for supervisors, then the notice does not exist.
  ...['/api/warnings/notices/999999', '/warnings/notices/999999'].map((url): Case => ({
    route: `GET ${url.replace('999999', ':id')}`, target: 'none', perm: 'reports.supervise', request: () => ({ method: 'GET', url }),
    expect: { public: 401, admin: 404, planner: 403, plannerWest: 403, commander: 404, workerWest: 403 },
  })),
  { route: 'POST /api/warnings/notices', target: 'west', perm: 'reports.supervise',
    // The person has no warnings: the guard passes, the level is not reached.
    request: () => ({ method: 'POST', url: '/api/warnings/notices', payload: { personId: fx.person.west, level: 'warning' } }),
    expect: { public: 401, admin: 409, planner: 403, plannerWest: 403, commander: 409, workerWest: 403 } },
  ...both.map((target): Case => ({
    route: 'PUT /api/evaluations/:period/cells/:id/democratic', target, perm: 'reports.supervise',
    request: () => ({ method: 'PUT', url: `/api/evaluations/2030-03/cells/${cellOf(target)}/democratic`, payload: { score: 80 } }),
    expect: { public: 401, admin: 200, planner: 403, plannerWest: 403, commander: 200, workerWest: 403 },
  })),

  // Patrols (server/patrols): a cell outside one's scope is a 403 that says why, a patrol outside it a 404.
  { route: 'GET /api/plans', target: 'none', request: () => ({ method: 'GET', url: '/api/plans' }), expect: signedIn(200) },
  ...both.flatMap((target): Case[] => [
    { route: 'GET /api/plans/cells/:id', target, perm: 'reports.view', request: () => ({ method: 'GET', url: `/api/plans/cells/${cellOf(target)}` }), expect: viewIn(target) },
    { route: 'GET /api/inspections?cellId=', target, perm: 'reports.view', request: () => ({ method: 'GET', url: `/api/inspections?cellId=${cellOf(target)}` }), expect: viewIn(target) },
    { route: 'GET /api/inspections/coverage?cellId=', target, perm: 'reports.view', request: () => ({ method: 'GET', url: `/api/inspections/coverage?cellId=${cellOf(target)}` }), expect: viewIn(target) },
    { route: 'GET /api/inspections/coverage/map?cellId=', target, perm: 'reports.view', request: () => ({ method: 'GET', url: `/api/inspections/coverage/map?cellId=${cellOf(target)}` }), expect: viewIn(target) },
    { route: 'GET /api/inspections/ledger?cellId=', target, perm: 'reports.view', request: () => ({ method: 'GET', url: `/api/inspections/ledger?cellId=${cellOf(target)}` }), expect: viewIn(target) },
    { route: 'GET /api/inspections/far-check-ins?cellId=', target, perm: 'reports.view', request: () => ({ method: 'GET', url: `/api/inspections/far-check-ins?cellId=${cellOf(target)}` }), expect: viewIn(target) },
    { route: 'GET /api/inspections/ledger/units/:id', target, perm: 'reports.view', request: () => ({ method: 'GET', url: `/api/inspections/ledger/units/${fx.unit[target]}` }), expect: viewIn(target, 200, 404) },
    { route: 'GET /api/inspections/:id', target, perm: 'reports.view', request: () => ({ method: 'GET', url: `/api/inspections/${fx.patrol[target]}` }), expect: viewIn(target, 200, 404) },
    {
      // Every permitted user already has an open patrol: past the guards, they meet the one-open-patrol rule (409).
      route: 'POST /api/inspections', target, perm: 'reports.work',
      request: () => ({ method: 'POST', url: '/api/inspections', payload: { cellId: cellOf(target) } }), expect: viewIn(target, 409),
    },
    {
      route: 'POST /api/inspections/:id/track', target, perm: 'reports.work', why: notOwner,
      request: () => ({ method: 'POST', url: `/api/inspections/${fx.patrol[target]}/track`, payload: { points: [] } }), expect: ownPatrol(target, 200),
    },
    {
      route: 'POST /api/inspections/:id/visits', target, perm: 'reports.work', why: notOwner,
      request: () => ({ method: 'POST', url: `/api/inspections/${fx.patrol[target]}/visits`, payload: { unitId: fx.unit2[target] } }), expect: ownPatrol(target, 201),
    },
    {
      route: 'PUT /api/inspections/:id/visits/:visitId/checklist', target, perm: 'reports.work', why: notOwner,
      request: () => ({ method: 'PUT', url: `/api/inspections/${fx.patrol[target]}/visits/${fx.visit[target]}/checklist`, payload: { checklist: [] } }), expect: ownPatrol(target, 200),
    },
    {
      route: 'POST /api/inspections/:id/findings', target, perm: 'reports.work', why: notOwner,
      request: () => ({ method: 'POST', url: `/api/inspections/${fx.patrol[target]}/findings`, payload: { location: point(target), category: 'fire', severity: 'ordinary', description: '灭火器过期' } }),
      expect: ownPatrol(target, 201),
    },
  ]),
  // Last of the patrol rows: it closes the west patrol.
  ...both.map((target): Case => ({
    route: 'POST /api/inspections/:id/finish', target, perm: 'reports.work', why: notOwner,
    request: () => ({ method: 'POST', url: `/api/inspections/${fx.patrol[target]}/finish`, payload: {} }), expect: ownPatrol(target, 200),
  })),

  // Import and export (server/exchange). Cells are public, so is their export; reports need reports.view.
  ...['geojson', 'csv', 'kml', 'shp.zip', 'gpkg'].map((ext): Case => ({
    route: `GET /api/export/cells.${ext}`, target: 'none', request: () => ({ method: 'GET', url: `/api/export/cells.${ext}` }), expect: everyone(200),
  })),
  ...['geojson', 'csv'].map((ext): Case => ({
    route: `GET /api/export/reports.${ext}`, target: 'none', perm: 'reports.view', request: () => ({ method: 'GET', url: `/api/export/reports.${ext}` }), expect: viewIn('none'),
  })),
  {
    route: 'POST /api/import/cells', target: 'none', perm: 'cells.edit',
    request: async () => {
      const body = await multipartFile('east.geojson', importFile);
      return { method: 'POST', url: '/api/import/cells', payload: body.payload, headers: body.headers };
    },
    expect: { public: 401, admin: 201, planner: 201, plannerWest: 201, commander: 403, workerWest: 403 },
  },
  {
    // Someone else's upload is not admitted to exist, not even to an admin.
    route: "POST /api/import/cells/:id/preview (planner's)", target: 'none', perm: 'cells.edit',
    request: () => ({ method: 'POST', url: `/api/import/cells/${fx.importOfPlanner}/preview`, payload: { mapping: { name: 'name' } } }),
    expect: { public: 401, admin: 404, planner: 200, plannerWest: 404, commander: 403, workerWest: 403 },
  },
  {
    // The feature names no parent: its owner is told why nothing can be written (422).
    route: "POST /api/import/cells/:id/commit (planner's)", target: 'none', perm: 'cells.edit',
    request: () => ({ method: 'POST', url: `/api/import/cells/${fx.importOfPlanner}/commit`, payload: { mapping: { name: 'name' } } }),
    expect: { public: 401, admin: 404, planner: 422, plannerWest: 404, commander: 403, workerWest: 403 },
  },
  ...['/ogc', '/ogc/conformance', '/ogc/api', '/ogc/collections', '/ogc/collections/cells/items', '/ogc/collections/reports/items'].map((url): Case => ({
    route: `GET ${url}`, target: 'none', request: () => ({ method: 'GET', url }), expect: everyone(200),
  })),
  // Interoperability (issue 24): tiles described for GIS clients, OGC API – Tiles, Open311 and the QGIS
  // project. All public but the project (an account, as it may carry the user's token).
  ...['/tiles/cells.json', '/styles/cells.json', '/tiles/cells/12/3265/1635.mvt', '/ogc/collections/cells/tiles', '/ogc/collections/cells-level-2/tiles/WebMercatorQuad', '/ogc/tileMatrixSets', '/ogc/tileMatrixSets/WebMercatorQuad'].map((url): Case => ({
    route: `GET ${url}`, target: 'none', request: () => ({ method: 'GET', url }), expect: everyone(200),
  })),
  { route: 'GET /ogc/collections/:collectionId/tiles/:tms/:z/:row/:col', target: 'none', request: () => ({ method: 'GET', url: '/ogc/collections/cells/tiles/WebMercatorQuad/12/1635/3265' }), expect: everyone(302) },
  ...['json', 'xml'].flatMap((f): Case[] => [
    ...[`/open311/v2/services.${f}`, `/open311/v2/services/fire.${f}`, `/open311/v2/requests.${f}`].map((url): Case => ({
      route: `GET ${url}`, target: 'none', request: () => ({ method: 'GET', url }), expect: everyone(200),
    })),
    {
      route: `GET /open311/v2/requests/:id.${f}`, target: 'none',
      request: async () => ({ method: 'GET', url: `/open311/v2/requests/${(await t.db.query<{ id: number }>('SELECT min(id) AS id FROM reports')).rows[0]!.id}.${f}` }),
      expect: everyone(200),
    },
    {
      // Anyone may file (as POST /api/reports); staff only through an api_key (open311.test.ts).
      route: `POST /open311/v2/requests.${f}`, target: 'none',
      request: () => ({
        method: 'POST', url: `/open311/v2/requests.${f}`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ service_code: 'fire', lat: String(WEST[1]), long: String(WEST[0]), description: '楼道堆物' }).toString(),
      }),
      expect: everyone(201),
    },
  ]),
  { route: 'GET /open311/v2/discovery.json', target: 'none', request: () => ({ method: 'GET', url: '/open311/v2/discovery.json' }), expect: everyone(200) },
  { route: 'GET /api/export/project.qgs', target: 'none', request: () => ({ method: 'GET', url: '/api/export/project.qgs' }), expect: signedIn(200) },
  { route: 'POST /api/export/project.qgs', target: 'none', request: () => ({ method: 'POST', url: '/api/export/project.qgs', payload: {} }), expect: signedIn(200) },
  // The API's own description and its problem catalog are public.
  ...['/api/openapi.json', '/api/problems', '/api/problems/auth.csrf', '/api/health', '/api/levels', '/api/client-config', '/api/reports/config'].map((url): Case => ({
    route: `GET ${url}`, target: 'none', request: () => ({ method: 'GET', url }), expect: everyone(200),
  })),
  // Units are not public: the OGC collection asks for an account.
  ...['/ogc/collections/units', '/ogc/collections/units/items'].map((url): Case => ({
    route: `GET ${url}`, target: 'none', request: () => ({ method: 'GET', url }), expect: signedIn(200),
  })),

  // Units (server/units) are personal data: any account reads those in its scope, one outside it is a 404;
  // editing needs units.edit too. Lists, exports and the summary hold only the scope (see below).
  { route: 'GET /api/unit-types', target: 'none', request: () => ({ method: 'GET', url: '/api/unit-types' }), expect: everyone(200) },
  { route: 'GET /api/units', target: 'none', request: () => ({ method: 'GET', url: '/api/units' }), expect: signedIn(200) },
  { route: 'GET /api/units/export.csv', target: 'none', request: () => ({ method: 'GET', url: '/api/units/export.csv' }), expect: signedIn(200) },
  { route: 'GET /api/units/export.geojson', target: 'none', request: () => ({ method: 'GET', url: '/api/units/export.geojson' }), expect: signedIn(200) },
  ...both.flatMap((target): Case[] => [
    { route: 'GET /api/units/:id', target, request: () => ({ method: 'GET', url: `/api/units/${fx.unit[target]}` }), expect: seenIn(target) },
    { route: 'GET /api/units/:id/records', target, request: () => ({ method: 'GET', url: `/api/units/${fx.unit[target]}/records` }), expect: seenIn(target) },
    { route: 'GET /ogc/collections/units/items/:id', target, request: () => ({ method: 'GET', url: `/ogc/collections/units/items/${fx.unit[target]}` }), expect: seenIn(target) },
    { route: 'GET /api/cells/:id/units/summary', target, request: () => ({ method: 'GET', url: `/api/cells/${cellOf(target)}/units/summary` }), expect: signedIn(200) },
    {
      route: 'POST /api/units', target, perm: 'units.edit',
      request: () => ({ method: 'POST', url: '/api/units', payload: { type: 'Feature', geometry: point(target), properties: { type: 'company', name: '新单位' } } }),
      expect: unitEditIn(target, 201),
    },
    {
      route: 'PATCH /api/units/:id', target, perm: 'units.edit',
      request: () => ({ method: 'PATCH', url: `/api/units/${fx.unit[target]}`, payload: { properties: { name: '改名' } }, headers: { 'if-match': '*' } }),
      expect: unitEditIn(target, 400, 404),
    },
    {
      // Each request deletes a unit of its own, so every permitted user gets as far as deleting.
      route: 'DELETE /api/units/:id', target, perm: 'units.edit',
      request: async () => ({ method: 'DELETE', url: `/api/units/${await insertUnit(target, '待删除')}` }),
      expect: unitEditIn(target, 204, 404),
    },
    {
      route: 'POST /api/units/:id/records', target, perm: 'units.edit',
      request: () => ({ method: 'POST', url: `/api/units/${fx.unit[target]}/records`, payload: { kind: 'note', text: '门口堆物已清理' } }),
      expect: unitEditIn(target, 201, 404),
    },
    {
      // A row outside one's scope is a row error of the all-or-nothing import (422), like every other bad row.
      route: 'POST /api/units/import', target, perm: 'units.edit',
      request: () => ({ method: 'POST', url: '/api/units/import', payload: `type,name,lon,lat\ncompany,导入单位,${at(target).join(',')}\n`, headers: { 'content-type': 'text/csv' } }),
      expect: unitEditIn(target, 200, 422),
    },
  ]),

  // People and assignments (server/people): any account reads them; edits need the cell (or all the person's cells) in scope.
  { route: 'GET /api/people', target: 'none', request: () => ({ method: 'GET', url: '/api/people' }), expect: signedIn(200) },
  { route: 'GET /api/people-gaps', target: 'none', request: () => ({ method: 'GET', url: '/api/people-gaps' }), expect: signedIn(200) },
  { route: 'GET /api/assignment-roles', target: 'none', request: () => ({ method: 'GET', url: '/api/assignment-roles' }), expect: everyone(200) },
  {
    route: 'POST /api/people', target: 'none', perm: 'people.edit',
    request: () => ({ method: 'POST', url: '/api/people', payload: { name: '李四' } }), expect: planIn('none', 201),
  },
  ...both.flatMap((target): Case[] => [
    { route: 'GET /api/people/:id', target, request: () => ({ method: 'GET', url: `/api/people/${fx.person[target]}` }), expect: signedIn(200) },
    { route: 'GET /api/people/:id/cells', target, request: () => ({ method: 'GET', url: `/api/people/${fx.person[target]}/cells` }), expect: signedIn(200) },
    { route: 'GET /api/cells/:id/assignments', target, request: () => ({ method: 'GET', url: `/api/cells/${cellOf(target)}/assignments` }), expect: signedIn(200) },
    { route: 'GET /api/cells/:id/card', target, request: () => ({ method: 'GET', url: `/api/cells/${cellOf(target)}/card` }), expect: everyone(200) },
    {
      route: 'PATCH /api/people/:id', target, perm: 'people.edit',
      request: () => ({ method: 'PATCH', url: `/api/people/${fx.person[target]}`, payload: { title: '网格长' }, headers: { 'if-match': '*' } }),
      expect: planIn(target, 400),
    },
    {
      // The person still answers for a cell: a permitted user reaches that rule (409).
      route: 'DELETE /api/people/:id', target, perm: 'people.edit',
      request: () => ({ method: 'DELETE', url: `/api/people/${fx.person[target]}` }), expect: planIn(target, 409),
    },
    { route: 'GET /api/cells/:id/duties', target, request: () => ({ method: 'GET', url: `/api/cells/${cellOf(target)}/duties` }), expect: everyone(200) },
    { route: 'GET /cells/:id/board', target, request: () => ({ method: 'GET', url: `/cells/${cellOf(target)}/board` }), expect: everyone(200) },
    {
      route: 'PUT /api/cells/:id/duties', target, perm: 'cells.edit',
      request: () => ({ method: 'PUT', url: `/api/cells/${cellOf(target)}/duties`, payload: { tasks: [{ domain: 'fire', text: '检查消防通道' }] } }),
      expect: planIn(target, 200),
    },
    {
      route: 'PUT /api/cells/:id/assignments', target, perm: 'assignments.edit',
      request: () => ({ method: 'PUT', url: `/api/cells/${cellOf(target)}/assignments`, payload: [{ personId: fx.person[target], role: 'chief' }] }),
      expect: planIn(target, 200),
    },
    {
      route: 'POST /api/assignments/import', target, perm: 'assignments.edit',
      request: () => ({
        method: 'POST', url: '/api/assignments/import', headers: { 'content-type': 'text/csv' },
        payload: `cell_code,person,role,phone\n${target === 'west' ? '610302001' : '610302002'},${target} 张三,chief,${phoneOf(target)}\n`,
      }),
      expect: planIn(target, 200, 422),
    },
    // Balanced division (server/partition): a planner's tool; outside one's scope the cell is not admitted to exist.
    { route: 'GET /api/cells/:id/workload', target, perm: 'cells.edit', request: () => ({ method: 'GET', url: `/api/cells/${cellOf(target)}/workload` }), expect: planIn(target, 200, 404) },
    {
      route: 'POST /api/cells/:id/partition', target, perm: 'cells.edit',
      // A count of 1 gets a permitted user past the guards to the rule (422).
      request: () => ({ method: 'POST', url: `/api/cells/${cellOf(target)}/partition`, payload: { count: 1 } }),
      expect: planIn(target, 422, 404),
    },
    {
      route: 'POST /api/workload', target, perm: 'cells.edit',
      request: () => ({ method: 'POST', url: '/api/workload', payload: { features: [{ geometry: { type: 'Polygon', coordinates: areaIn(target) } }] } }),
      // Measuring is not editing: a scoped planner measures anywhere, counting only what their scope holds.
      expect: { ...planIn(target, 200), plannerWest: 200 },
    },
    {
      route: 'POST /api/cells/:id/rebalance', target, perm: 'cells.edit',
      // A proposal only: nothing is saved.
      request: () => ({ method: 'POST', url: `/api/cells/${cellOf(target)}/rebalance`, payload: {} }),
      expect: planIn(target, 200, 404),
    },
    {
      route: 'POST /api/cells/:id/partition/commit', target, perm: 'cells.edit',
      // One cell is not a division: a permitted user gets past the guards to the rule (422).
      request: () => ({ method: 'POST', url: `/api/cells/${cellOf(target)}/partition/commit`, payload: { features: [{ type: 'Feature', geometry: { type: 'Polygon', coordinates: areaIn(target) } }] } }),
      expect: planIn(target, 422, 404),
    },
  ]),
];

function reason403(c: Case, who: Who): RegExp {
  const given = c.why?.[who];
  if (given) return given;
  if (who !== 'public' && c.perm && !(PERMISSIONS[c.perm] as readonly Role[]).includes(ROLE[who])) return /may not do this/;
  if (SCOPED.has(who) && c.target === 'east') return /outside your scope/;
  throw new Error(`the table does not say why ${who} gets 403 on ${c.route}`);
}

describe(`access: route × role × scope (${TEST_DB})`, () => {
  const rows = cases.flatMap((c) => (Object.keys(c.expect) as Who[]).map((who) => ({ c, route: c.route, target: c.target, who, status: c.expect[who] })));
  it.each(rows)('$route on $target as $who → $status', async ({ c, who, status }) => {
    const r = await c.request();
    const res = await t.app.inject({ ...r, payload: r.payload as object, headers: { ...headers[who], ...r.headers } });
    expect(res.statusCode, res.body).toBe(status);
    if (status >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    if (status === 403) expect(res.json().detail).toMatch(reason403(c, who));
  });
});

// What a scoped user is shown: only the west street's reports, patrols and cells, where the route counts by scope.
describe(`scoped reads show only the scope (${TEST_DB})`, () => {
  const get = async (url: string, who: Who) => {
    const res = await t.app.inject({ method: 'GET', url, headers: headers[who] });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const inWest = (lon: number) => lon >= 107 && lon < 107.05;

  it('the feed, heatmap and report export hold west reports only for the west worker, and both streets for the admin', async () => {
    const feed = await get('/api/reports/feed?limit=200', 'workerWest');
    const lons = (f: { items: { location: { coordinates: number[] } }[] }) => f.items.map((r) => r.location.coordinates[0]!);
    expect(lons(feed).length).toBeGreaterThan(0);
    expect(lons(feed).every(inWest)).toBe(true);
    expect(lons(await get('/api/reports/feed?limit=200', 'admin')).some((lon) => !inWest(lon))).toBe(true);
    const heat = await get('/api/heatmap', 'workerWest');
    expect(heat.points.length).toBeGreaterThan(0);
    expect(heat.points.every((p: { lon: number }) => inWest(p.lon))).toBe(true);
    expect((await get('/api/heatmap', 'admin')).points.some((p: { lon: number }) => !inWest(p.lon))).toBe(true);
    const exported = await get('/api/export/reports.geojson', 'workerWest');
    expect(exported.features.length).toBeGreaterThan(0);
    expect(exported.features.every((f: { geometry: { coordinates: number[] } }) => inWest(f.geometry.coordinates[0]!))).toBe(true);
  });

  it('units, their exports, their OGC collection and the unit summary hold west units only for scoped users', async () => {
    const unitIds = (fc: { features: { id: number }[] }) => fc.features.map((f) => f.id);
    for (const who of ['workerWest', 'plannerWest'] as const) {
      for (const url of ['/api/units', '/api/units/export.geojson', '/ogc/collections/units/items?limit=1000']) {
        const seen = unitIds(await get(url, who));
        expect(seen, `${url} as ${who}`).toContain(fx.unit.west);
        expect(seen, `${url} as ${who}`).not.toContain(fx.unit.east);
        expect(seen, `${url} as ${who}`).not.toContain(fx.unit2.east);
      }
      const csv = (await t.app.inject({ method: 'GET', url: '/api/units/export.csv', headers: headers[who] })).body;
      expect(csv).toContain('west 面馆');
      expect(csv).not.toContain('east 面馆');
      expect((await get(`/api/cells/${ids.east}/units/summary`, who)).total).toBe(0);
      expect((await get(`/api/cells/${ids.district}/units/summary`, who)).total).toBe((await get(`/api/cells/${ids.west}/units/summary`, who)).total);
    }
    expect(unitIds(await get('/api/units', 'commander'))).toContain(fx.unit.east);
    expect(unitIds(await get('/ogc/collections/units/items?limit=1000', 'admin'))).toContain(fx.unit.east);
  });

  it('full phones only for people of one\'s scope: masked elsewhere, in people, one person, assignments and search', async () => {
    const masked = (target: Target) => `${phoneOf(target).slice(0, 3)}****${phoneOf(target).slice(-4)}`;
    for (const who of ['workerWest', 'plannerWest'] as const) {
      expect((await get(`/api/people/${fx.person.west}`, who)).phone).toBe(phoneOf('west'));
      expect((await get(`/api/people/${fx.person.east}`, who)).phone).toBe(masked('east'));
      expect((await get(`/api/cells/${ids.east}/assignments`, who))[0].phone).toBe(masked('east'));
      expect((await get(`/api/cells/${ids.west}/assignments`, who))[0].phone).toBe(phoneOf('west'));
      const listed = await get('/api/people?limit=1000', who);
      expect(JSON.stringify(listed)).not.toContain(phoneOf('east'));
      expect(listed.find((p: { id: number }) => p.id === fx.person.east).phone).toBe(masked('east'));
      // A search by digits finds a masked number no more than it shows it.
      expect((await get(`/api/people?q=${phoneOf('east').slice(0, 9)}`, who)).map((p: { id: number }) => p.id)).not.toContain(fx.person.east);
      expect((await get(`/api/people?q=${phoneOf('west').slice(0, 9)}`, who)).map((p: { id: number }) => p.id)).toContain(fx.person.west);
    }
    for (const who of ['admin', 'commander'] as const) expect((await get(`/api/people/${fx.person.east}`, who)).phone).toBe(phoneOf('east'));
  });

  it('statistics, the monthly report, patrols, coverage and the ledger list west cells and patrols only', async () => {
    const cellIds = (list: { id?: number; cellId?: number }[]) => list.map((c) => c.id ?? c.cellId);
    expect(cellIds((await get('/api/stats/cells?level=2', 'workerWest')).cells)).toEqual([ids.west]);
    expect(cellIds((await get('/api/stats/cells?level=2', 'admin')).cells).sort()).toEqual([ids.west, ids.east].sort());
    const month = new Date().toISOString().slice(0, 7);
    expect(cellIds((await get(`/api/reports/monthly?month=${month}&level=2`, 'workerWest')).cells)).toEqual([ids.west]);
    const patrols = (await get('/api/inspections', 'workerWest')).items.map((i: { id: number }) => i.id);
    expect(patrols).toContain(fx.patrol.west);
    expect(patrols).not.toContain(fx.patrol.east);
    const covered = cellIds((await get('/api/inspections/coverage', 'workerWest')).cells);
    expect(covered).toContain(ids.west);
    expect(covered).not.toContain(ids.east);
    expect(covered).not.toContain(ids.district);
    const ledger = JSON.stringify(await get('/api/inspections/ledger', 'workerWest'));
    expect(ledger).toContain('610302001');
    expect(ledger).not.toContain('610302002');
  });

  it('the public OGC reports collection carries no tracking code, description or reporter', async () => {
    const items = await get('/ogc/collections/reports/items', 'public');
    expect(items.features.length).toBeGreaterThan(0);
    const keys = new Set(items.features.flatMap((f: { properties: object }) => Object.keys(f.properties)));
    for (const secret of ['trackingCode', 'description', 'reporterName', 'reporterContact', 'contact']) expect(keys.has(secret)).toBe(false);
  });
});

// CSRF: a cookie session must echo its x-csrf-token on every state-changing route of every module. Without it
// (or with a wrong one) the request is refused with 403 and nothing changes; with it, the same request goes
// through. The command view (server/command) has no state-changing route.
describe(`CSRF on state-changing routes (${TEST_DB})`, () => {
  const countRows = async (table: string) => (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
  const cookieOnly = (h: Headers) => ({ cookie: h.cookie! });

  let divided: number;
  beforeAll(async () => {
    divided = (await t.db.query<{ id: number }>(
      `INSERT INTO cells (code, name, level, parent_id, geom) VALUES ('610302002901', '划分', 3, $1,
         ST_Multi(ST_MakeEnvelope(107.06, 34.05, 107.08, 34.06, 4326))) RETURNING id`, [ids.east])).rows[0]!.id;
  });
  /** table: where the request writes (nothing written without the token); none for a POST that only answers. */
  interface CsrfCase { module: string; as: () => Headers; table?: string; request: () => Req | Promise<Req>; ok: number }
  const csrfCases: CsrfCase[] = [
    { module: 'patrols', as: () => workerEast, table: 'inspection_track_points', ok: 200,
      request: () => ({ method: 'POST', url: `/api/inspections/${fx.patrol.east}/track`, payload: { points: [{ lon: EAST[0], lat: EAST[1], at: new Date().toISOString() }] } }) },
    { module: 'exchange', as: () => headers.planner, table: 'cell_imports', ok: 201,
      request: async () => {
        const body = await multipartFile('east.geojson', importFile);
        return { method: 'POST', url: '/api/import/cells', payload: body.payload, headers: body.headers };
      } },
    { module: 'units', as: () => headers.planner, table: 'units', ok: 201,
      request: () => ({ method: 'POST', url: '/api/units', payload: { type: 'Feature', geometry: point('west'), properties: { type: 'company', name: 'CSRF 单位' } } }) },
    { module: 'units (records)', as: () => headers.workerWest, table: 'unit_records', ok: 201,
      request: () => ({ method: 'POST', url: `/api/units/${fx.unit.west}/records`, payload: { kind: 'note', text: '检查' } }) },
    { module: 'people', as: () => headers.planner, table: 'people', ok: 201,
      request: () => ({ method: 'POST', url: '/api/people', payload: { name: 'CSRF 王五' } }) },
    { module: 'people (assignments)', as: () => headers.planner, table: 'cell_assignments', ok: 200,
      request: () => ({ method: 'PUT', url: `/api/cells/${ids.east}/assignments`, payload: [{ personId: fx.person.east, role: 'chief' }, { personId: fx.person.east, role: 'supervisor' }] }) },
    { module: 'duties (五定)', as: () => headers.planner, table: 'cell_duties', ok: 200,
      request: () => ({ method: 'PUT', url: `/api/cells/${ids.district}/duties`, payload: { duties: [{ domain: 'general', text: 'CSRF' }] } }) },
    { module: 'users', as: () => headers.admin, table: 'users', ok: 201,
      request: () => ({ method: 'POST', url: '/api/users', payload: { username: 'csrfvictim', displayName: 'V', role: 'admin', password: 'long enough pw' } }) },
    { module: 'partition', as: () => headers.planner, table: 'cells', ok: 201,
      request: async () => {
        // Two halves of a level-3 cell in the east, as a division of it.
        const half = (a: number, b: number) => ({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[a, 34.05], [b, 34.05], [b, 34.06], [a, 34.06], [a, 34.05]]] } });
        return { method: 'POST', url: `/api/cells/${divided}/partition/commit`, payload: { features: [half(107.06, 107.07), half(107.07, 107.08)] } };
      } },
    { module: 'accountability (民主测评)', as: () => headers.commander, table: 'evaluation_democratic', ok: 200,
      request: () => ({ method: 'PUT', url: `/api/evaluations/2030-04/cells/${ids.east}/democratic`, payload: { score: 70 } }) },
    { module: 'tokens', as: () => headers.commander, table: 'api_tokens', ok: 201,
      request: () => ({ method: 'POST', url: '/api/tokens', payload: { name: 'csrf' } }) },
    // The project POST carries one of the user's tokens into a file: a forged one must not get it.
    { module: 'exchange (QGIS project)', as: () => headers.planner, ok: 200,
      request: () => ({ method: 'POST', url: '/api/export/project.qgs', payload: {} }) },
  ];

  it.each(csrfCases)('$module: refused without the token, accepted with it', async ({ as, table, request, ok }) => {
    const h = as();
    const count = async (name: string | undefined) => (name ? countRows(name) : 0);
    const before = await count(table);
    for (const csrf of [undefined, 'wrong-token']) {
      const r = await request();
      const res = await t.app.inject({ ...r, payload: r.payload as object, headers: { ...cookieOnly(h), ...(csrf ? { 'x-csrf-token': csrf } : {}), ...r.headers } });
      expect(res.statusCode, res.body).toBe(403);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().detail).toMatch(/x-csrf-token/);
      expect(await count(table)).toBe(before);
    }
    const r = await request();
    const res = await t.app.inject({ ...r, payload: r.payload as object, headers: { ...h, ...r.headers } });
    expect(res.statusCode, res.body).toBe(ok);
    if (table) expect(await count(table)).toBeGreaterThan(before);
  });

  it('users and tokens: PATCH and DELETE need it too', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/tokens', payload: { name: 'x' }, headers: headers.planner });
    const tokenId = created.json().id;
    const patch = await t.app.inject({ method: 'PATCH', url: `/api/users/${fx.workerEast}`, payload: { role: 'admin' }, headers: cookieOnly(headers.admin) });
    expect(patch.statusCode).toBe(403);
    expect((await t.db.query<{ role: string }>('SELECT role FROM users WHERE id = $1', [fx.workerEast])).rows[0]!.role).toBe('worker');
    const revoke = await t.app.inject({ method: 'DELETE', url: `/api/tokens/${tokenId}`, headers: cookieOnly(headers.planner) });
    expect(revoke.statusCode).toBe(403);
    expect((await t.db.query('SELECT 1 FROM api_tokens WHERE id = $1 AND revoked_at IS NULL', [tokenId])).rowCount).toBe(1);
  });

  it('open311: the intake needs no CSRF token, and a cookie session without it files as a resident, never as staff', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/open311/v2/requests.json', headers: { ...cookieOnly(headers.admin), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ service_code: 'fire', lat: String(WEST[1]), long: String(WEST[0]), description: '跨站提交' }).toString(),
    });
    expect(res.statusCode, res.body).toBe(201);
    const { rows } = await t.db.query<{ source: string }>('SELECT source FROM reports WHERE id = $1', [Number(res.json()[0].service_request_id)]);
    expect(rows[0]!.source).toBe('resident');
  });

  it('only the public intake (and a reporter\'s claim and rating) and sign-in go without it: a new route that opts out must be named here', () => {
    const optedOut = routesOf(t.app).filter((r) => !r.csrf && r.method !== 'GET').map((r) => `${r.method} ${r.url}`).sort();
    expect(optedOut).toEqual([
      'POST /api/reports', 'POST /api/reports/track/:code/claim', 'POST /api/reports/track/:code/rating', 'POST /api/session',
      'POST /open311/v2/requests.json', 'POST /open311/v2/requests.xml',
    ]);
  });

  // The CSRF table: a request that passes validation (the CSRF check comes after it) for every
  // cookie-authenticated write route. The routes of the access matrix use the matrix's request; the
  // others are named here.
  const CSRF_ONLY: Record<string, () => Req> = {
    'DELETE /api/session': () => ({ method: 'DELETE', url: '/api/session' }),
    'POST /api/cells/:id/split': () => ({ method: 'POST', url: `/api/cells/${ids.west}/split`, payload: { type: 'LineString', coordinates: [[107.0, 34.0], [107.1, 34.1]] } }),
    'POST /api/cells/merge': () => ({ method: 'POST', url: '/api/cells/merge', payload: { ids: [ids.west, ids.east] } }),
    'POST /api/coverage/fix': () => ({ method: 'POST', url: '/api/coverage/fix', payload: { kind: 'overlap', a: ids.west, b: ids.east } }),
    'POST /api/units/:id/archive': () => ({ method: 'POST', url: `/api/units/${fx.unit.west}/archive` }),
    'POST /api/units/:id/restore': () => ({ method: 'POST', url: `/api/units/${fx.unit.west}/restore` }),
    'POST /api/reports/:id/actions': () => ({ method: 'POST', url: '/api/reports/1/actions', payload: { action: 'verify' } }),
    'POST /api/reports/:id/photos': () => ({ method: 'POST', url: '/api/reports/1/photos' }),
    'POST /api/rewards/:id/payout': () => ({ method: 'POST', url: '/api/rewards/1/payout', payload: { amount: 50, paidOn: '2030-01-01', method: 'cash' } }),
    'PUT /api/people/:id/photo': () => ({ method: 'PUT', url: `/api/people/${fx.person.west}/photo` }),
    'DELETE /api/people/:id/photo': () => ({ method: 'DELETE', url: `/api/people/${fx.person.west}/photo` }),
    'PUT /api/settings/basemap': () => ({ method: 'PUT', url: '/api/settings/basemap', payload: { kind: 'none' } }),
  };
  const csrfRequest = (key: string): (() => Req | Promise<Req>) | undefined => {
    if (CSRF_ONLY[key]) return CSRF_ONLY[key];
    const [method, url] = key.split(' ') as [string, string];
    return cases.find((c) => routeOfCase(c.route).method === method && routeOf(routesOf(t.app), method, routeOfCase(c.route).path)?.url === url)?.request;
  };

  it('every cookie-authenticated write route is in the CSRF table, and refuses a request without the token or with a wrong one', async () => {
    const writes = routesOf(t.app).filter((r) => r.csrf && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method)).map((r) => `${r.method} ${r.url}`);
    expect(writes.filter((key) => !csrfRequest(key))).toEqual([]);
    const notRefused: string[] = [];
    for (const key of writes) {
      for (const csrf of [undefined, 'wrong-token']) {
        const r = await csrfRequest(key)!();
        const res = await t.app.inject({ ...r, payload: r.payload as object, headers: { ...cookieOnly(headers.admin), ...(csrf ? { 'x-csrf-token': csrf } : {}), ...r.headers } });
        const code = String(res.headers['content-type']).startsWith('application/problem+json') ? res.json().code : res.body.slice(0, 100);
        if (res.statusCode !== 403 || code !== 'auth.csrf') notRefused.push(`${key} (${csrf ?? 'no token'}): ${res.statusCode} ${code}`);
      }
    }
    expect(notRefused).toEqual([]);
    // The admin's session survived its refused sign-out.
    expect((await t.app.inject({ method: 'GET', url: '/api/session', headers: headers.admin })).json().user.username).toBe('admin');
  });

  it('a bearer token needs no CSRF token', async () => {
    const { token } = (await t.app.inject({ method: 'POST', url: '/api/tokens', payload: { name: 'script' }, headers: headers.planner })).json();
    const res = await t.app.inject({
      method: 'POST', url: '/api/units', headers: { authorization: `Bearer ${token}` },
      payload: { type: 'Feature', geometry: point('east'), properties: { type: 'company', name: '脚本单位' } },
    });
    expect(res.statusCode, res.body).toBe(201);
  });
});

// Every route the app has is in the access matrix above, or named here with the test that covers
// its access instead: a new route that is in neither fails, so no route escapes the table.
const COVERED_ELSEWHERE: Record<string, string> = {
  'GET /api/settings/basemap': 'basemap.test.ts',
  'PUT /api/settings/basemap': 'basemap.test.ts',
  'GET /basemap/local/:z/:x/:y': 'basemap.test.ts',
  'POST /api/session': 'auth.test.ts, auth-lockout.test.ts',
  'GET /api/session': 'auth.test.ts',
  'DELETE /api/session': 'auth.test.ts',
  'GET /api/cells/:id': 'cells-read.test.ts (public)',
  'POST /api/cells/:id/split': 'cells-edit.test.ts',
  'POST /api/cells/merge': 'cells-edit.test.ts',
  'GET /api/cells/:id/history': 'cells-edit.test.ts',
  'GET /api/coverage': 'coverage-engines.test.ts',
  'GET /api/coverage/cells': 'coverage-fix.test.ts',
  'POST /api/coverage/fix': 'coverage-fix.test.ts, problem-codes.test.ts',
  'GET /api/cards/at': 'people.test.ts, search.test.ts',
  'GET /api/units/:id/history': 'units-archive.test.ts, units-page.test.ts',
  'POST /api/units/:id/archive': 'units-archive.test.ts',
  'POST /api/units/:id/restore': 'units-archive.test.ts',
  'POST /api/reports': 'reports.test.ts, limits-staff.test.ts (public intake)',
  'GET /api/reports/track/:code': 'reports.test.ts, public-read-limits.test.ts (public, by tracking code)',
  'GET /api/reports': 'reports.test.ts, reports-workflow.test.ts',
  'GET /api/reports/:id/events': 'reports-workflow.test.ts',
  'POST /api/reports/:id/actions': 'reports-workflow.test.ts',
  'POST /api/reports/:id/photos': 'reports.test.ts',
  'GET /api/reports/:id/photos/:photoId': 'reports.test.ts',
  'GET /api/people/:id/warnings': 'reports-workflow.test.ts',
  'GET /api/rewards': 'reports-workflow.test.ts',
  'GET /api/events': 'events-session.test.ts',
  'GET /api/reports/monthly.xlsx': 'command-stats.test.ts',
  'GET /api/search': 'search.test.ts',
  'POST /api/reports/track/:code/claim': 'reports-rewards.test.ts (public, with the claim code)',
  'POST /api/reports/track/:code/rating': 'reports-rewards.test.ts (public, by tracking code)',
  'POST /api/rewards/:id/payout': 'reports-rewards.test.ts (commander; a worker gets 403)',
  'PUT /api/people/:id/photo': 'people-photo.test.ts (planner; a worker gets 403)',
  'DELETE /api/people/:id/photo': 'people-photo.test.ts (planner)',
  'GET /api/people/:id/photo': 'people-photo.test.ts (public while on a card, else staff)',
};

/** "GET /api/units/:id (admin's)" or "GET /api/x?y=" → method and path. */
const routeOfCase = (route: string) => {
  const [method, rest] = route.split(' ', 2) as [string, string];
  return { method, path: rest.split('?')[0]!.split(' (')[0]! };
};
const patternOf = (url: string) => new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+')}$`);
/** The route a request path is sent to: the route of that very path, else the one whose pattern it fits. */
function routeOf<R extends { method: string; url: string }>(routes: R[], method: string, path: string): R | undefined {
  const same = routes.filter((r) => r.method === method);
  return same.find((r) => r.url === path) ?? same.find((r) => patternOf(r.url).test(path));
}

describe(`route enumeration (${TEST_DB})`, () => {
  it('every route of the app is in the access matrix or covered elsewhere', () => {
    const tabled = cases.map((c) => routeOfCase(c.route));
    const missing = routesOf(t.app)
      .filter((r) => !r.url.startsWith('/assets') && r.url !== '/*' && r.url !== '/')
      .map((r) => `${r.method} ${r.url}`)
      .filter((key) => {
        if (COVERED_ELSEWHERE[key]) return false;
        const [method, url] = key.split(' ') as [string, string];
        const re = patternOf(url);
        return !tabled.some((c) => c.method === method && (c.path === url || re.test(c.path)));
      });
    expect(missing).toEqual([]);
  });

  it('every route declares its access, and the matrix names the permission its route declares', () => {
    const routes = routesOf(t.app);
    expect(routes.filter((r) => r.access === undefined).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    const disagree = cases.flatMap((c) => {
      const { method, path } = routeOfCase(c.route);
      const route = routeOf(routes, method, path);
      const declared = route?.access && route.access in PERMISSIONS ? route.access : undefined;
      return declared === c.perm ? [] : [`${c.route}: the matrix says ${c.perm ?? 'no permission'}, the route declares ${route?.access}`];
    });
    expect(disagree).toEqual([]);
  });

  it('the HEAD of a guarded GET is guarded as the GET', async () => {
    expect((await t.app.inject({ method: 'HEAD', url: '/api/users' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'HEAD', url: '/api/users', headers: headers.planner })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'HEAD', url: '/api/users', headers: headers.admin })).statusCode).toBe(200);
  });

  it('a route that declares no access, or one that does not exist, stops the app at start', async () => {
    const refused: [object | undefined, RegExp][] = [
      [undefined, /GET \/api\/forgotten declares no access/],
      [{ access: 'cells.delete' }, /GET \/api\/forgotten declares an unknown access "cells.delete"/],
    ];
    for (const [config, error] of refused) {
      const app = await buildApp({ db: t.db, config: t.config, clientDir: '/nonexistent' });
      void app.register(async (scope) => {
        scope.get('/api/forgotten', { config }, async () => 'no guard');
      });
      await expect(app.ready()).rejects.toThrow(error);
    }
  });
});
