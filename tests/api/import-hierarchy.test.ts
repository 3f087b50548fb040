import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { testApp, type TestApp } from '../helpers/app.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { insertCell, square } from '../helpers/cells.ts';
import { multipartFile } from '../fixtures/exchange/upload.ts';
import { stateTiling } from '../fixtures/coverage/us-atlas.ts';

// A mid-size real hierarchy (us-atlas, Census Bureau 1:10m, public domain: Iowa and Kansas with
// their 204 counties) imported, exported in every format, removed and imported again: the same
// cells on both databases. And the preview refuses what the commit would: a parent past its last
// child code (999 with 3 digits a level) is named in the preview, not first at the commit.

let t: TestApp;
let planner: Headers;

beforeAll(async () => {
  t = await testApp();
  await createUser(t.db, 'hier', 'planner');
  planner = await signIn(t.app, 'hier');
});

afterAll(async () => {
  await t.app.close();
});

const clearCells = () => t.db.exec('TRUNCATE cells, cell_versions CASCADE');
async function upload(name: string, data: Buffer | string) {
  const body = await multipartFile(name, data);
  return t.app.inject({ method: 'POST', url: '/api/import/cells', payload: body.payload, headers: { ...planner, ...body.headers } });
}
const commit = (id: string, body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: `/api/import/cells/${id}/commit`, payload: body, headers: planner });
const errorsOf = (preview: { features: { index: number; problems: { severity: string; kind: string; message: string }[] }[] }) =>
  preview.features.flatMap((f) => f.problems.filter((p) => p.severity === 'error').map((p) => `${f.index}: ${p.kind}: ${p.message}`));

type Areal = Polygon | MultiPolygon;
const feature = (geometry: Areal, properties: Record<string, unknown>): Feature => ({ type: 'Feature', geometry, properties });

describe('us-atlas: two states and their counties, exported in every format and imported back', () => {
  let stored: { code: string; name: string; level: number; parent: string | null }[];

  beforeAll(async () => {
    await clearCells();
    const features = ['19', '20'].flatMap((fips) => {
      const s = stateTiling(fips);
      return [feature(s.parent, { name: s.name, code: `${fips}0000` }),
        ...s.children.map((c) => feature(c.geometry, { name: c.name, code: `${fips}0000${c.key.slice(2)}` }))];
    });
    const up = await upload('us.geojson', JSON.stringify({ type: 'FeatureCollection', features } satisfies FeatureCollection));
    expect(up.statusCode, up.body.slice(0, 500)).toBe(201);
    // Quantised counties that came out invalid are left out, as a planner would.
    const bad = up.json().features.filter((f: { problems: { severity: string }[] }) => f.problems.some((p) => p.severity === 'error')).map((f: { index: number }) => f.index);
    expect(bad.length).toBeLessThan(10);
    const done = await commit(up.json().id, { mapping: up.json().mapping, exclude: bad });
    expect(done.statusCode, done.body.slice(0, 800)).toBe(201);
    expect(done.json().created).toBeGreaterThan(190);
    const { rows } = await t.db.query<{ code: string; name: string; level: number; parent: string | null }>(
      'SELECT c.code, c.name, c.level, p.code AS parent FROM cells c LEFT JOIN cells p ON p.id = c.parent_id ORDER BY c.code');
    stored = rows;
  }, 300_000);

  for (const ext of ['geojson', 'gpkg', 'shp.zip', 'kml']) {
    it(`${ext}: exported, removed and imported again gives the same cells`, async () => {
      const exported = (await t.app.inject({ method: 'GET', url: `/api/export/cells.${ext}` })).rawPayload;
      const { rows: before } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cells');
      await clearCells();
      const up = await upload(`us.${ext}`, exported);
      expect(up.statusCode, up.body.slice(0, 500)).toBe(201);
      expect(errorsOf(up.json())).toEqual([]);
      expect(up.json().summary.ready).toBe(true);
      const done = await commit(up.json().id, { mapping: up.json().mapping });
      expect(done.statusCode, done.body.slice(0, 800)).toBe(201);
      expect(done.json().created).toBe(before[0]!.n);
      const { rows } = await t.db.query<{ code: string; name: string; level: number; parent: string | null }>(
        'SELECT c.code, c.name, c.level, p.code AS parent FROM cells c LEFT JOIN cells p ON p.id = c.parent_id ORDER BY c.code');
      expect(rows).toEqual(stored);
    }, 300_000);
  }
});

describe('the preview refuses what the commit would', () => {
  it('past 999 children under one parent: the preview names the features past the last code, and the commit writes nothing', async () => {
    await clearCells();
    const parent = await insertCell(t.db, { code: '610000', name: '省', level: 1, rings: square(100, 30, 1) });
    // 996 children stored already (codes 001…996), tiny squares in a row.
    await t.db.query(
      `INSERT INTO cells (code, name, level, parent_id, geom)
       SELECT '610000' || lpad(n::text, 3, '0'), '格' || n, 2, $1,
              ST_Multi(ST_MakeEnvelope(100 + (n % 40) * 0.02, 30 + (n / 40) * 0.02, 100.01 + (n % 40) * 0.02, 30.01 + (n / 40) * 0.02, 4326))
       FROM generate_series(1, 996) AS n`, [parent]);
    const features = Array.from({ length: 5 }, (_, i) => feature({ type: 'Polygon', coordinates: square(100.5 + i * 0.02, 30.9, 0.01) }, { name: `新格${i}` }));
    const up = await upload('more.geojson', JSON.stringify({ type: 'FeatureCollection', features }));
    expect(up.statusCode, up.body.slice(0, 500)).toBe(201);
    const re = await t.app.inject({ method: 'POST', url: `/api/import/cells/${up.json().id}/preview`, headers: planner, payload: { mapping: { name: 'name' }, parentId: parent } });
    const preview = re.json();
    expect(preview.summary.ready).toBe(false);
    // 997, 998 and 999 fit; the last two do not.
    expect(preview.features.map((f: { code: string | null }) => f.code)).toEqual(['610000997', '610000998', '610000999', null, null]);
    expect(errorsOf(preview)).toEqual([expect.stringMatching(/^3: code: .*999 children/), expect.stringMatching(/^4: code: .*999 children/)]);
    const done = await commit(up.json().id, { mapping: { name: 'name' }, parentId: parent });
    expect(done.statusCode).toBe(422);
    expect(done.json().code).toBe('imports.refused');
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cells');
    expect(rows[0]!.n).toBe(997);
    // Leaving those two out, the same preview is ready and the commit writes exactly what it showed.
    const ok = await commit(up.json().id, { mapping: { name: 'name' }, parentId: parent, exclude: [3, 4] });
    expect(ok.statusCode, ok.body.slice(0, 500)).toBe(201);
    expect(ok.json().cells.map((c: { code: string }) => c.code)).toEqual(['610000997', '610000998', '610000999']);
  });
});
