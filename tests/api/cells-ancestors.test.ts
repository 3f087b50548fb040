import { beforeAll, describe, expect, it } from 'vitest';
import type { Feature, FeatureCollection, Polygon } from 'geojson';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { insertCell, square } from '../helpers/cells.ts';
import { multipartFile } from '../fixtures/exchange/upload.ts';

// cells.ancestors (migration 027) is the hierarchy the server reads: it must say what a walk up
// parent_id says, after every way the API and the database change parents. The walk stays here,
// as the oracle.

let t: TestApp;
let h: Headers;
const id: Record<string, number> = {};

const rect = (w: number, s: number, e: number, n: number): number[][][] => [[[w, s], [w, n], [e, n], [e, s], [w, s]]];
const polygon = (rings: number[][][]): Polygon => ({ type: 'Polygon', coordinates: rings });

/** Every cell's path by the walk down from the top-level cells, and as stored; cells the walk misses show up too. */
async function paths() {
  const { rows: walked } = await t.db.query<{ id: number; path: number[] }>(
    `WITH RECURSIVE walk (id, path) AS (
       SELECT id, '{}'::int[] FROM cells WHERE parent_id IS NULL
       UNION ALL SELECT c.id, walk.path || walk.id FROM cells c JOIN walk ON c.parent_id = walk.id)
     SELECT id, path FROM walk ORDER BY id`);
  const { rows: stored } = await t.db.query<{ id: number; path: number[] }>('SELECT id, ancestors AS path FROM cells ORDER BY id');
  return { walked, stored };
}

async function expectPathsRight() {
  const { walked, stored } = await paths();
  expect(stored).toEqual(walked);
}

const ancestorsOf = async (cell: number) => (await t.db.query<{ a: number[] }>('SELECT ancestors AS a FROM cells WHERE id = $1', [cell])).rows[0]!.a;
const versions = async (cell: number) => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cell_versions WHERE cell_id = $1', [cell])).rows[0]!.n;
const byCode = async (code: string) => (await t.db.query<{ id: number }>('SELECT id FROM cells WHERE code = $1', [code])).rows[0]!.id;

beforeAll(async () => {
  t = await testApp();
  await createUser(t.db, 'anc', 'planner');
  h = await signIn(t.app, 'anc');
  const cell = async (key: string, code: string, level: number, parent: string | null, rings: number[][][]) => {
    id[key] = await insertCell(t.db, { code, name: key, level, parentId: parent === null ? null : id[parent]!, rings });
  };
  await cell('D', '610302', 1, null, square(107, 34, 0.1));
  await cell('D2', '610303', 1, null, square(107.2, 34, 0.1));
  await cell('SW', '610302001', 2, 'D', rect(107, 34, 107.05, 34.1));
  await cell('SE', '610302002', 2, 'D', rect(107.05, 34, 107.1, 34.1));
  await cell('C1', '610302001001', 3, 'SW', rect(107, 34, 107.05, 34.05));
  await cell('C2', '610302001002', 3, 'SW', rect(107, 34.05, 107.05, 34.1));
  await cell('A1', '610302001001001', 4, 'C1', square(107.005, 34.005, 0.01));
  await cell('A2', '610302001001002', 4, 'C1', square(107.035, 34.005, 0.01));
  await cell('B1', '610302001001001001', 5, 'A1', square(107.006, 34.006, 0.002));
  await cell('B2', '610302001001002001', 5, 'A2', square(107.036, 34.006, 0.002));
  await cell('E1', '610302002001', 3, 'SE', rect(107.05, 34, 107.1, 34.05));
  await cell('E2', '610302002002', 3, 'SE', rect(107.05, 34.05, 107.1, 34.1));
  await cell('EA', '610302002001001', 4, 'E1', square(107.06, 34.01, 0.01));
  await cell('EB', '610302002001001001', 5, 'EA', square(107.061, 34.011, 0.002));
});

