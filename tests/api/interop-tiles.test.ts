import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Pbf from 'pbf';
import { VectorTile } from '@mapbox/vector-tile';
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { testApp, type TestApp } from '../helpers/app.ts';
import { gdal, tempFile } from '../fixtures/exchange/gdal.ts';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { levelColors } from '../../core/map/cell-layers.ts';

const run = promisify(execFile);

// The cells tiles described for other clients: TileJSON at /tiles/cells.json and a MapLibre style at
// /styles/cells.json, with absolute links from WANGGE_PUBLIC_URL; GDAL reads the tiles by URL.

const PUBLIC = 'https://grid.example.gov.cn';
let t: TestApp;
let extent: [number, number, number, number];

/** The XYZ tile holding a point (Web Mercator). */
function tileAt(lon: number, lat: number, z: number) {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return { z, x: Math.floor(((lon + 180) / 360) * n), y: Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n) };
}

beforeAll(async () => {
  t = await testApp({ demo: true, config: { publicUrl: `${PUBLIC}/` } });
  const { rows } = await t.db.query<{ b: number[] }>(`SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)]::float8[] AS b FROM (SELECT ST_Extent(geom) AS e FROM cells) x`);
  extent = rows[0]!.b as typeof extent;
});

afterAll(async () => {
  await t?.app.close();
});

