import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import type { Db } from '../../server/db/db.ts';
import { seedDemoDistrict } from '../../server/demo/seed.ts';
import { resetDb, testDb } from '../helpers/db.ts';
import { createUser, signIn } from '../helpers/auth.ts';
import { readWithGdal, tempFile } from '../fixtures/exchange/gdal.ts';

// OGC API – Features at /ogc, on a real listening server, read by GDAL's OAPIF driver (what QGIS
// uses too) with a small page size so that it must follow the next links.

let app: FastifyInstance;
let db: Db;
let url: string;
let token: string;
const itemRequests: string[] = [];

beforeAll(async () => {
  db = await testDb();
  await resetDb(db);
  await seedDemoDistrict(db);
  const base = loadConfig({});
  const config = { ...base, security: { ...base.security, signInPerMinute: 10_000, reportsPerMinute: 10_000 } };
  app = await buildApp({ db, config, clientDir: '/nonexistent' });
  app.addHook('onResponse', async (request) => {
    if (/\/ogc\/collections\/[^/]+\/items(\?|$)/.test(request.url)) itemRequests.push(request.url);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/ogc`;

  const { rows } = await db.query<{ lon: number; lat: number }>(
    `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM cells WHERE level = 4 ORDER BY code LIMIT 3) x`);
  for (const [i, r] of rows.entries()) {
    const res = await app.inject({
      method: 'POST', url: '/api/reports',
      payload: { location: { type: 'Point', coordinates: [r.lon, r.lat] }, category: 'fire', severity: 'ordinary', description: `消防通道堵塞 ${i}`, reporter: { name: '张三', contact: '13800000000' } },
    });
    expect(res.statusCode).toBe(201);
  }
  await db.query(`UPDATE reports SET created_at = $1::timestamptz + (id || ' days')::interval`, ['2025-03-01T00:00:00Z']);
  // One closed: reports-open (the QGIS project's reports layer) leaves it out.
  await db.query(`UPDATE reports SET state = 'closed', closed_at = now() WHERE id = (SELECT max(id) FROM reports)`);
  await db.query(`INSERT INTO units (type, name, address, contact, geom) VALUES ('company', '宝鸡第一机床厂', '经二路1号', '13900000000', ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326))`, [rows[0]!.lon, rows[0]!.lat]);

  await createUser(db, 'ogcreader', 'worker');
  const headers = await signIn(app, 'ogcreader');
  token = (await app.inject({ method: 'POST', url: '/api/tokens', headers, payload: { name: 'QGIS' } })).json().token;
});

afterAll(async () => {
  await app.close();
});

describe('GDAL OAPIF reads every collection, page by page', () => {
  it('lists the public collections and reads all features with the Chinese names', async () => {
    itemRequests.length = 0;
    const layers = await readWithGdal(`OAPIF:${url}`, {}, ['PAGE_SIZE=20']);
    const byName = new Map(layers.map((l) => [l.name, l]));
    expect([...byName.keys()].sort()).toEqual(['cells', 'cells-level-1', 'cells-level-2', 'cells-level-3', 'cells-level-4', 'cells-level-5', 'reports', 'reports-open']);
    const counts = Object.fromEntries(layers.map((l) => [l.name, l.features.length]));
    expect(counts).toEqual({ cells: 146, 'cells-level-1': 1, 'cells-level-2': 5, 'cells-level-3': 25, 'cells-level-4': 115, 'cells-level-5': 0, reports: 3, 'reports-open': 2 });
    expect(byName.get('reports-open')!.features.every((f) => f.properties!.state !== 'closed')).toBe(true);
    const cells = byName.get('cells')!.features;
    expect(new Set(cells.map((f) => f.properties!.code)).size).toBe(146);
    expect(cells.map((f) => f.properties!.name)).toEqual(expect.arrayContaining(['渭滨区', '经二路街道', '马营镇']));
    expect(cells.find((f) => f.properties!.name === '经二路街道')!.properties).toMatchObject({ level: 2, parentCode: '610302' });
    // 146 cells at 20 a page: GDAL followed the next links.
    expect(itemRequests.filter((u) => u.includes('/collections/cells/items')).length).toBeGreaterThanOrEqual(8);
    // Reports carry no private fields.
    const reports = byName.get('reports')!.features;
    for (const r of reports) {
      expect(Object.keys(r.properties!).sort()).toEqual(['categoryName', 'category', 'closedAt', 'createdAt', 'id', 'location', 'severity', 'state'].filter((k) => k in r.properties!).sort());
      expect(JSON.stringify(r.properties)).not.toMatch(/张三|13800000000|消防通道/);
    }
  });

  it('reads the units with an API token', async () => {
    const header = tempFile('headers.txt', `Authorization: Bearer ${token}\n`);
    try {
      const layers = await readWithGdal(`OAPIF:${url}`, { GDAL_HTTP_HEADER_FILE: header.file }, ['PAGE_SIZE=20']);
      const units = layers.find((l) => l.name === 'units')!;
      expect(units.features).toHaveLength(1);
      expect(units.features[0]!.properties).toMatchObject({ name: '宝鸡第一机床厂', address: '经二路1号' });
      expect(JSON.stringify(units.features[0]!.properties)).not.toContain('13900000000');
    } finally {
      header.cleanup();
    }
  });
});

describe('OGC API – Features, Part 1 Core', () => {
  const get = (path: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: `/ogc${path}`, headers });

  it('has a landing page, conformance and an OpenAPI 3.0 definition', async () => {
    const landing = await get('');
    expect(landing.statusCode).toBe(200);
    const rels = landing.json().links.map((l: { rel: string }) => l.rel);
    expect(rels).toEqual(expect.arrayContaining(['self', 'service-desc', 'conformance', 'data']));
    expect((await get('/conformance')).json().conformsTo).toEqual(expect.arrayContaining([
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core', 'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html', 'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
    ]));
    const api = await get('/api');
    expect(api.headers['content-type']).toContain('application/vnd.oai.openapi+json');
    expect(api.json().openapi).toBe('3.0.3');
    expect(Object.keys(api.json().paths)).toEqual(expect.arrayContaining(['/', '/conformance', '/collections', '/collections/cells/items', '/collections/cells/items/{featureId}']));
    expect(Object.keys(api.json().paths)).not.toContain('/collections/units/items');
  });

  it('pages with limit and offset, next and prev links, numberMatched', async () => {
    const first = await get('/collections/cells-level-4/items?limit=50');
    expect(first.headers['content-type']).toContain('application/geo+json');
    const body = first.json();
    expect(body).toMatchObject({ type: 'FeatureCollection', numberMatched: 115, numberReturned: 50 });
    const next = body.links.find((l: { rel: string }) => l.rel === 'next');
    expect(next.href).toContain('offset=50');
    const last = await app.inject({ method: 'GET', url: new URL(next.href).pathname + new URL(next.href).search.replace('offset=50', 'offset=100') });
    expect(last.json()).toMatchObject({ numberReturned: 15 });
    expect(last.json().links.map((l: { rel: string }) => l.rel)).not.toContain('next');
    expect(last.json().links.find((l: { rel: string }) => l.rel === 'prev').href).toContain('offset=50');
  });

  it('filters by bbox and by datetime, and answers bad ones with 400', async () => {
    const all = (await get('/collections/cells-level-2/items')).json();
    const street = all.features.find((f: { properties: { name: string } }) => f.properties.name === '经二路街道');
    const ring = street.geometry.coordinates[0][0] as number[][];
    const [x, y] = ring[0]!;
    const near = (await get(`/collections/cells-level-2/items?bbox=${x! - 0.0001},${y! - 0.0001},${x! + 0.0001},${y! + 0.0001}`)).json();
    expect(near.features.map((f: { properties: { name: string } }) => f.properties.name)).toContain('经二路街道');
    expect(near.numberMatched).toBeLessThan(5);

    const march = (await get('/collections/reports/items?datetime=2025-03-01T12:00:00Z/2025-03-03T00:00:00Z')).json();
    expect(march.numberMatched).toBe(2);
    const open = (await get('/collections/reports/items?datetime=../2025-03-02T12:00:00Z')).json();
    expect(open.numberMatched).toBe(1);
    expect((await get('/collections/reports/items?datetime=yesterday')).statusCode).toBe(400);
    expect((await get('/collections/cells/items?bbox=1,2,3')).statusCode).toBe(400);
    expect((await get('/collections/cells/items?colour=red')).statusCode).toBe(400);
  });

  it('serves single items, 404 for unknown ones, and units only to signed-in users', async () => {
    const cell = await get('/collections/cells/items/610302001');
    expect(cell.statusCode).toBe(200);
    expect(cell.json()).toMatchObject({ type: 'Feature', id: '610302001', properties: { name: '经二路街道', level: 2 } });
    expect((await get('/collections/cells/items/999')).statusCode).toBe(404);
    expect((await get('/collections/nope/items')).statusCode).toBe(404);
    expect((await get('/collections/units/items')).statusCode).toBe(401);
    const units = await get('/collections/units/items', { authorization: `Bearer ${token}` });
    expect(units.json().features[0].properties.name).toBe('宝鸡第一机床厂');
    const ids = (await get('/collections')).json().collections.map((c: { id: string }) => c.id);
    expect(ids).not.toContain('units');
    expect((await get('/collections', { authorization: `Bearer ${token}` })).json().collections.map((c: { id: string }) => c.id)).toContain('units');
  });

  it('has HTML pages for people, escaped', async () => {
    const page = await get('/collections/cells/items?f=html&limit=5');
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('渭滨区');
    expect(page.body).toContain('下一页');
    const browser = await get('/collections', { accept: 'text/html,application/xhtml+xml' });
    expect(browser.headers['content-type']).toContain('text/html');
    await db.query(`UPDATE cells SET name = '<script>alert(1)</script>' WHERE code = '610302005'`);
    const item = await get('/collections/cells/items/610302005?f=html');
    expect(item.body).not.toContain('<script>alert(1)');
    expect(item.body).toContain('&lt;script&gt;');
  });
});
