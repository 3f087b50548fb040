import { beforeAll, describe, expect, it } from 'vitest';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { square, twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
let h: Headers;

beforeAll(async () => {
  t = await testApp();
  ids = await twoStreets(t.db);
  await createUser(t.db, 'pat', 'planner');
  h = await signIn(t.app, 'pat');
});

const feature = (coordinates: unknown, properties: Record<string, unknown>, type = 'Polygon') => ({ type: 'Feature', geometry: { type, coordinates }, properties });
const post = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/cells', headers: h, payload: payload as object });
const count = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cells')).rows[0]!.n;
const area = async (id: number) => (await t.db.query<{ a: number }>('SELECT ST_Area(geom::geography) AS a FROM cells WHERE id = $1', [id])).rows[0]!.a;

describe(`creating cells (${TEST_DB})`, () => {
  it('creates a cell inside its parent with a generated hierarchical code', async () => {
    const res = await post(feature(square(107.01, 34.01, 0.01), { name: '西一社区', level: 3, parentId: ids.west }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ type: 'Feature', properties: { code: '610302001001', name: '西一社区', level: 3, parentId: ids.west, version: 1 } });
    const second = await post(feature(square(107.03, 34.01, 0.01), { name: '西二社区', level: 3, parentId: ids.west }));
    expect(second.json().properties.code).toBe('610302001002');
    const { rows } = await t.db.query<{ changed_by: string }>('SELECT changed_by FROM cell_versions WHERE cell_id = $1', [res.json().id]);
    expect(rows).toEqual([{ changed_by: 'pat' }]);
  });

  it('accepts a given code when it is unique and fits the scheme', async () => {
    const ok = await post(feature(square(107.01, 34.03, 0.01), { name: '指定码', level: 3, parentId: ids.west, code: '610302001050' }));
    expect(ok.statusCode).toBe(201);
    const dup = await post(feature(square(107.01, 34.05, 0.01), { name: '重码', level: 3, parentId: ids.west, code: '610302001050' }));
    expect(dup.statusCode).toBe(409);
    expect(dup.json().detail).toMatch(/610302001050 is taken/);
    const wrongPrefix = await post(feature(square(107.01, 34.05, 0.01), { name: '错码', level: 3, parentId: ids.west, code: '610302002051' }));
    expect(wrongPrefix.statusCode).toBe(422);
    expect(wrongPrefix.json().detail).toMatch(/start with the parent's code 610302001/);
  });

  const bad: [string, unknown, RegExp, number][] = [
    ['self-intersection (bow-tie)', feature([[[107.01, 34.01], [107.02, 34.02], [107.02, 34.01], [107.01, 34.02], [107.01, 34.01]]], { name: 'x', level: 3, parentId: 0 }), /Self-intersection at \[107\.015, 34\.015\]/, 422],
    ['unclosed ring', feature([[[107.01, 34.01], [107.01, 34.02], [107.02, 34.02], [107.02, 34.01]]], { name: 'x', level: 3, parentId: 0 }), /ring 0 is not closed/, 422],
    ['fewer than 4 positions', feature([[[107.01, 34.01], [107.02, 34.02], [107.01, 34.01]]], { name: 'x', level: 3, parentId: 0 }), /3 positions; a ring needs at least 4/, 422],
    ['latitude out of range', feature([[[107.01, 34.01], [107.01, 95], [107.02, 34.02], [107.01, 34.01]]], { name: 'x', level: 3, parentId: 0 }), /out of range/, 422],
    ['coordinates as strings', feature([[['107.01', '34.01'], [107.01, 34.02], [107.02, 34.02], [107.01, 34.01]]], { name: 'x', level: 3, parentId: 0 }), /must be \[longitude, latitude\] numbers/, 422],
    ['hole outside its shell', feature([square(107.01, 34.01, 0.01)[0], square(107.03, 34.03, 0.005)[0]], { name: 'x', level: 3, parentId: 0 }), /Hole lies outside shell/, 422],
    ['not inside the parent', feature(square(107.04, 34.01, 0.02), { name: 'x', level: 3, parentId: 0 }), /not inside its parent: \d+(\.\d)? m² lie outside/, 422],
    ['wrong level for the parent', feature(square(107.01, 34.01, 0.01), { name: 'x', level: 4, parentId: 0 }), /must be 3/, 422],
    ['empty name', feature(square(107.01, 34.01, 0.01), { name: '   ', level: 3, parentId: 0 }), /properties\.name must match pattern/, 400],
    ['a Point', { type: 'Feature', geometry: { type: 'Point', coordinates: [107, 34] }, properties: { name: 'x', level: 3, parentId: 0 } }, /geometry\.type must be equal to one of the allowed values/, 400],
  ];
  it.each(bad)('rejects %s with a message naming the fault, and stores nothing', async (_case, payload, message, status) => {
    const body = JSON.parse(JSON.stringify(payload).replace('"parentId":0', `"parentId":${ids.west}`));
    const before = await count();
    const res = await post(body);
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().detail).toMatch(message);
    expect(await count()).toBe(before);
  });

  it('rejects NaN in the body as broken JSON', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/cells', headers: { ...h, 'content-type': 'application/json' }, payload: '{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[NaN,1]]]}}' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe(`editing cells safely (${TEST_DB})`, () => {
  it('needs If-Match (428), and a stale version gets 409 with the current cell: one of two editors wins', async () => {
    const cell = (await post(feature(square(107.06, 34.06, 0.01), { name: '东一社区', level: 3, parentId: ids.east }))).json();
    const url = `/api/cells/${cell.id}`;
    expect((await t.app.inject({ method: 'PATCH', url, headers: h, payload: { properties: { name: 'A' } } })).statusCode).toBe(428);
    const etag = (await t.app.inject(url)).headers.etag as string;
    const [a, b] = await Promise.all([
      t.app.inject({ method: 'PATCH', url, headers: { ...h, 'if-match': etag }, payload: { properties: { name: '甲' } } }),
      t.app.inject({ method: 'PATCH', url, headers: { ...h, 'if-match': etag }, payload: { properties: { name: '乙' } } }),
    ]);
    const statuses = [a.statusCode, b.statusCode].sort();
    expect(statuses).toEqual([200, 409]);
    const winner = a.statusCode === 200 ? a : b;
    const loser = a.statusCode === 200 ? b : a;
    expect(loser.json().current.properties).toMatchObject({ name: winner.json().properties.name, version: 2 });
    expect(winner.headers.etag).toBe('"2"');
    // The loser retries on the current version: nothing is lost.
    const retry = await t.app.inject({ method: 'PATCH', url, headers: { ...h, 'if-match': '"2"' }, payload: { properties: { name: '丙' } } });
    expect(retry.json().properties).toMatchObject({ name: '丙', version: 3 });
  });

  it('reshapes a cell, keeps its history, and restores an earlier version', async () => {
    const cell = (await post(feature(square(107.06, 34.08, 0.01), { name: '东二社区', level: 3, parentId: ids.east }))).json();
    const url = `/api/cells/${cell.id}`;
    const reshaped = await t.app.inject({ method: 'PATCH', url, headers: { ...h, 'if-match': '"1"' }, payload: { geometry: { type: 'Polygon', coordinates: square(107.06, 34.08, 0.015) } } });
    expect(reshaped.statusCode, reshaped.body).toBe(200);
    expect(reshaped.json().properties.areaM2).toBeGreaterThan(cell.properties.areaM2 * 2);
    const invalidEdit = await t.app.inject({ method: 'PATCH', url, headers: { ...h, 'if-match': '"2"' }, payload: { geometry: { type: 'Polygon', coordinates: square(107.09, 34.08, 0.05) } } });
    expect(invalidEdit.statusCode).toBe(422);
    const history = (await t.app.inject({ url: `${url}/history`, headers: h })).json();
    expect(history.map((v: { version: number; changed: string[]; changedBy: string }) => [v.version, v.changed, v.changedBy])).toEqual([[1, [], 'pat'], [2, ['geometry'], 'pat']]);
    expect(history[0].geometry.type).toBe('MultiPolygon');
    // The public sees what changed and when, not who.
    const publicHistory = await t.app.inject(`${url}/history`);
    expect(publicHistory.json().map((v: { version: number; changed: string[] }) => [v.version, v.changed])).toEqual([[1, []], [2, ['geometry']]]);
    expect(publicHistory.body).not.toContain('pat');
    expect(publicHistory.json().every((v: object) => !('changedBy' in v))).toBe(true);
    const restored = await t.app.inject({ method: 'POST', url: `${url}/restore`, headers: h, payload: { version: 1 } });
    expect(restored.json().properties).toMatchObject({ version: 3 });
    expect(Math.abs(restored.json().properties.areaM2 / cell.properties.areaM2 - 1)).toBeLessThan(1e-9);
  });

  it('splits a cell along a line: the parts tile it exactly and children follow their part', async () => {
    const parent = (await post(feature(square(107.01, 34.06, 0.02), { name: '待分社区', level: 3, parentId: ids.west }))).json();
    const westChild = (await post(feature(square(107.012, 34.065, 0.004), { name: '西片', level: 4, parentId: parent.id }))).json();
    const eastChild = (await post(feature(square(107.024, 34.065, 0.004), { name: '东片', level: 4, parentId: parent.id }))).json();
    const before = await area(parent.id);
    const res = await t.app.inject({ method: 'POST', url: `/api/cells/${parent.id}/split`, headers: h, payload: { type: 'LineString', coordinates: [[107.02, 34.05], [107.02, 34.09]] } });
    expect(res.statusCode, res.body).toBe(201);
    const parts = res.json<FeatureCollection<MultiPolygon>>().features;
    expect(parts).toHaveLength(2);
    const sum = (await Promise.all(parts.map((p) => area(p.id as number)))).reduce((a, b) => a + b, 0);
    expect(Math.abs(sum / before - 1)).toBeLessThan(1e-6);
    const { rows } = await t.db.query<{ id: number; parent_id: number }>('SELECT id, parent_id FROM cells WHERE id = ANY($1::int[])', [[westChild.id, eastChild.id]]);
    const parentOf = Object.fromEntries(rows.map((r) => [r.id, r.parent_id]));
    expect(parentOf[westChild.id]).not.toBe(parentOf[eastChild.id]);
    expect(new Set(Object.values(parentOf))).toEqual(new Set(parts.map((p) => p.id)));
    const miss = await t.app.inject({ method: 'POST', url: `/api/cells/${parts[0]!.id}/split`, headers: h, payload: { type: 'LineString', coordinates: [[100, 30], [100.1, 30.1]] } });
    expect(miss.statusCode).toBe(422);
    expect(miss.json().detail).toMatch(/does not cut the cell/);
  });

  it('merges adjacent cells of one parent; refuses cells that only touch at a corner', async () => {
    const a = (await post(feature(square(107.0, 34.0, 0.004), { name: '甲', level: 3, parentId: ids.west }))).json();
    const b = (await post(feature(square(107.004, 34.0, 0.004), { name: '乙', level: 3, parentId: ids.west }))).json();
    const corner = (await post(feature(square(107.008, 34.004, 0.004), { name: '丙', level: 3, parentId: ids.west }))).json();
    const kid = (await post(feature(square(107.005, 34.001, 0.001), { name: '乙内', level: 4, parentId: b.id }))).json();
    const sum = (await area(a.id)) + (await area(b.id));
    const notAdjacent = await t.app.inject({ method: 'POST', url: '/api/cells/merge', headers: h, payload: { ids: [a.id, corner.id] } });
    expect(notAdjacent.statusCode).toBe(422);
    expect(notAdjacent.json().detail).toMatch(/do not share a border/);
    const res = await t.app.inject({ method: 'POST', url: '/api/cells/merge', headers: h, payload: { ids: [a.id, b.id], name: '甲乙' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: a.id, properties: { name: '甲乙' } });
    expect(res.json().geometry.coordinates).toHaveLength(1);
    expect(Math.abs((await area(a.id)) / sum - 1)).toBeLessThan(1e-6);
    expect((await t.app.inject(`/api/cells/${b.id}`)).statusCode).toBe(404);
    expect((await t.app.inject(`/api/cells/${kid.id}`)).json().properties.parentId).toBe(a.id);
    const otherParent = await t.app.inject({ method: 'POST', url: '/api/cells/merge', headers: h, payload: { ids: [ids.west, a.id] } });
    expect(otherParent.statusCode).toBe(422);
  });

  it('refuses to delete a cell with children unless told where they go', async () => {
    const a = (await post(feature(square(107.07, 34.03, 0.004), { name: '删甲', level: 3, parentId: ids.east }))).json();
    const b = (await post(feature(square(107.074, 34.03, 0.004), { name: '删乙', level: 3, parentId: ids.east }))).json();
    const kid = (await post(feature(square(107.071, 34.031, 0.001), { name: '删甲内', level: 4, parentId: a.id }))).json();
    const refused = await t.app.inject({ method: 'DELETE', url: `/api/cells/${a.id}`, headers: h });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/has 1 child cells/);
    const ok = await t.app.inject({ method: 'DELETE', url: `/api/cells/${a.id}?childrenTo=${b.id}`, headers: h });
    expect(ok.statusCode).toBe(204);
    expect((await t.app.inject(`/api/cells/${kid.id}`)).json().properties.parentId).toBe(b.id);
    const history = (await t.app.inject({ url: `/api/cells/${a.id}/history`, headers: h })).json();
    expect(history.at(-1)).toMatchObject({ operation: 'delete', changedBy: 'pat' });
  });

  it('keeps polygons from being stored as anything but MultiPolygon', async () => {
    const res = await post(feature([square(107.08, 34.08, 0.002), square(107.085, 34.08, 0.002)], { name: '双岛', level: 3, parentId: ids.east }, 'MultiPolygon'));
    expect(res.statusCode).toBe(201);
    expect((res.json().geometry as MultiPolygon | Polygon).type).toBe('MultiPolygon');
    expect(res.json().geometry.coordinates).toHaveLength(2);
  });
});

