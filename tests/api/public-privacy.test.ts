import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { insertCell, square, twoStreets } from '../helpers/cells.ts';
import { buildApp } from '../../server/app.ts';

// What the public (no account) may learn through the open routes: a confidential report's exact
// point never, whichever way the OGC API is asked.

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
const EXACT = [107.0123457, 34.0234567] as const;
let confidentialId: number;
let plainId: number;

interface Feature { id: number; geometry: { coordinates: number[] }; properties: Record<string, unknown> }

beforeAll(async () => {
  t = await testApp();
  ids = await twoStreets(t.db);
  const file = async (coordinates: readonly number[], confidential: boolean) => {
    const res = await t.app.inject({
      method: 'POST', url: '/api/reports',
      payload: { location: { type: 'Point', coordinates: [...coordinates] }, category: 'fire', severity: 'ordinary', description: '举报：仓库违规储存', confidential },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: number }>().id;
  };
  confidentialId = await file(EXACT, true);
  plainId = await file([107.07, 34.05], false);
  // A confidential report outside every cell has no cell to stand for it.
  await file([100, 30], true);
  // A cell whose name hides its end behind a right-to-left override.
  await insertCell(t.db, { code: '610302002001', name: '东一\u202egpj.exe\u2066社区', level: 3, parentId: ids.east, rings: square(107.06, 34.06, 0.01) });
});

const get = async (url: string) => {
  const res = await t.app.inject({ url: `/ogc${url}`, headers: { accept: 'application/geo+json' } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe(`confidential reports on public routes (${TEST_DB})`, () => {
  it('places a confidential report at its cell in OGC items, never at its point; one in no cell is left out', async () => {
    const { rows } = await t.db.query<{ lon: number; lat: number }>('SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM cells WHERE id = $1', [ids.west]);
    const cellPoint = [rows[0]!.lon, rows[0]!.lat];
    const items = (await get('/collections/reports/items?limit=100')).features as Feature[];
    expect(items.map((f) => f.id).sort()).toEqual([confidentialId, plainId].sort());
    const conf = items.find((f) => f.id === confidentialId)!;
    expect(conf.properties.location).toBe('cell');
    expect(conf.geometry.coordinates[0]).toBeCloseTo(cellPoint[0]!, 6);
    expect(conf.geometry.coordinates[1]).toBeCloseTo(cellPoint[1]!, 6);
    expect(items.find((f) => f.id === plainId)!.properties.location).toBe('exact');
    const one = await get(`/collections/reports/items/${confidentialId}`) as Feature;
    expect(one.geometry.coordinates).toEqual(conf.geometry.coordinates);
    const all = JSON.stringify([items, one]);
    expect(all).not.toContain(String(EXACT[0]));
    expect(all).not.toContain(String(EXACT[1]));
  });

  it('does not let a bbox around the exact point find it, nor the extent reveal it', async () => {
    const [lon, lat] = EXACT;
    const tight = await get(`/collections/reports/items?bbox=${lon - 1e-5},${lat - 1e-5},${lon + 1e-5},${lat + 1e-5}`);
    expect(tight.features).toEqual([]);
    const collection = await get('/collections/reports');
    const bbox = collection.extent.spatial.bbox[0] as number[];
    expect(bbox.some((v) => Math.abs(v - lon) < 1e-6 || Math.abs(v - lat) < 1e-6)).toBe(false);
    expect(bbox[0]).toBeGreaterThan(101);
  });
});

describe(`download names and links (${TEST_DB})`, () => {
  it('strips bidirectional controls from download file names', async () => {
    const { rows } = await t.db.query<{ id: number }>("SELECT id FROM cells WHERE code = '610302002001'");
    const res = await t.app.inject({ url: `/api/export/cells.geojson?rootId=${rows[0]!.id}` });
    expect(res.statusCode, res.body).toBe(200);
    const disposition = decodeURIComponent(String(res.headers['content-disposition']));
    expect(disposition).toContain('东一gpj.exe社区');
    expect(disposition).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });

  it('builds OGC links from the configured public URL or the server, never from the Host header', async () => {
    const spoofed = await t.app.inject({ url: '/ogc/collections/reports/items?limit=1', headers: { host: 'evil.example', accept: 'application/geo+json' } });
    expect(spoofed.statusCode).toBe(200);
    expect(spoofed.body).not.toContain('evil.example');
    const configured = await buildApp({ db: t.db, config: { ...t.config, publicUrl: 'https://grid.example.gov.cn/' }, clientDir: '/nonexistent' });
    const res = await configured.inject({ url: '/ogc/collections/reports/items?limit=1', headers: { host: 'evil.example', accept: 'application/geo+json' } });
    const links = (res.json().links as { href: string }[]).map((l) => l.href);
    expect(links.length).toBeGreaterThan(0);
    for (const href of links) expect(href).toMatch(/^https:\/\/grid\.example\.gov\.cn\/ogc\//);
    await configured.close();
  });
});
