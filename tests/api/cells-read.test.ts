import { beforeAll, describe, expect, it } from 'vitest';
import * as turf from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;

beforeAll(async () => {
  t = await testApp();
  ids = await twoStreets(t.db);
});

describe(`reading cells (${TEST_DB})`, () => {
  it('reports health with the database kind and the PostGIS version', async () => {
    const res = await t.app.inject('/api/health');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ status: 'ok', db: TEST_DB });
    expect(body.postgis).toMatch(/^3\.\d+/);
  });

  it('lists the configured levels with Chinese and English names', async () => {
    const res = await t.app.inject('/api/levels');
    expect(res.json()).toEqual(expect.arrayContaining([{ level: 2, zh: '街道', en: 'Street' }]));
    expect(res.json()).toHaveLength(5);
  });

  it('tells the client the deployment time zone in which to show every time', async () => {
    const res = await t.app.inject('/api/client-config');
    expect(res.statusCode).toBe(200);
    expect(res.json().timeZone).toBe('Asia/Shanghai');
  });

  it('returns an RFC 7946 FeatureCollection with true areas in m²', async () => {
    const res = await t.app.inject('/api/cells');
    expect(res.statusCode).toBe(200);
    const fc = res.json<FeatureCollection<MultiPolygon>>();
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.map((f) => f.properties!.code)).toEqual(['610302', '610302001', '610302002']);
    const district = fc.features[0]!;
    expect(district.id).toBe(ids.district);
    expect(district.geometry.type).toBe('MultiPolygon');
    // 0.1° × 0.1° at 34°N is about 102 km²; the planar area in degrees would be 0.01.
    const turfArea = turf.area(district as Feature<MultiPolygon>);
    expect(district.properties!.areaM2).toBeGreaterThan(100e6);
    expect(Math.abs(district.properties!.areaM2 / turfArea - 1)).toBeLessThan(0.005);
    // Right-hand rule: exterior rings counter-clockwise even though they were stored clockwise.
    const ring = district.geometry.coordinates[0]![0]!;
    expect(turf.booleanClockwise(ring)).toBe(false);
  });

  it('filters by level, parent and bbox', async () => {
    const byLevel = (await t.app.inject('/api/cells?level=2')).json<FeatureCollection>();
    expect(byLevel.features).toHaveLength(2);
    const byParent = (await t.app.inject(`/api/cells?parentId=${ids.district}`)).json<FeatureCollection>();
    expect(byParent.features.map((f) => f.id).sort()).toEqual([ids.west, ids.east].sort());
    const east = (await t.app.inject('/api/cells?level=2&bbox=107.07,34.02,107.08,34.03')).json<FeatureCollection>();
    expect(east.features.map((f) => f.properties!.name)).toEqual(['东街道']);
  });

  it('returns one cell with its version as ETag, and 404 problem+json for an unknown id', async () => {
    const res = await t.app.inject(`/api/cells/${ids.west}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"1"');
    expect(res.json()).toMatchObject({ type: 'Feature', id: ids.west, properties: { name: '西街道', level: 2, parentId: ids.district, version: 1 } });
    const missing = await t.app.inject('/api/cells/999999');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.json()).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it('answers bad parameters with 400 problem+json naming the field', async () => {
    const res = await t.app.inject('/api/cells?bbox=1,2,3&level=zero');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['querystring.bbox', 'querystring.level']));
    expect((await t.app.inject('/api/cells/99999999999')).statusCode).toBe(400);
  });

  it('names many cells in one answer (coverage results name up to 500), leaving out unknown ids', async () => {
    const res = await t.app.inject(`/api/cells/names?ids=${ids.east},999999,${ids.west},${ids.east},9999999999`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      cells: [
        { id: ids.west, code: expect.any(String), name: '西街道', level: 2 },
        { id: ids.east, code: expect.any(String), name: '东街道', level: 2 },
      ].sort((a, b) => a.id - b.id),
    });
    const tooMany = Array.from({ length: 501 }, (_, i) => i + 1).join(',');
    for (const bad of ['', 'abc', '1,,2', '0', '-1', tooMany]) {
      const r = await t.app.inject(`/api/cells/names?ids=${bad}`);
      expect(r.statusCode, bad.slice(0, 20)).toBe(400);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('records every version of a cell in its history', async () => {
    await t.db.query(`UPDATE cells SET name = '西关街道', version = version + 1 WHERE id = $1`, [ids.west]);
    const { rows } = await t.db.query<{ version: number; operation: string; changed: string[] }>(
      'SELECT version, operation, changed FROM cell_versions WHERE cell_id = $1 ORDER BY version', [ids.west]);
    expect(rows).toEqual([{ version: 1, operation: 'insert', changed: [] }, { version: 2, operation: 'update', changed: ['name'] }]);
  });
});
