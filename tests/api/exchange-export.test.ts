import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureCollection, MultiPolygon, Position } from 'geojson';
import { testApp, type TestApp } from '../helpers/app.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { readWithGdal, tempFile, type GdalLayer } from '../fixtures/exchange/gdal.ts';

// Every export format, opened by GDAL (an independent reader): the right number of cells, the
// Chinese names intact, codes and hierarchy as in the database. The demo district 渭滨区 has
// 1 + 5 + 25 + 115 cells on four levels.

let t: TestApp;
let demo: { code: string; name: string; level: number; parentCode: string | null }[];
let streetId: number;

beforeAll(async () => {
  t = await testApp({ demo: true, now: () => new Date(2025, 2, 1, 9, 30) });
  const { rows } = await t.db.query<{ code: string; name: string; level: number; parent_code: string | null }>(
    'SELECT c.code, c.name, c.level, p.code AS parent_code FROM cells c LEFT JOIN cells p ON p.id = c.parent_id ORDER BY c.code');
  demo = rows.map((r) => ({ code: r.code, name: r.name, level: r.level, parentCode: r.parent_code }));
  streetId = (await t.db.query<{ id: number }>("SELECT id FROM cells WHERE code = '610302001'")).rows[0]!.id;
});

afterAll(async () => {
  await t.app.close();
});

const FORMATS = [
  { ext: 'geojson', type: 'application/geo+json', open: (f: string) => f },
  { ext: 'csv', type: 'text/csv', open: (f: string) => f },
  { ext: 'kml', type: 'application/vnd.google-earth.kml+xml', open: (f: string) => f },
  { ext: 'shp.zip', type: 'application/zip', open: (f: string) => `/vsizip/${f}` },
  { ext: 'gpkg', type: 'application/geopackage+sqlite3', open: (f: string) => f },
] as const;

async function exportWithGdal(ext: string, query = ''): Promise<{ layers: GdalLayer[]; headers: Record<string, unknown> }> {
  const res = await t.app.inject({ method: 'GET', url: `/api/export/cells.${ext}${query}` });
  expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
  const format = FORMATS.find((f) => f.ext === ext)!;
  const { file, cleanup } = tempFile(`export.${ext}`, res.rawPayload);
  try {
    return { layers: await readWithGdal(format.open(file)), headers: res.headers };
  } finally {
    cleanup();
  }
}

/** Code, name and parent code of every feature GDAL read, whatever the format calls the fields. */
function cellsOf(layers: GdalLayer[]) {
  return layers.flatMap((l) => l.features).map((f) => {
    const p = f.properties ?? {};
    const parent = p.parentCode ?? p.parent;
    return { code: String(p.code), name: String(p.name ?? p.Name), parentCode: parent === '' || parent == null ? null : String(parent) };
  }).sort((a, b) => a.code.localeCompare(b.code));
}

describe('export of cells, read back by GDAL', () => {
  for (const format of FORMATS) {
    it(`${format.ext}: every cell, Chinese names intact, codes and parents as stored`, async () => {
      const { layers, headers } = await exportWithGdal(format.ext);
      expect(String(headers['content-type'])).toContain(format.type);
      expect(String(headers['content-disposition'])).toContain(`filename*=UTF-8''${encodeURIComponent('渭滨区-2025-03-01')}.${format.ext}`);
      expect(layers.reduce((n, l) => n + l.featureCount, 0)).toBe(146);
      const cells = cellsOf(layers);
      expect(cells).toEqual(demo.map(({ code, name, parentCode }) => ({ code, name, parentCode })));
      expect(cells.map((c) => c.name)).toContain('渭滨区');
      expect(cells.map((c) => c.name)).toContain('经二路街道');
      for (const f of layers.flatMap((l) => l.features)) expect(['Polygon', 'MultiPolygon']).toContain(f.geometry?.type);
    });

    it(`${format.ext}: a subtree at one level`, async () => {
      const { layers } = await exportWithGdal(format.ext, `?rootId=${streetId}&level=3`);
      const expected = demo.filter((c) => c.level === 3 && c.parentCode === '610302001');
      expect(expected.length).toBeGreaterThan(0);
      expect(cellsOf(layers).map((c) => c.code)).toEqual(expected.map((c) => c.code));
    });
  }
});

