import { beforeAll, describe, expect, it } from 'vitest';
import type { FeatureCollection, MultiPolygon } from 'geojson';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { insertCell } from '../helpers/cells.ts';
import { lShapedCommunity } from '../helpers/community.ts';

type Proposal = FeatureCollection<MultiPolygon, { index: number; workload: number; households: number; units: number; parts: number; compactness: number; outsideBand: string | null; share: number }> & {
  count: number; balance: { cv: number; mean: number; min: number; max: number; maxMin: number | null }; tiles: { count: number; sideM: number };
};

let t: TestApp;
let planner: Headers;
let commander: Headers;
let scoped: Headers;
let ids: Awaited<ReturnType<typeof lShapedCommunity>> & { elsewhere: number };

beforeAll(async () => {
  t = await testApp();
  ids = { ...(await lShapedCommunity(t.db, 800)), elsewhere: 0 };
  await createUser(t.db, 'pat', 'planner');
  await createUser(t.db, 'viv', 'commander');
  planner = await signIn(t.app, 'pat');
  commander = await signIn(t.app, 'viv');
  ids.elsewhere = await insertCell(t.db, { code: '610302002', name: '金陵街道', level: 2, parentId: ids.district, rings: [[[107.15, 34.25], [107.2, 34.25], [107.2, 34.3], [107.15, 34.3], [107.15, 34.25]]] });
  await createUser(t.db, 'sam', 'planner', [ids.elsewhere]);
  scoped = await signIn(t.app, 'sam');
}, 120_000);

const propose = (id: number, payload: object, headers = planner) => t.app.inject({ method: 'POST', url: `/api/cells/${id}/partition`, headers, payload });
const commit = (id: number, payload: object, headers = planner) => t.app.inject({ method: 'POST', url: `/api/cells/${id}/partition/commit`, headers, payload });

/** Through PostGIS: how far the union of the parts is from the parent, the worst pairwise overlap, and polygons per part. */
async function tiling(parentId: number, parts: MultiPolygon[]) {
  const { rows } = await t.db.query<{ diff_m2: number; overlap_m2: number; polygons: number[]; valid: boolean[] }>(
    `WITH g AS (SELECT i, ST_SetSRID(ST_GeomFromGeoJSON(j), 4326) AS g FROM unnest($2::text[]) WITH ORDINALITY AS x(j, i))
     SELECT ST_Area(ST_SymDifference((SELECT ST_Union(g) FROM g), (SELECT geom FROM cells WHERE id = $1))::geography) AS diff_m2,
            coalesce((SELECT max(ST_Area(ST_Intersection(a.g, b.g)::geography)) FROM g a JOIN g b ON a.i < b.i), 0) AS overlap_m2,
            (SELECT array_agg(ST_NumGeometries(g) ORDER BY i) FROM g) AS polygons,
            (SELECT array_agg(ST_IsValid(g) ORDER BY i) FROM g) AS valid`,
    [parentId, parts.map((p) => JSON.stringify(p))]);
  return rows[0]!;
}