describe(`topological editing: one border moved in every cell that has it (${TEST_DB})`, () => {
  const reshape = (cells: unknown[], headers = h) => t.app.inject({ method: 'POST', url: '/api/cells/reshape', headers, payload: { cells } });
  const geometryOf = async (id: number) => (await t.app.inject(`/api/cells/${id}`)).json().geometry as MultiPolygon;
  const versionOf = async (id: number) => (await t.app.inject(`/api/cells/${id}`)).json().properties.version as number;
  /** The ring of a square with one corner moved. */
  const moved = (ring: number[][][], from: number[], to: number[]) => ring.map((r) => r.map((p) => (p[0] === from[0] && p[1] === from[1] ? to : p)));
  const pair = async (lon: number, lat: number) => {
    const a = (await post(feature(square(lon, lat, 0.004), { name: '拓扑甲', level: 3, parentId: ids.west }))).json();
    const b = (await post(feature(square(lon + 0.004, lat, 0.004), { name: '拓扑乙', level: 3, parentId: ids.west }))).json();
    return { a, b };
  };
  const overlapAndUnion = async (a: number, b: number) => (await t.db.query<{ overlap: number; union: number }>(
    `SELECT ST_Area(ST_Intersection(a.geom, b.geom)::geography) AS overlap, ST_Area(ST_Union(a.geom, b.geom)::geography) AS union
     FROM cells a, cells b WHERE a.id = $1 AND b.id = $2`, [a, b])).rows[0]!;

  it('moves a shared vertex in both cells in one transaction: both get a new version, no overlap and no gap appear', async () => {
    const { a, b } = await pair(107.0, 34.02);
    const before = await overlapAndUnion(a.id, b.id);
    const shared = [107.004, 34.024];
    const to = [107.005, 34.0245];
    const res = await reshape([
      { id: a.id, version: 1, geometry: { type: 'Polygon', coordinates: moved(square(107.0, 34.02, 0.004), shared, to) } },
      { id: b.id, version: 1, geometry: { type: 'Polygon', coordinates: moved(square(107.004, 34.02, 0.004), shared, to) } },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<FeatureCollection>().features.map((f) => [f.id, f.properties!.version])).toEqual([[a.id, 2], [b.id, 2]]);
    for (const id of [a.id, b.id]) expect((await geometryOf(id)).coordinates[0]![0]).toContainEqual(to);
    const after = await overlapAndUnion(a.id, b.id);
    expect(after.overlap).toBe(0);
    // Both sides of the border moved: the pair's union has no hole (gap) between them and is exactly the sum of the two.
    const { rows } = await t.db.query<{ holes: number; sum: number }>(
      `SELECT ST_NumInteriorRings(ST_GeometryN(ST_Union(a.geom, b.geom), 1))::int AS holes, ST_Area(a.geom::geography) + ST_Area(b.geom::geography) AS sum
       FROM cells a, cells b WHERE a.id = $1 AND b.id = $2`, [a.id, b.id]);
    expect(rows[0]!.holes).toBe(0);
    expect(Math.abs(after.union / rows[0]!.sum - 1)).toBeLessThan(1e-9);
    expect(before.overlap).toBe(0);
    const history = (await t.app.inject({ url: `/api/cells/${b.id}/history`, headers: h })).json();
    expect(history.at(-1)).toMatchObject({ version: 2, changed: ['geometry'], changedBy: 'pat' });
  });

  it('refuses the whole batch when one cell is stale (409 with its current feature); nothing changes', async () => {
    const { a, b } = await pair(107.0, 34.03);
    await t.app.inject({ method: 'PATCH', url: `/api/cells/${b.id}`, headers: { ...h, 'if-match': '"1"' }, payload: { properties: { name: '别人改过' } } });
    const shared = [107.004, 34.034];
    const res = await reshape([
      { id: a.id, version: 1, geometry: { type: 'Polygon', coordinates: moved(square(107.0, 34.03, 0.004), shared, [107.005, 34.034]) } },
      { id: b.id, version: 1, geometry: { type: 'Polygon', coordinates: moved(square(107.004, 34.03, 0.004), shared, [107.005, 34.034]) } },
    ]);
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().detail).toMatch(/别人改过 \(edited version 1, now 2\)/);
    expect(res.json().current.map((f: { id: number }) => f.id)).toEqual([b.id]);
    expect(await versionOf(a.id)).toBe(1);
    expect((await geometryOf(a.id)).coordinates[0]![0]).not.toContainEqual([107.005, 34.034]);
  });

  it('names the invalid cell of a batch (422) and changes none of them', async () => {
    const { a, b } = await pair(107.0, 34.04);
    const res = await reshape([
      { id: a.id, version: 1, geometry: { type: 'Polygon', coordinates: square(107.0, 34.04, 0.004) } },
      { id: b.id, version: 1, geometry: { type: 'Polygon', coordinates: [[[107.004, 34.04], [107.008, 34.044], [107.008, 34.04], [107.004, 34.044], [107.004, 34.04]]] } },
    ]);
    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toMatch(/Invalid geometry \(cells\[1\]\.geometry\): Self-intersection/);
    expect(res.json().errors[0].field).toBe('cells[1].geometry.coordinates');
    expect([await versionOf(a.id), await versionOf(b.id)]).toEqual([1, 1]);
  });

  it("checks each cell against its parent's new outline: a corner moved out of the street alone is refused, moved with the street and district it is stored", async () => {
    const corner = (await post(feature(square(107.0, 34.0, 0.004), { name: '角落', level: 3, parentId: ids.west }))).json();
    const out = [106.999, 33.999];
    const alone = await reshape([{ id: corner.id, version: 1, geometry: { type: 'Polygon', coordinates: moved(square(107.0, 34.0, 0.004), [107, 34], out) } }]);
    expect(alone.statusCode).toBe(422);
    expect(alone.json().detail).toMatch(/角落 \(\d+\) is not inside its parent/);
    expect(await versionOf(corner.id)).toBe(1);
    const west = [[[107, 34], [107, 34.1], [107.05, 34.1], [107.05, 34], [107, 34]]];
    const [wv, dv] = [await versionOf(ids.west), await versionOf(ids.district)];
    const together = await reshape([
      { id: corner.id, version: 1, geometry: { type: 'Polygon', coordinates: moved(square(107.0, 34.0, 0.004), [107, 34], out) } },
      { id: ids.west, version: wv, geometry: { type: 'Polygon', coordinates: moved(west, [107, 34], out) } },
      { id: ids.district, version: dv, geometry: { type: 'Polygon', coordinates: moved(square(107, 34, 0.1), [107, 34], out) } },
    ]);
    expect(together.statusCode, together.body).toBe(200);
    for (const id of [corner.id, ids.west, ids.district]) expect((await geometryOf(id)).coordinates[0]![0]).toContainEqual(out);
    // Put the grid back for the other tests.
    const back = await reshape([
      { id: corner.id, version: 2, geometry: { type: 'Polygon', coordinates: square(107.0, 34.0, 0.004) } },
      { id: ids.west, version: wv + 1, geometry: { type: 'Polygon', coordinates: west } },
      { id: ids.district, version: dv + 1, geometry: { type: 'Polygon', coordinates: square(107, 34, 0.1) } },
    ]);
    expect(back.statusCode, back.body).toBe(200);
  });

  it('refuses a repeated or unknown cell, and a planner outside the scope of one of the cells', async () => {
    const { a, b } = await pair(107.0, 34.05);
    const g = { type: 'Polygon', coordinates: square(107.0, 34.05, 0.004) };
    expect((await reshape([{ id: a.id, version: 1, geometry: g }, { id: a.id, version: 1, geometry: g }])).statusCode).toBe(422);
    const unknown = await reshape([{ id: a.id, version: 1, geometry: g }, { id: 999_999, version: 1, geometry: g }]);
    expect(unknown.statusCode).toBe(404);
    await createUser(t.db, 'east-planner', 'planner', [ids.east]);
    const scoped = await signIn(t.app, 'east-planner');
    const refused = await reshape([{ id: b.id, version: 1, geometry: { type: 'Polygon', coordinates: square(107.004, 34.05, 0.004) } }], scoped);
    expect(refused.statusCode).toBe(403);
    expect(await versionOf(b.id)).toBe(1);
    expect((await t.app.inject({ method: 'POST', url: '/api/cells/reshape', payload: { cells: [{ id: a.id, version: 1, geometry: g }] } })).statusCode).toBe(401);
  });
});