describe(`cells.ancestors (${TEST_DB})`, () => {
  it('a new cell holds the ids from its top-level cell down to its parent; a top-level cell none', async () => {
    expect(await ancestorsOf(id.D!)).toEqual([]);
    expect(await ancestorsOf(id.B2!)).toEqual([id.D, id.SW, id.C1, id.A2]);
    expect(await ancestorsOf(id.EB!)).toEqual([id.D, id.SE, id.E1, id.EA]);
    await expectPathsRight();
  });

  it('children inserted before their parents in one statement get their whole path', async () => {
    const { rows } = await t.db.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('cells', 'id'))::int AS id FROM generate_series(1, 3)`);
    const [street, community, area] = rows.map((r) => r.id) as [number, number, number];
    await t.db.query(
      `INSERT INTO cells (id, code, name, level, parent_id, geom) VALUES
         ($3, '610303001001001', '后片区', 4, $2, ST_Multi(ST_MakeEnvelope(107.21, 34.01, 107.22, 34.02, 4326))),
         ($2, '610303001001', '后社区', 3, $1, ST_Multi(ST_MakeEnvelope(107.2, 34, 107.25, 34.05, 4326))),
         ($1, '610303001', '后街道', 2, $4, ST_Multi(ST_MakeEnvelope(107.2, 34, 107.3, 34.1, 4326)))`,
      [street, community, area, id.D2]);
    expect(await ancestorsOf(area)).toEqual([id.D2, street, community]);
    await expectPathsRight();
    await t.db.query('DELETE FROM cells WHERE id = ANY ($1::int[])', [[area, community, street]]);
    await expectPathsRight();
  });

  it('three new levels written in one statement in any order get their whole paths (all six orders)', async () => {
    const rowsOf = (street: number, community: number, area: number) => ({
      street: `(${street}, '610303002', '序街道', 2, ${id.D2}, ST_Multi(ST_MakeEnvelope(107.3, 34, 107.4, 34.1, 4326)))`,
      community: `(${community}, '610303002001', '序社区', 3, ${street}, ST_Multi(ST_MakeEnvelope(107.3, 34, 107.35, 34.05, 4326)))`,
      area: `(${area}, '610303002001001', '序片区', 4, ${community}, ST_Multi(ST_MakeEnvelope(107.31, 34.01, 107.32, 34.02, 4326)))`,
    });
    const orders = [['street', 'community', 'area'], ['street', 'area', 'community'], ['community', 'street', 'area'],
      ['community', 'area', 'street'], ['area', 'street', 'community'], ['area', 'community', 'street']] as const;
    for (const order of orders) {
      const { rows } = await t.db.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('cells', 'id'))::int AS id FROM generate_series(1, 3)`);
      const [street, community, area] = rows.map((r) => r.id) as [number, number, number];
      const values = rowsOf(street, community, area);
      await t.db.query(`INSERT INTO cells (id, code, name, level, parent_id, geom) VALUES ${order.map((k) => values[k]).join(', ')}`);
      expect([await ancestorsOf(street), await ancestorsOf(community), await ancestorsOf(area)], order.join(' ')).toEqual([
        [id.D2], [id.D2, street], [id.D2, street, community]]);
      await t.db.query('DELETE FROM cells WHERE id = ANY ($1::int[])', [[area, community, street]]);
    }
    await expectPathsRight();
  });

  it('split: a child that follows the new part takes it into its path, and so do the cells below it', async () => {
    const res = await t.app.inject({ method: 'POST', url: `/api/cells/${id.C1}/split`, headers: h, payload: { type: 'LineString', coordinates: [[107.03, 33.99], [107.03, 34.06]] } });
    expect(res.statusCode, res.body).toBe(201);
    const parts = res.json<FeatureCollection>().features.map((f) => f.id as number);
    expect(parts[0]).toBe(id.C1);
    id.C1e = parts[1]!;
    const b2Versions = await versions(id.B2!);
    expect(await ancestorsOf(id.A2!)).toEqual([id.D, id.SW, id.C1e]);
    expect(await ancestorsOf(id.B2!)).toEqual([id.D, id.SW, id.C1e, id.A2]);
    expect(await ancestorsOf(id.B1!)).toEqual([id.D, id.SW, id.C1, id.A1]);
    await expectPathsRight();
    // The moved child's history has the move; the cell below it was not edited and has no new version.
    const { rows } = await t.db.query<{ changed: string[] }>('SELECT changed FROM cell_versions WHERE cell_id = $1 ORDER BY version DESC LIMIT 1', [id.A2]);
    expect(rows[0]!.changed).toEqual(['parent']);
    expect(b2Versions).toBe(1);
  });

  it('merge: the children of the merged cells move under the one kept, with their subtrees', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/cells/merge', headers: h, payload: { ids: [id.C1, id.C1e] } });
    expect(res.statusCode, res.body).toBe(200);
    expect(await ancestorsOf(id.B2!)).toEqual([id.D, id.SW, id.C1, id.A2]);
    expect(await versions(id.B2!)).toBe(1);
    await expectPathsRight();
  });

  it('a division committed over present children: the grandchildren follow the new cells, with their subtrees', async () => {
    const halves = [rect(107.05, 34, 107.075, 34.1), rect(107.075, 34, 107.1, 34.1)];
    const res = await t.app.inject({
      method: 'POST', url: `/api/cells/${id.SE}/partition/commit`, headers: h,
      payload: { replaceChildren: true, features: halves.map((rings) => ({ type: 'Feature', geometry: polygon(rings), properties: {} })) },
    });
    expect(res.statusCode, res.body).toBe(201);
    const [west] = res.json().created as number[];
    expect(await ancestorsOf(id.EA!)).toEqual([id.D, id.SE, west]);
    expect(await ancestorsOf(id.EB!)).toEqual([id.D, id.SE, west, id.EA]);
    await expectPathsRight();
  });

  it('import: a file of a cell and its child, the child first, under a stored cell', async () => {
    const features: Feature[] = [
      { type: 'Feature', geometry: polygon(square(107.012, 34.062, 0.002)), properties: { name: '导入楼院', code: '610302001002001001' } },
      { type: 'Feature', geometry: polygon(square(107.01, 34.06, 0.01)), properties: { name: '导入片区', code: '610302001002001' } },
    ];
    const body = await multipartFile('cells.geojson', JSON.stringify({ type: 'FeatureCollection', features }));
    const up = await t.app.inject({ method: 'POST', url: '/api/import/cells', payload: body.payload, headers: { ...h, ...body.headers } });
    expect(up.statusCode, up.body).toBe(201);
    const done = await t.app.inject({ method: 'POST', url: `/api/import/cells/${up.json().id}/commit`, headers: h, payload: { mapping: up.json().mapping } });
    expect(done.statusCode, done.body).toBe(201);
    const area = await byCode('610302001002001');
    expect(await ancestorsOf(await byCode('610302001002001001'))).toEqual([id.D, id.SW, id.C2, area]);
    await expectPathsRight();
  });

  it('coverage fix: a gap made a cell of its own', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/coverage/fix', headers: h, payload: { kind: 'gap', parentId: id.C2, index: 0, into: 'new' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(await ancestorsOf(res.json().created)).toEqual([id.D, id.SW, id.C2]);
    await expectPathsRight();
  });

  it('a cell deleted with its children handed to another district: the whole subtree and the heatmap rollup follow', async () => {
    await t.db.query(
      `INSERT INTO reports (tracking_code, geom, category, severity, description, source, state, cell_id, step_started_at, due_at, created_at, updated_at)
       SELECT 'WG-ANC' || n, g, 'fire', 'ordinary', '测试', 'patrol', 'reported', route_point(g), now(), now() + interval '1 day', now(), now()
       FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p (lon, lat, n), LATERAL (SELECT ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS g) x`,
      [[107.007, 107.037, 107.062, 107.09, 107.25], [34.007, 34.007, 34.012, 34.09, 34.05]]);
    const roots = async () => (await t.db.query<{ root_id: number; n: number }>(
      "SELECT root_id, sum(n)::int AS n FROM report_heat_counts WHERE band = 15 AND day = 'infinity' GROUP BY root_id ORDER BY root_id")).rows;
    expect(await roots()).toEqual([{ root_id: id.D, n: 4 }, { root_id: id.D2, n: 1 }]);
    const res = await t.app.inject({ method: 'DELETE', url: `/api/cells/${id.D}?childrenTo=${id.D2}`, headers: h });
    expect(res.statusCode, res.body).toBe(204);
    expect(await ancestorsOf(id.B2!)).toEqual([id.D2, id.SW, id.C1, id.A2]);
    await expectPathsRight();
    expect(await roots()).toEqual([{ root_id: id.D2, n: 5 }]);
    const { rows: apart } = await t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM reports r WHERE r.cell_id IS NOT NULL AND report_heat_root(r.cell_id) <> $1', [id.D2]);
    expect(apart[0]!.n).toBe(0);
  });

  it('a leaf deleted leaves every other path as it was', async () => {
    await t.db.query('DELETE FROM reports');
    const res = await t.app.inject({ method: 'DELETE', url: `/api/cells/${id.B1}`, headers: h });
    expect(res.statusCode, res.body).toBe(204);
    await expectPathsRight();
  });

  it('one statement moving a cell and a cell below it; a parent set to itself heals a wrong path', async () => {
    await t.db.query('UPDATE cells SET parent_id = CASE id WHEN $1::int THEN $3::int ELSE $2::int END, version = version + 1 WHERE id IN ($1::int, $4::int)',
      [id.A2, id.A1, id.C2, id.B2]);
    expect(await ancestorsOf(id.B2!)).toEqual([id.D2, id.SW, id.C1, id.A1]);
    await expectPathsRight();
    await t.db.query('UPDATE cells SET parent_id = CASE id WHEN $1::int THEN $2::int ELSE parent_id END, version = version + 1 WHERE id IN ($1::int, $3::int)',
      [id.A1, id.C2, id.B2]);
    expect(await ancestorsOf(id.B2!)).toEqual([id.D2, id.SW, id.C2, id.A1]);
    await expectPathsRight();
    // The path is the triggers' alone; one written by hand is put right by touching parent_id.
    await t.db.query("UPDATE cells SET ancestors = '{}' WHERE id = $1", [id.A1]);
    await t.db.query('UPDATE cells SET parent_id = parent_id WHERE id = $1', [id.A1]);
    await expectPathsRight();
  });

  it('refuses a parent below the cell itself', async () => {
    await expect(t.db.query('UPDATE cells SET parent_id = $2 WHERE id = $1', [id.SW, id.A1])).rejects.toThrow(/below itself/);
    await expectPathsRight();
  });

  it('no SQL function of Wangge walks the hierarchy recursively any more', async () => {
    const { rows } = await t.db.query<{ proname: string }>(
      `SELECT p.proname FROM pg_proc p
       WHERE p.pronamespace = current_schema()::regnamespace AND p.prosrc ~* 'with\\s+recursive'
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')`);
    expect(rows).toEqual([]);
  });
});