describe(`balanced division (${TEST_DB})`, () => {
  let first: Proposal;

  it('proposes N contiguous cells that tile the parent exactly, with even workloads', async () => {
    const res = await propose(ids.community, { count: 6, seed: 1 });
    expect(res.statusCode, res.body).toBe(200);
    first = res.json();
    expect(first.type).toBe('FeatureCollection');
    expect(first.features).toHaveLength(6);
    const check = await tiling(ids.community, first.features.map((f) => f.geometry));
    expect(check.diff_m2).toBeLessThan(1);
    expect(check.overlap_m2).toBeLessThan(1e-6);
    expect(check.polygons).toEqual([1, 1, 1, 1, 1, 1]);
    expect(check.valid.every(Boolean)).toBe(true);
    expect(first.features.every((f) => f.properties.parts === 1 && f.properties.workload > 0)).toBe(true);
    // Compact, not ragged: Polsby–Popper of every part at least 0.3 (a 1 × 4 rectangle is 0.5).
    expect(Math.min(...first.features.map((f) => f.properties.compactness))).toBeGreaterThanOrEqual(0.3);
    // Tolerance stated in docs/guide/planner.md (Balanced division): workloads within a CV of 0.1 for six cells.
    expect(first.balance.cv).toBeLessThanOrEqual(0.1);
    expect(first.features.reduce((s, f) => s + f.properties.households, 0)).toBe(ids.households);
    expect(first.features.reduce((s, f) => s + f.properties.units, 0)).toBe(800);
  });

  it('gives the same proposal for the same seed, another for another seed', async () => {
    const again = (await propose(ids.community, { count: 6, seed: 1 })).json();
    expect(again).toEqual(first);
    const other = (await propose(ids.community, { count: 6, seed: 2 })).json() as Proposal;
    expect(other.features.map((f) => f.geometry)).not.toEqual(first.features.map((f) => f.geometry));
    expect(other.balance.cv).toBeLessThanOrEqual(0.1);
  });

  it('answers bad input with its code and changes nothing', async () => {
    const code = async (res: Awaited<ReturnType<typeof propose>>, status: number) => {
      expect(res.statusCode, res.body).toBe(status);
      return res.json().code as string;
    };
    expect(await code(await propose(ids.community, { count: 1 }), 422)).toBe('partition.count-too-small');
    expect(await code(await propose(ids.community, { count: 100000 }), 422)).toBe('partition.count-too-large');
    expect(await code(await propose(ids.community, {}), 422)).toBe('partition.count-required');
    expect(await code(await propose(999999, { count: 3 }), 404)).toBe('partition.cell-not-found');
    // Outside the planner's scope the cell is not admitted to exist.
    expect(await code(await propose(ids.community, { count: 3 }, scoped), 404)).toBe('partition.cell-not-found');
    expect(await code(await propose(ids.community, { count: 3 }, commander), 403)).toBe('auth.role-forbidden');
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO cells (code, name, level, parent_id, geom) VALUES ('610302001002', '空社区', 3, $1, ST_GeomFromText('MULTIPOLYGON EMPTY', 4326)) RETURNING id`, [ids.street]);
    expect(await code(await propose(rows[0]!.id, { count: 3 }), 422)).toBe('partition.no-area');
    await t.db.query('DELETE FROM cells WHERE id = $1', [rows[0]!.id]);
    // A cell of the deepest level (5 of 5) cannot have children.
    const chain = (await t.db.query<{ id: number }>(
      `WITH c3 AS (INSERT INTO cells (code, name, level, parent_id, geom) VALUES ('610302002001', '金陵社区', 3, $1, ST_Multi(ST_MakeEnvelope(107.16, 34.26, 107.17, 34.27, 4326))) RETURNING id),
            c4 AS (INSERT INTO cells (code, name, level, parent_id, geom) SELECT '610302002001001', '第一片区', 4, id, ST_Multi(ST_MakeEnvelope(107.16, 34.26, 107.17, 34.27, 4326)) FROM c3 RETURNING id)
       INSERT INTO cells (code, name, level, parent_id, geom) SELECT '610302002001001001', '一号楼院', 5, id, ST_Multi(ST_MakeEnvelope(107.16, 34.26, 107.17, 34.27, 4326)) FROM c4 RETURNING id`,
      [ids.elsewhere])).rows[0]!.id;
    expect(await code(await propose(chain, { count: 2 }), 422)).toBe('partition.deepest-level');
    const { rows: kids } = await t.db.query('SELECT 1 FROM cells WHERE parent_id = $1', [ids.community]);
    expect(kids).toHaveLength(0);
  });

  it('sizes the division by a target workload instead of a count', async () => {
    const total = first.balance.mean * 6;
    const res = await propose(ids.community, { targetWorkload: total / 4, seed: 3 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().features).toHaveLength(4);
  });

  it('commits the proposal as the children: coverage clean, units re-filed, workloads measured', async () => {
    const res = await commit(ids.community, first);
    expect(res.statusCode, res.body).toBe(201);
    const out = res.json();
    expect(out.created).toHaveLength(6);
    expect(out.coverage).toMatchObject({ overlaps: [], gaps: [], strays: [], childCount: 6 });
    const cov = await t.app.inject({ method: 'GET', url: `/api/coverage?parentId=${ids.community}`, headers: planner });
    expect(cov.json()).toMatchObject({ overlaps: [], gaps: [], strays: [], notSubdivided: false });
    const { rows: filed } = await t.db.query<{ cell_id: number | null; n: number }>('SELECT cell_id, count(*)::int AS n FROM units GROUP BY cell_id');
    expect(filed.every((r) => out.created.includes(r.cell_id))).toBe(true);

    const wl = await t.app.inject({ method: 'GET', url: `/api/cells/${ids.community}/workload`, headers: planner });
    expect(wl.statusCode, wl.body).toBe(200);
    const w = wl.json();
    expect(w.cells.map((c: { id: number }) => c.id).sort()).toEqual([...out.created].sort());
    expect(w.cells.reduce((s: number, c: { households: number }) => s + c.households, 0)).toBe(ids.households);
    expect(w.balance.cv).toBeLessThanOrEqual(0.1);
    // The default band is 200–500 households per cell: these cells hold far more.
    expect(w.band).toEqual({ metric: 'households', min: 200, max: 500 });
    expect(w.outsideBand).toHaveLength(6);
    expect(w.cells[0].outsideBand).toBe('above');
    const heavier = await t.app.inject({ method: 'GET', url: `/api/cells/${ids.community}/workload?households=0&units=0&reports=0&patrolHours=0&areaKm2=1000`, headers: planner });
    expect(heavier.json().cells[0].workload).toBeCloseTo(heavier.json().cells[0].areaM2 / 1e3, 1);
    expect((await t.app.inject({ method: 'GET', url: `/api/cells/${ids.community}/workload`, headers: scoped })).statusCode).toBe(404);

    // Any areas can be measured: the proposal's parts hold what the committed children hold.
    const measured = await t.app.inject({ method: 'POST', url: '/api/workload', headers: planner, payload: { type: 'FeatureCollection', features: first.features } });
    expect(measured.statusCode, measured.body).toBe(200);
    const areas = measured.json().areas as { households: number; units: number; workload: number }[];
    expect(areas).toHaveLength(6);
    expect(areas.reduce((s, a) => s + a.households, 0)).toBe(ids.households);
    expect(areas.map((a) => a.units)).toEqual(first.features.map((f) => f.properties.units));
    // A planner elsewhere counts none of the units here.
    const blind = await t.app.inject({ method: 'POST', url: '/api/workload', headers: scoped, payload: { features: first.features.slice(0, 1) } });
    expect(blind.json().areas[0].units).toBe(0);
    const bowTie = { type: 'Polygon', coordinates: [[[107.1, 34.3], [107.11, 34.31], [107.11, 34.3], [107.1, 34.31], [107.1, 34.3]]] };
    const bad = await t.app.inject({ method: 'POST', url: '/api/workload', headers: planner, payload: { features: [{ geometry: bowTie }] } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('cells.geometry-self-intersection');
  });

  it('refuses to add children beside existing ones, and replaces them when asked, carrying people and history', async () => {
    const again = await commit(ids.community, first);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('partition.has-children');

    const { rows: old } = await t.db.query<{ id: number }>('SELECT id FROM cells WHERE parent_id = $1 ORDER BY code', [ids.community]);
    const { rows: person } = await t.db.query<{ id: number }>("INSERT INTO people (name) VALUES ('王网格') RETURNING id");
    await t.db.query("INSERT INTO cell_assignments (cell_id, position, person_id, role) VALUES ($1, 1, $2, 'supervisor')", [old[0]!.id, person[0]!.id]);
    const worker = await createUser(t.db, 'wen', 'worker', [old[0]!.id, old[1]!.id]);
    // A hazard report filed in a child about to be replaced.
    const filed = await t.app.inject({ method: 'POST', url: '/api/reports', payload: { category: 'fire', severity: 'ordinary', description: '楼道堆放杂物', location: { type: 'Point', coordinates: [107.1031, 34.3047] } } });
    expect(filed.statusCode, filed.body).toBe(201);
    const four = (await propose(ids.community, { count: 4, seed: 5 })).json() as Proposal;
    expect(four.features.reduce((s, f) => s + (f.properties as unknown as { reports: number }).reports, 0)).toBe(1);
    const res = await commit(ids.community, { ...four, replaceChildren: true });
    expect(res.statusCode, res.body).toBe(201);
    const out = res.json();
    expect(out.replaced.sort()).toEqual(old.map((o) => o.id).sort());
    expect(out.assignments).toEqual({ carried: 1, dropped: 0 });
    const { rows: kids } = await t.db.query<{ id: number }>('SELECT id FROM cells WHERE parent_id = $1', [ids.community]);
    expect(kids.map((k) => k.id).sort()).toEqual([...out.created].sort());
    const { rows: report } = await t.db.query<{ cell_id: number }>('SELECT cell_id FROM reports');
    expect(out.created).toContain(report[0]!.cell_id);
    const { rows: carried } = await t.db.query<{ cell_id: number }>('SELECT cell_id FROM cell_assignments WHERE person_id = $1', [person[0]!.id]);
    expect(out.created).toContain(carried[0]!.cell_id);
    // The worker who worked in replaced cells now works in the new cells overlapping them most.
    const { rows: scope } = await t.db.query<{ scope: number[] }>('SELECT scope FROM users WHERE id = $1', [worker]);
    expect(scope[0]!.scope.length).toBeGreaterThan(0);
    expect(scope[0]!.scope.every((id) => out.created.includes(id))).toBe(true);
    const { rows: history } = await t.db.query<{ operation: string }>("SELECT operation FROM cell_versions WHERE cell_id = $1 AND operation = 'delete'", [old[0]!.id]);
    expect(history).toHaveLength(1);
  });

  it('refuses a division that does not tile the parent, changing nothing', async () => {
    const { rows: before } = await t.db.query('SELECT id, version FROM cells ORDER BY id');
    const half = { type: 'Polygon', coordinates: [[[107.1, 34.3], [107.11, 34.3], [107.11, 34.32], [107.1, 34.32], [107.1, 34.3]]] };
    const res = await commit(ids.community, { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: half }, { type: 'Feature', geometry: half }], replaceChildren: true });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().code).toBe('partition.coverage-faults');
    const { rows: after } = await t.db.query('SELECT id, version FROM cells ORDER BY id');
    expect(after).toEqual(before);
  });

  it('rebalances present children with border moves only: workloads even out, the cells still tile the parent', async () => {
    // Equal-area cells: the dense old town in the south-west makes their workloads uneven.
    const byArea = (await propose(ids.community, { count: 4, seed: 1, weights: { households: 0, units: 0, reports: 0, patrolHours: 0, areaKm2: 1 } })).json() as Proposal;
    expect((await commit(ids.community, { ...byArea, replaceChildren: true })).statusCode).toBe(201);
    const before = (await t.app.inject({ method: 'GET', url: `/api/cells/${ids.community}/workload`, headers: planner })).json();
    expect(before.balance.cv).toBeGreaterThan(0.2);

    const res = await t.app.inject({ method: 'POST', url: `/api/cells/${ids.community}/rebalance`, headers: planner, payload: {} });
    expect(res.statusCode, res.body).toBe(200);
    const plan = res.json();
    expect(plan.before.cv).toBeGreaterThan(0.2);
    expect(plan.balance.cv).toBeLessThanOrEqual(0.1);
    expect(plan.moved.tiles).toBeGreaterThan(0);
    expect(plan.features.every((f: { properties: { parts: number } }) => f.properties.parts === 1)).toBe(true);
    // The changed children go through the topological reshape (one transaction, versions checked).
    const saved = await t.app.inject({
      method: 'POST', url: '/api/cells/reshape', headers: planner,
      payload: { cells: plan.features.map((f: { id: number; geometry: MultiPolygon; properties: { version: number } }) => ({ id: f.id, version: f.properties.version, geometry: f.geometry })) },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const { rows: kids } = await t.db.query<{ g: string }>('SELECT ST_AsGeoJSON(geom, 15) AS g FROM cells WHERE parent_id = $1', [ids.community]);
    const check = await tiling(ids.community, kids.map((k) => JSON.parse(k.g) as MultiPolygon));
    expect(check.diff_m2).toBeLessThan(1);
    expect(check.overlap_m2).toBeLessThan(1e-6);
    const after = (await t.app.inject({ method: 'GET', url: `/api/cells/${ids.community}/workload`, headers: planner })).json();
    expect(after.balance.cv).toBeLessThanOrEqual(0.1);
    const cov = (await t.app.inject({ method: 'GET', url: `/api/coverage?parentId=${ids.community}`, headers: planner })).json();
    expect(cov).toMatchObject({ overlaps: [], gaps: [], strays: [] });
  });

  it('divides a parent of two islands without gaps or overlaps', async () => {
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO cells (code, name, level, parent_id, geom) VALUES ('610302001009', '双岛社区', 3, $1,
         ST_Multi(ST_Union(ST_MakeEnvelope(107.06, 34.26, 107.07, 34.27, 4326), ST_MakeEnvelope(107.08, 34.26, 107.085, 34.265, 4326)))) RETURNING id`, [ids.street]);
    const res = await propose(rows[0]!.id, { count: 3, seed: 1 });
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json() as Proposal;
    expect(p.features).toHaveLength(3);
    const check = await tiling(rows[0]!.id, p.features.map((f) => f.geometry));
    expect(check.diff_m2).toBeLessThan(1);
    expect(check.overlap_m2).toBeLessThan(1e-6);
  });
});