describe(`a scope root's outline (${TEST_DB})`, () => {
  it('is reshaped, split or deleted only by someone whose scope holds its parent; its name stays editable', async () => {
    await createUser(t.db, 'streetPlanner', 'planner', [ids.west]);
    const street = await signIn(t.app, 'streetPlanner');
    const url = `/api/cells/${ids.west}`;
    const version = (await t.app.inject(url)).json().properties.version as number;
    const reshape = await t.app.inject({ method: 'PATCH', url, headers: { ...street, 'if-match': `"${version}"` }, payload: { geometry: { type: 'Polygon', coordinates: square(107, 34, 0.04) } } });
    expect(reshape.statusCode).toBe(403);
    expect(reshape.json().code).toBe('auth.scope-root');
    const split = await t.app.inject({ method: 'POST', url: `${url}/split`, headers: street, payload: { type: 'LineString', coordinates: [[106.9, 34.05], [107.2, 34.05]] } });
    expect(split.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url, headers: street })).statusCode).toBe(403);
    expect((await t.app.inject(url)).json().properties.version).toBe(version);
    const rename = await t.app.inject({ method: 'PATCH', url, headers: { ...street, 'if-match': `"${version}"` }, payload: { properties: { name: '西街道办' } } });
    expect(rename.statusCode, rename.body).toBe(200);
  });
});