describe('TileJSON at /tiles/cells.json', () => {
  it('gives the tile URL from the public URL, the bounds of the cells, the zooms and the layers', async () => {
    // A Host header of another site changes nothing: links come from configuration.
    const res = await t.app.inject({ method: 'GET', url: '/tiles/cells.json', headers: { host: 'evil.example' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const doc = res.json();
    expect(doc.tilejson).toBe('3.0.0');
    expect(doc.tiles).toEqual([`${PUBLIC}/tiles/cells/{z}/{x}/{y}.mvt`]);
    expect(doc.minzoom).toBe(0);
    expect(doc.maxzoom).toBe(14);
    doc.bounds.forEach((v: number, i: number) => expect(v).toBeCloseTo(extent[i]!, 5));
    const [lon, lat, zoom] = doc.center;
    expect(lon).toBeGreaterThan(extent[0]);
    expect(lon).toBeLessThan(extent[2]);
    expect(lat).toBeGreaterThan(extent[1]);
    expect(lat).toBeLessThan(extent[3]);
    expect(zoom).toBeGreaterThanOrEqual(8);
    expect(zoom).toBeLessThanOrEqual(14);
    expect(doc.vector_layers.map((l: { id: string }) => l.id)).toEqual(['cells', 'labels']);
  });

  it('lists every field the tiles carry, with its type', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/tiles/cells.json' })).json();
    const fields = Object.fromEntries(doc.vector_layers.map((l: { id: string; fields: Record<string, string> }) => [l.id, l.fields]));
    const [lon, lat] = doc.center;
    const seen = new Set<string>();
    for (const z of [12, 14]) {
      const { x, y } = tileAt(lon, lat, z);
      const res = await t.app.inject({ method: 'GET', url: `/tiles/cells/${z}/${x}/${y}.mvt` });
      expect(res.statusCode).toBe(200);
      const tile = new VectorTile(new Pbf(Uint8Array.from(res.rawPayload)));
      for (const [name, layer] of Object.entries(tile.layers)) {
        expect(fields[name], name).toBeDefined();
        for (let i = 0; i < layer.length; i++) {
          for (const [k, v] of Object.entries(layer.feature(i).properties)) {
            seen.add(`${name}.${k}`);
            expect(fields[name][k], `${name}.${k}`).toBe(typeof v === 'number' ? 'Number' : typeof v === 'boolean' ? 'Boolean' : 'String');
          }
        }
      }
    }
    // Every field listed shows up in the tiles (parentId: below the top level).
    const listed = Object.entries(fields).flatMap(([name, f]) => Object.keys(f as object).map((k) => `${name}.${k}`));
    expect([...seen].sort()).toEqual(listed.sort());
  });

  it('describes the whole world when there are no cells yet', async () => {
    const empty = await testApp({ config: { publicUrl: PUBLIC } });
    try {
      const doc = (await empty.app.inject({ method: 'GET', url: '/tiles/cells.json' })).json();
      expect(doc.bounds).toEqual([-180, -85.051129, 180, 85.051129]);
      expect(doc.center).toEqual([0, 0, 0]);
      expect(validateStyleMin((await empty.app.inject({ method: 'GET', url: '/styles/cells.json' })).json())).toEqual([]);
    } finally {
      await empty.app.close();
      // The shared app's database was emptied: seed it again for the tests after this one.
      t = await testApp({ demo: true, config: { publicUrl: `${PUBLIC}/` } });
    }
  });
});

describe('MapLibre style at /styles/cells.json', () => {
  it('is a valid style on the TileJSON, with each level coloured and named as in the app', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/styles/cells.json', headers: { host: 'evil.example' } });
    expect(res.statusCode).toBe(200);
    const style = res.json();
    expect(validateStyleMin(style)).toEqual([]);
    expect(style.sources).toEqual({ cells: { type: 'vector', url: `${PUBLIC}/tiles/cells.json` } });
    expect(style.glyphs).toBeUndefined();
    const levels = [...t.config.levels].sort((a, b) => a.level - b.level);
    levels.forEach(({ level }, i) => {
      const fill = style.layers.find((l: { id: string }) => l.id === `cells-fill-${level}`);
      expect(fill).toMatchObject({ type: 'fill', source: 'cells', 'source-layer': 'cells', filter: ['==', ['get', 'level'], level] });
      expect(fill.paint['fill-color']).toBe(levelColors(i).fill);
      expect(style.layers.find((l: { id: string }) => l.id === `cells-line-${level}`).paint['line-color']).toBe(levelColors(i).line);
    });
    // Named without a glyph server too: valid, and MapLibre draws the text with the browser's fonts.
    const labels = style.layers.filter((l: { type: string }) => l.type === 'symbol');
    expect(labels.map((l: { id: string }) => l.id).sort()).toEqual(levels.map(({ level }) => `cells-label-${level}`).sort());
    expect(labels.every((l: { source: string; 'source-layer': string }) => l.source === 'cells' && l['source-layer'] === 'labels')).toBe(true);
    // No selection layers of the app in a style for others.
    expect(style.layers.some((l: { id: string }) => l.id.startsWith('cells-selected'))).toBe(false);
    expect(style.center[0]).toBeGreaterThan(extent[0]);
    expect(style.center[0]).toBeLessThan(extent[2]);
  });

  it('uses the glyph server configured', async () => {
    const glyphs = 'https://fonts.example.gov.cn/{fontstack}/{range}.pbf';
    const withGlyphs = await testApp({ demo: true, config: { publicUrl: PUBLIC, glyphsUrl: glyphs } });
    try {
      const style = (await withGlyphs.app.inject({ method: 'GET', url: '/styles/cells.json' })).json();
      expect(validateStyleMin(style)).toEqual([]);
      expect(style.glyphs).toBe(glyphs);
      const labels = style.layers.filter((l: { type: string }) => l.type === 'symbol');
      expect(labels).toHaveLength(withGlyphs.config.levels.length);
      const levels = [...withGlyphs.config.levels].sort((a, b) => a.level - b.level);
      for (const [i, { level }] of levels.entries()) {
        const label = labels.find((l: { id: string }) => l.id === `cells-label-${level}`);
        expect(label).toMatchObject({ source: 'cells', 'source-layer': 'labels', layout: { 'text-field': ['get', 'name'] } });
        expect(label.paint['text-color']).toBe(levelColors(i).text);
      }
    } finally {
      await withGlyphs.app.close();
    }
  });

  it('takes no query parameters', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/styles/cells.json?x=1' })).statusCode).toBe(400);
  });
});

