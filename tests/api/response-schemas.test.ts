import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { buildApp, routesOf } from '../../server/app.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

// Every route declares the schema of its 2xx answers (the OpenAPI document describes them all),
// and declaring them changes no answer: Fastify's serializer drops what a schema leaves out, so
// the answers of this app are compared with those of the same app without them: files, tiles,
// images, XML, CSV and HTML byte for byte, JSON value for value (the serializer writes the
// properties in the schema's order, required ones first, which no JSON reader sees).

const NOW = new Date('2026-03-15T04:00:00Z');
let t: TestApp;
let bare: FastifyInstance;
let admin: Headers;
const ids = { leaf: 0, leafCode: '', parent: 0, report: 0, photo: 0, person: 0, unit: 0, upload: '' };
let point: [number, number];

async function multipart(field: string, data: Buffer, name: string) {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(data)]), name);
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return { payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } };
}

beforeAll(async () => {
  t = await testApp({ demo: true, now: () => NOW });
  bare = await buildApp({ db: t.db, config: t.config, now: () => NOW, clientDir: '/nonexistent', responseSchemas: false });
  await bare.ready();
  await createUser(t.db, 'admin', 'admin');
  admin = await signIn(t.app, 'admin');

  const leaf = (await t.db.query<{ id: number; code: string; lon: number; lat: number }>(
    `SELECT id, code, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM cells ORDER BY level DESC, code LIMIT 1`)).rows[0]!;
  ids.leaf = leaf.id;
  ids.leafCode = leaf.code;
  point = [leaf.lon, leaf.lat];
  ids.parent = (await t.db.query<{ id: number }>(
    `SELECT parent_id AS id FROM cells WHERE parent_id IS NOT NULL GROUP BY parent_id HAVING count(*) >= 2 ORDER BY count(*), parent_id LIMIT 1`)).rows[0]!.id;

  const person = await t.db.query<{ id: number }>(`INSERT INTO people (name, phone) VALUES ('张网格', '13800001234') RETURNING id`);
  ids.person = person.rows[0]!.id;
  await t.db.query(`INSERT INTO cell_assignments (cell_id, position, person_id, role) VALUES ($1, 1, $2, 'manager')`, [ids.leaf, ids.person]);
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366aa' } }).jpeg().toBuffer();
  const face = await multipart('photo', jpeg, 'me.jpg');
  const put = await t.app.inject({ method: 'PUT', url: `/api/people/${ids.person}/photo`, payload: face.payload, headers: { ...admin, ...face.headers } });
  expect(put.statusCode, put.body).toBe(200);

  const filed = await t.app.inject({
    method: 'POST', url: '/api/reports',
    payload: { location: { type: 'Point', coordinates: point }, category: 'fire', severity: 'major', description: '楼道堆放杂物，堵塞消防通道' },
  });
  expect(filed.statusCode, filed.body).toBe(201);
  ids.report = filed.json().id;
  const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#aa3300' } }).png().toBuffer();
  const evidence = await multipart('photos', png, 'scene.png');
  const photos = await t.app.inject({ method: 'POST', url: `/api/reports/${ids.report}/photos`, payload: evidence.payload, headers: { ...admin, ...evidence.headers } });
  expect(photos.statusCode, photos.body).toBe(201);
  ids.photo = photos.json()[0].id;

  const unit = await t.app.inject({
    method: 'POST', url: '/api/units', headers: admin,
    payload: { type: 'Feature', geometry: { type: 'Point', coordinates: point }, properties: { type: 'company', name: '宝鸡示例商贸有限公司' } },
  });
  expect(unit.statusCode, unit.body).toBe(201);
  ids.unit = unit.json().id;

  // A boundary file with a good feature and a bad one (a bow-tie), uploaded once: its preview is asked of both apps.
  const square = (x: number, y: number, d: number) => [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]];
  const file = Buffer.from(JSON.stringify({
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { NAME: '新网格', CODE: '610302001001001901' }, geometry: { type: 'Polygon', coordinates: square(point[0] - 0.001, point[1] - 0.001, 0.001) } },
      { type: 'Feature', properties: { NAME: '领结', CODE: null }, geometry: { type: 'Polygon', coordinates: [[[point[0], point[1]], [point[0] + 0.001, point[1] + 0.001], [point[0] + 0.001, point[1]], [point[0], point[1] + 0.001], [point[0], point[1]]]] } },
    ],
  }));
  const upload = await multipart('file', file, 'cells.geojson');
  const uploaded = await t.app.inject({ method: 'POST', url: '/api/import/cells', payload: upload.payload, headers: { ...admin, ...upload.headers } });
  expect(uploaded.statusCode, uploaded.body).toBe(201);
  expect(Object.keys(uploaded.json()).sort()).toEqual(['crs', 'declaredCrs', 'encoding', 'epsg', 'featureCount', 'features', 'fields', 'fileName', 'fileProblems',
    'format', 'id', 'mapping', 'notices', 'parentId', 'preview', 'summary', 'warnings']);
  ids.upload = uploaded.json().id;
}, 180_000);