describe(`division along given lines (${TEST_DB})`, () => {
  /** The share of the border between parts 1 and 2 that lies within 1 m of the road, and its length in metres. */
  async function onRoad(parts: MultiPolygon[], road: object) {
    const { rows } = await t.db.query<{ share: number; length: number }>(
      `WITH a AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g), b AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($2), 4326) AS g),
            border AS (SELECT ST_CollectionExtract(ST_Intersection(a.g, b.g), 2) AS l FROM a, b),
            road AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($3), 4326) AS r)
       SELECT coalesce(ST_Length(ST_Intersection(border.l, ST_Buffer(road.r::geography, 1)::geometry)::geography) / nullif(ST_Length(border.l::geography), 0), 0) AS share,
              ST_Length(border.l::geography) AS length
       FROM border, road`, [JSON.stringify(parts[0]), JSON.stringify(parts[1]), JSON.stringify(road)]);
    return rows[0]!;
  }

  it('runs the border along a road where the balance allows, still tiling the parent exactly', async () => {
    const plain = (await propose(ids.community, { count: 2, seed: 1 })).json() as Proposal;
    // A road that bends about 120 m off the balanced straight border and crosses the whole parent.
    const { rows: [ends] } = await t.db.query<{ a: [number, number]; b: [number, number] }>(
      `WITH l AS (SELECT ST_LineMerge(ST_CollectionExtract(ST_Intersection(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)), 2)) AS l)
       SELECT ARRAY[ST_X(ST_StartPoint(l)), ST_Y(ST_StartPoint(l))] AS a, ARRAY[ST_X(ST_EndPoint(l)), ST_Y(ST_EndPoint(l))] AS b FROM l`,
      [JSON.stringify(plain.features[0]!.geometry), JSON.stringify(plain.features[1]!.geometry)]);
    const [ax, ay] = ends!.a;
    const [bx, by] = ends!.b;
    const kx = 1 / (111_320 * Math.cos((ay * Math.PI) / 180));
    const ky = 1 / 110_574;
    const len = Math.hypot((bx - ax) / kx, (by - ay) / ky);
    const [ux, uy] = [((bx - ax) / kx) / len, ((by - ay) / ky) / len];
    const at = (f: number, off: number) => [ax + (f * len * ux - off * uy) * kx, ay + (f * len * uy + off * ux) * ky];
    const road = { type: 'LineString' as const, coordinates: [at(-0.1, 0), at(0.3, 120), at(0.7, -120), at(1.1, 0)] };

    const res = await propose(ids.community, { count: 2, seed: 1, lines: [road] });
    expect(res.statusCode, res.body).toBe(200);
    const along = res.json() as Proposal;
    const check = await tiling(ids.community, along.features.map((f) => f.geometry));
    expect(check.diff_m2).toBeLessThan(1);
    expect(check.overlap_m2).toBeLessThan(1e-6);
    expect(check.polygons).toEqual([1, 1]);
    const followed = await onRoad(along.features.map((f) => f.geometry), road);
    const straight = await onRoad(plain.features.map((f) => f.geometry), road);
    expect(followed.share).toBeGreaterThan(0.9);
    expect(straight.share).toBeLessThan(0.3);
    // Within the stated tolerance: each part within 15% of the balanced share.
    expect(Math.max(...along.features.map((f) => Math.abs(f.properties.share - 1)))).toBeLessThanOrEqual(0.15);
  });

  it('with followChildren, divides along the present children\'s borders', async () => {
    const { rows: kids } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cells WHERE parent_id = $1', [ids.community]);
    expect(kids[0]!.n).toBeGreaterThanOrEqual(4);
    const res = await propose(ids.community, { count: 2, seed: 3, followChildren: true });
    expect(res.statusCode, res.body).toBe(200);
    const two = res.json() as Proposal;
    expect((await tiling(ids.community, two.features.map((f) => f.geometry))).diff_m2).toBeLessThan(1);
    // The new border between the two parts, against the present children's borders.
    const { rows } = await t.db.query<{ share: number }>(
      `WITH border AS (SELECT ST_CollectionExtract(ST_Intersection(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)), 2) AS l),
            kids AS (SELECT ST_Union(ST_Boundary(geom)) AS r FROM cells WHERE parent_id = $3)
       SELECT ST_Length(ST_Intersection(border.l, ST_Buffer(kids.r, 1e-5))::geography) / nullif(ST_Length(border.l::geography), 0) AS share
       FROM border, kids`, [JSON.stringify(two.features[0]!.geometry), JSON.stringify(two.features[1]!.geometry), ids.community]);
    expect(rows, 'one answer').toHaveLength(1);
    expect(rows[0]!.share).toBeGreaterThan(0.9);
  });
});