describe('GeoJSON export (RFC 7946)', () => {
  const ringArea = (ring: Position[]) => ring.slice(1).reduce((s, p, i) => s + (ring[i]![0]! * p[1]! - p[0]! * ring[i]![1]!), 0) / 2;

  it('has lon/lat coordinates with exterior rings counter-clockwise, rounded to the precision', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/export/cells.geojson?level=2&precision=5&download=false' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBeUndefined();
    const fc = res.json() as FeatureCollection<MultiPolygon>;
    expect(fc.features).toHaveLength(5);
    for (const f of fc.features) {
      for (const polygon of f.geometry.coordinates) {
        expect(ringArea(polygon[0]!)).toBeGreaterThan(0);
        for (const hole of polygon.slice(1)) expect(ringArea(hole)).toBeLessThan(0);
        for (const [lon, lat] of polygon[0]!) {
          expect(lon).toBeGreaterThan(106.5);
          expect(lon).toBeLessThan(107.5);
          expect(lat).toBeGreaterThan(34);
          expect(lat).toBeLessThan(34.6);
          expect(Math.round(lon! * 1e5) / 1e5).toBe(lon);
        }
      }
      expect(f.properties).toMatchObject({ level: 2, levelName: '街道', parentCode: '610302' });
      expect(f.properties!.areaM2).toBeGreaterThan(1e6);
    }
  });

  it('names a missing subtree or an empty selection clearly', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/api/export/cells.geojson?rootId=999999' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json().detail).toContain('999999');
    const bad = await t.app.inject({ method: 'GET', url: '/api/export/cells.kml?level=0' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('querystring.level');
  });
});

describe('export of reports', () => {
  let worker: Headers;
  let commander: Headers;
  let planner: Headers;

  beforeAll(async () => {
    await createUser(t.db, 'exp-worker', 'worker', [streetId]);
    await createUser(t.db, 'exp-commander', 'commander');
    await createUser(t.db, 'exp-planner', 'planner');
    worker = await signIn(t.app, 'exp-worker');
    commander = await signIn(t.app, 'exp-commander');
    planner = await signIn(t.app, 'exp-planner');
    const { rows } = await t.db.query<{ code: string; lon: number; lat: number }>(
      `SELECT code, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM cells WHERE code IN ('610302001', '610302002') ORDER BY code`);
    const file = (at: { lon: number; lat: number }, extra: Record<string, unknown>) => t.app.inject({
      method: 'POST', url: '/api/reports',
      payload: { location: { type: 'Point', coordinates: [at.lon, at.lat] }, category: 'fire', severity: 'ordinary', description: '楼道堆放杂物', ...extra },
    });
    for (const [at, extra] of [
      [rows[0]!, { confidential: true, reporter: { name: '匿名群众', contact: '13800000000' } }],
      [rows[0]!, { severity: 'major', reporter: { name: '王五', contact: '13900000000' } }],
      [rows[1]!, {}],
    ] as const) expect((await file(at, extra)).statusCode).toBe(201);
  });

  it('needs a signed-in user who may view reports', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/export/reports.geojson' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/export/reports.csv', headers: planner })).statusCode).toBe(403);
  });

  it('gives a worker the reports of their cells, without confidential reporters', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/export/reports.geojson', headers: worker });
    expect(res.statusCode).toBe(200);
    const fc = res.json() as FeatureCollection;
    expect(fc.features).toHaveLength(2);
    const confidential = fc.features.find((f) => f.properties!.confidential)!;
    expect(confidential.properties).toMatchObject({ reporterName: null, reporterContact: null });
    for (const f of fc.features) expect(String(f.properties!.cellCode)).toMatch(/^610302001/);
    expect(res.body).not.toContain('13800000000');
    expect(res.body).toContain('王五');
  });

  it('gives a commander everything, filtered, and GDAL reads the CSV points', async () => {
    const all = await t.app.inject({ method: 'GET', url: '/api/export/reports.geojson', headers: commander });
    expect((all.json() as FeatureCollection).features).toHaveLength(3);
    expect(all.body).toContain('13800000000');
    const major = await t.app.inject({ method: 'GET', url: '/api/export/reports.csv?severity=major', headers: commander });
    expect(major.statusCode).toBe(200);
    const { file, cleanup } = tempFile('reports.csv', major.rawPayload);
    try {
      const [layer] = await readWithGdal(file);
      expect(layer!.featureCount).toBe(1);
      expect(layer!.features[0]!.properties).toMatchObject({ reporterName: '王五', description: '楼道堆放杂物', severity: 'major' });
      expect(layer!.features[0]!.geometry?.type).toBe('Point');
    } finally {
      cleanup();
    }
  });
});