describe('GDAL reads the tiles by URL', () => {
  it('lists the cells and labels layers of a tile, with their fields, at the URL the TileJSON gives', async () => {
    // A server of its own on a port, with links to where it listens (no public URL).
    const live = await testApp({ demo: true });
    try {
      await live.app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(live.app.server.address() as AddressInfo).port}`;
      const doc = (await (await fetch(`${base}/tiles/cells.json`)).json()) as { center: number[]; tiles: string[] };
      expect(doc.tiles).toEqual([`${base}/tiles/cells/{z}/{x}/{y}.mvt`]);
      const { x, y } = tileAt(doc.center[0]!, doc.center[1]!, 13);
      const out = await gdal('ogrinfo', ['-ro', '-al', '-so', `MVT:${base}/tiles/cells/13/${x}/${y}.mvt`]);
      expect(out).toMatch(/Layer name: cells/);
      expect(out).toMatch(/Layer name: labels/);
      const cells = out.slice(out.indexOf('Layer name: cells'), out.indexOf('Layer name: labels'));
      for (const field of ['code: String', 'name: String', 'level: Integer', 'version: Integer', 'areaM2: Real']) {
        expect(cells).toContain(field);
      }
      expect(Number(/Feature Count: (\d+)/.exec(cells)?.[1])).toBeGreaterThan(0);
    } finally {
      await live.app.close();
    }
  });
});

describe('OGC API – Tiles of the cells collections', () => {
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { host: 'evil.example' } });

  it('the landing page, the conformance and the cells collections link the tiles, the style and the TileJSON', async () => {
    const landing = (await get('/ogc')).json();
    const rels = new Map(landing.links.map((l: { rel: string; href: string }) => [l.rel, l.href]));
    expect(rels.get('http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector')).toBe(`${PUBLIC}/ogc/collections/cells/tiles`);
    expect(rels.get('stylesheet')).toBe(`${PUBLIC}/styles/cells.json`);
    expect(rels.get('describedby')).toBe(`${PUBLIC}/tiles/cells.json`);
    expect((await get('/ogc/conformance')).json().conformsTo).toEqual(expect.arrayContaining([
      'http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core', 'http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt']));
    const collections = (await get('/ogc/collections')).json().collections as { id: string; links: { rel: string; href: string }[] }[];
    for (const c of collections) {
      const tiles = c.links.find((l) => l.rel === 'http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector');
      if (c.id.startsWith('cells')) expect(tiles?.href, c.id).toBe(`${PUBLIC}/ogc/collections/${c.id}/tiles`);
      else expect(tiles, c.id).toBeUndefined();
    }
  });

  it('the landing page and /collections link the style, the TileJSON and the QGIS project with rel and type, in JSON and HTML', async () => {
    const expected = [
      { rel: 'stylesheet', type: 'application/vnd.mapbox.style+json', href: `${PUBLIC}/styles/cells.json` },
      { rel: 'describedby', type: 'application/json', href: `${PUBLIC}/tiles/cells.json` },
      { rel: 'alternate', type: 'application/x-qgis', href: `${PUBLIC}/api/export/project.qgs` },
    ];
    for (const url of ['/ogc', '/ogc/collections']) {
      const links = (await get(url)).json().links as { rel: string; type: string; href: string }[];
      for (const e of expected) expect(links, `${url} ${e.type}`).toContainEqual(expect.objectContaining(e));
      const html = (await get(`${url}?f=html`)).body;
      if (url === '/ogc') for (const e of expected) expect(html).toContain(`href="${e.href}"`);
    }
    // Each link leads somewhere real: the style and TileJSON for anyone, the project for an account.
    for (const e of expected.slice(0, 2)) expect((await get(new URL(e.href).pathname)).statusCode).toBe(200);
    expect((await get('/api/export/project.qgs')).statusCode).toBe(401);
  });

  it('lists a WebMercatorQuad tileset whose tile template serves the cells tiles (of one level for a level collection)', async () => {
    const list = (await get('/ogc/collections/cells-level-2/tiles')).json();
    expect(list.tilesets).toHaveLength(1);
    expect(list.tilesets[0]).toMatchObject({ dataType: 'vector', tileMatrixSetURI: 'http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad' });
    const self = list.tilesets[0].links.find((l: { rel: string }) => l.rel === 'self').href as string;
    expect(self).toBe(`${PUBLIC}/ogc/collections/cells-level-2/tiles/WebMercatorQuad`);
    const set = (await get(new URL(self).pathname)).json();
    expect(set.layers.map((l: { id: string }) => l.id)).toEqual(['cells', 'labels']);
    const item = set.links.find((l: { rel: string }) => l.rel === 'item');
    expect(item).toMatchObject({ type: 'application/vnd.mapbox-vector-tile', templated: true });
    expect(item.href).toBe(`${PUBLIC}/tiles/cells/{tileMatrix}/{tileCol}/{tileRow}.mvt?level=2`);
    // The template filled in gives tiles of that level only.
    const [lon, lat] = (await get('/tiles/cells.json')).json().center;
    const { z, x, y } = tileAt(lon, lat, 12);
    const url = new URL(item.href.replace('{tileMatrix}', z).replace('{tileCol}', x).replace('{tileRow}', y));
    const res = await get(url.pathname + url.search);
    expect(res.statusCode).toBe(200);
    const layer = new VectorTile(new Pbf(Uint8Array.from(res.rawPayload))).layers.cells!;
    expect(layer.length).toBeGreaterThan(0);
    for (let i = 0; i < layer.length; i++) expect(layer.feature(i).properties.level).toBe(2);
    // The OGC tile path leads to the same tile.
    const ogc = await get(`/ogc/collections/cells-level-2/tiles/WebMercatorQuad/${z}/${y}/${x}`);
    expect(ogc.statusCode).toBe(302);
    expect(ogc.headers.location).toBe(`/tiles/cells/${z}/${x}/${y}.mvt?level=2`);
  });

  it('serves the WebMercatorQuad definition its tilesets link (no opengis.net needed offline), one GDAL parses', async () => {
    const set = (await get('/ogc/collections/cells/tiles/WebMercatorQuad')).json();
    const scheme = set.links.find((l: { rel: string }) => l.rel === 'http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme').href as string;
    expect(scheme).toBe(`${PUBLIC}/ogc/tileMatrixSets/WebMercatorQuad`);
    expect((await get('/ogc/tileMatrixSets')).json().tileMatrixSets.map((t: { id: string }) => t.id)).toEqual(['WebMercatorQuad']);
    const tms = (await get(new URL(scheme).pathname)).json();
    expect(tms).toMatchObject({ id: 'WebMercatorQuad', crs: 'http://www.opengis.net/def/crs/EPSG/0/3857', uri: 'http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad' });
    expect(tms.tileMatrices[0]).toMatchObject({ id: '0', matrixWidth: 1, tileWidth: 256, pointOfOrigin: [-20037508.3427892, 20037508.3427892] });
    expect(tms.tileMatrices[0].cellSize).toBeCloseTo(156543.03392804097, 6);
    expect(tms.tileMatrices[14]).toMatchObject({ id: '14', matrixWidth: 16384 });
    // GDAL reads it as a tiling scheme (here for a COG: the same parser its OGCAPI driver uses).
    const dir = tempFile('tms.json', JSON.stringify(tms));
    try {
      const src = path.join(path.dirname(dir.file), 'src.tif');
      await run('gdal_create', ['-q', '-of', 'GTiff', '-outsize', '8', '8', '-bands', '1', '-a_srs', 'EPSG:4326', '-a_ullr', '107', '35', '108', '34', src]);
      await run('gdal_translate', ['-q', '-of', 'COG', '-co', `TILING_SCHEME=${dir.file}`, src, path.join(path.dirname(dir.file), 'out.tif')]);
      const { stdout } = await run('gdalinfo', [path.join(path.dirname(dir.file), 'out.tif')]);
      expect(stdout).toMatch(/Pseudo-Mercator|3857/);
    } finally {
      dir.cleanup();
    }
    expect((await get('/ogc/tileMatrixSets/WorldCRS84Quad')).statusCode).toBe(404);
  });

  it('has no tiles for the other collections or tile matrix sets', async () => {
    expect((await get('/ogc/collections/reports/tiles')).statusCode).toBe(404);
    expect((await get('/ogc/collections/cells/tiles/WorldCRS84Quad')).statusCode).toBe(404);
    expect((await get('/ogc/collections/nothing/tiles')).statusCode).toBe(404);
  });
});