/** The same answer: the same bytes, or for JSON the same value (an OGC page's timeStamp is the time it was made). */
function sameBody(type: string, a: Buffer, b: Buffer): boolean {
  if (a.equals(b)) return true;
  if (!/json/.test(type)) return false;
  const value = (buf: Buffer) => {
    const v = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
    if (v && typeof v === 'object' && 'timeStamp' in v) v.timeStamp = '…';
    return v;
  };
  return isDeepStrictEqual(value(a), value(b));
}

afterAll(async () => {
  await bare?.close();
  await t?.app.close();
});

describe(`response schemas (${TEST_DB})`, () => {
  it('every route declares the schema of its 2xx answers (a redirect: of its 3xx)', () => {
    const missing = routesOf(t.app)
      .filter((r) => !r.url.startsWith('/assets') && r.url !== '/*' && r.url !== '/')
      .filter((r) => !Object.keys(r.response).some((code) => /^(2\d\d|2xx|30[1278])$/i.test(code)))
      .map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
  });

  it('are in the OpenAPI document, with the media type of a file', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
    // Its own schema keeps the whole document.
    expect(doc).toEqual(JSON.parse(JSON.stringify(t.app.swagger())));
    const tile = doc.paths['/tiles/cells/{z}/{x}/{y}.mvt'].get.responses;
    expect(tile['200'].content).toEqual({ 'application/vnd.mapbox-vector-tile': { schema: { type: 'string', format: 'binary' } } });
    expect(tile['204']).toBeDefined();
    expect(doc.paths['/api/audit.csv'].get.responses['200'].content['text/csv']).toBeDefined();
    expect(doc.paths['/api/cells/{id}/history'].get.responses['200'].content['application/json'].schema.items.required).toContain('geometry');
  });

  it('change no answer: files, tiles, images, XML, CSV and HTML byte for byte, JSON value for value', async () => {
    const requests: { method?: 'GET' | 'POST'; url: string; payload?: unknown; auth?: boolean }[] = [
      { url: '/tiles/cells/14/13068/6525.mvt' },
      { url: '/tiles/cells/10/816/407.mvt' },
      { url: '/tiles/cells.json' },
      { url: '/styles/cells.json' },
      { url: `/api/cells/${ids.leaf}/history` },
      { url: `/api/cells/${ids.leaf}/history`, auth: true },
      { url: '/api/audit.csv?lang=zh-CN', auth: true },
      { url: '/api/audit.csv?lang=en', auth: true },
      { method: 'POST', url: '/api/workload', auth: true, payload: { features: [{ geometry: { type: 'Polygon', coordinates: [[[point[0] - 0.01, point[1] - 0.01], [point[0] + 0.01, point[1] - 0.01], [point[0] + 0.01, point[1] + 0.01], [point[0] - 0.01, point[1] + 0.01], [point[0] - 0.01, point[1] - 0.01]]] } }] } },
      { method: 'POST', url: `/api/cells/${ids.leaf}/partition`, auth: true, payload: { count: 2 } },
      { method: 'POST', url: `/api/cells/${ids.parent}/rebalance`, auth: true, payload: {} },
      { method: 'POST', url: `/api/import/cells/${ids.upload}/preview`, auth: true, payload: { mapping: { name: 'NAME', code: 'CODE' }, parentId: ids.leaf } },
      { url: `/api/people/${ids.person}/photo` },
      { url: `/api/people/${ids.person}/photo?size=thumb` },
      { url: `/api/reports/${ids.report}/photos/${ids.photo}`, auth: true },
      { url: `/api/reports/${ids.report}/photos/${ids.photo}?size=thumb`, auth: true },
      { url: `/cells/${ids.leaf}/board` },
      { url: '/api/units/export.csv', auth: true },
      { url: '/api/units/export.geojson', auth: true },
      { url: '/api/export/reports.csv', auth: true },
      { url: '/api/export/reports.geojson', auth: true },
      { url: '/api/export/project.qgs', auth: true },
      { url: '/open311/v2/discovery.json' },
      { url: '/open311/v2/services.json' },
      { url: '/open311/v2/services.xml' },
      { url: '/open311/v2/services/fire.json' },
      { url: '/open311/v2/services/fire.xml' },
      { url: '/open311/v2/requests.json' },
      { url: '/open311/v2/requests.xml' },
      { url: `/open311/v2/requests/${ids.report}.json` },
      { url: `/open311/v2/requests/${ids.report}.xml` },
      { url: '/ogc' },
      { url: '/ogc?f=html' },
      { url: '/ogc/conformance' },
      { url: '/ogc/api' },
      { url: '/ogc/collections' },
      { url: '/ogc/collections?f=html' },
      { url: '/ogc/collections/cells' },
      { url: '/ogc/collections/cells/items?limit=3' },
      { url: '/ogc/collections/cells/items?limit=3&f=html' },
      { url: `/ogc/collections/cells/items/${ids.leafCode}` },
      { url: `/ogc/collections/cells/items/${ids.leafCode}?f=html` },
      { url: '/ogc/collections/reports/items' },
      { url: `/ogc/collections/units/items/${ids.unit}`, auth: true },
      { url: '/ogc/collections/cells/tiles' },
      { url: '/ogc/collections/cells/tiles/WebMercatorQuad' },
      { url: '/ogc/collections/cells/tiles/WebMercatorQuad/14/6525/13068' },
      { url: '/ogc/tileMatrixSets' },
      { url: '/ogc/tileMatrixSets/WebMercatorQuad' },
    ];
    const differ: string[] = [];
    for (const r of requests) {
      const opts = { method: r.method ?? 'GET', url: r.url, headers: r.auth ? admin : {}, ...(r.payload !== undefined ? { payload: r.payload as object } : {}) };
      const [a, b] = [await t.app.inject(opts), await bare.inject(opts)];
      expect(a.statusCode, `${r.url}: ${a.body.slice(0, 300)}`).toBeGreaterThanOrEqual(200);
      expect(a.statusCode, `${r.url}: ${a.body.slice(0, 300)}`).toBeLessThan(r.url.includes('/tiles/WebMercatorQuad/') ? 400 : 300);
      if (a.statusCode !== b.statusCode || a.headers['content-type'] !== b.headers['content-type'] || !sameBody(String(a.headers['content-type']), a.rawPayload, b.rawPayload)) {
        differ.push(`${r.method ?? 'GET'} ${r.url}: ${a.statusCode} ${a.headers['content-type']} ${a.rawPayload.length} B, without schemas ${b.statusCode} ${b.headers['content-type']} ${b.rawPayload.length} B`);
      }
    }
    expect(differ).toEqual([]);
  });
});
