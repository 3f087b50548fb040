import { beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import Pbf from 'pbf';
import { VectorTile } from '@mapbox/vector-tile';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { insertCell, square, twoStreets } from '../helpers/cells.ts';
import { encodeCellsTile, withShortPlan, type TileEncoder, type TileRequest } from '../../server/tiles/encode.ts';

interface DecodedFeature {
  id: number | undefined;
  type: number;
  properties: Record<string, unknown>;
  /** minX, minY, maxX, maxY in tile units */
  bbox: number[];
  /** Net area in tile units² (holes count negative). */
  area: number;
}

/** Signed shoelace area of MVT rings: exterior and interior rings wind opposite ways. */
const ringsArea = (rings: { x: number; y: number }[][]) =>
  rings.reduce((sum, ring) => sum + ring.reduce((a, p, i) => {
    const q = ring[(i + 1) % ring.length]!;
    return a + (p.x * q.y - q.x * p.y) / 2;
  }, 0), 0);

function decode(body: Buffer): DecodedFeature[] {
  // A copy: pbf 4 reads doubles through a DataView that ignores a Buffer's byteOffset.
  const layer = new VectorTile(new Pbf(Uint8Array.from(body))).layers.cells;
  if (!layer) return [];
  expect(layer.extent).toBe(4096);
  return Array.from({ length: layer.length }, (_, i) => {
    const f = layer.feature(i);
    return { id: f.id, type: f.type, properties: f.properties, bbox: f.bbox(), area: ringsArea(f.loadGeometry()) };
  }).sort((a, b) => a.id! - b.id!);
}

/** The XYZ tile holding a point (Web Mercator). */
function tileAt(lon: number, lat: number, z: number) {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return {
    z,
    x: Math.floor(((lon + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n),
  };
}

/** A square whose north side follows a river: 400 vertices, so simplification has work to do. */
function riverbank(minLon: number, minLat: number, size: number): number[][][] {
  const north = Array.from({ length: 400 }, (_, i) => {
    const lon = minLon + (size * i) / 399;
    return [lon, minLat + size + 0.001 * Math.sin(i / 10) + 0.0002 * Math.sin(i * 1.7)];
  });
  return [[[minLon, minLat], ...north, [minLon + size, minLat], [minLon, minLat]]];
}

const url = ({ z, x, y }: { z: number; x: number; y: number }, query = '') => `/tiles/cells/${z}/${x}/${y}.mvt${query}`;

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>> & { building: number; community: number };
/** The middle of the district, on the line between its two streets. */
const MIDDLE = [107.05, 34.05] as const;

beforeAll(async () => {
  t = await testApp();
  const streets = await twoStreets(t.db);
  // About 5 m × 5 m: must still be drawn at zoom 13 and beyond.
  const building = await insertCell(t.db, { code: '610302001001001', name: '1号楼', level: 5, parentId: streets.west, rings: square(107.02, 34.02, 0.00005) });
  const community = await insertCell(t.db, { code: '610302001001', name: '河畔社区', level: 3, parentId: streets.west, rings: riverbank(107.01, 34.03, 0.02) });
  ids = { ...streets, building, community };
});

describe(`cell vector tiles (${TEST_DB})`, () => {
  it('returns the cells of a tile with their ids and the properties of GET /api/cells', async () => {
    const res = await t.app.inject(url(tileAt(...MIDDLE, 10)));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(res.headers['cache-control']).toMatch(/max-age=0/);
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
    const features = decode(res.rawPayload);
    expect(features.map((f) => f.id)).toEqual([ids.district, ids.west, ids.east, ids.building, ids.community]);
    expect(features.every((f) => f.type === 3)).toBe(true);

    const cells = (await t.app.inject('/api/cells')).json<{ features: { id: number; properties: Record<string, unknown> }[] }>();
    for (const f of features) {
      const { updatedAt: _, parentId, ...expected } = cells.features.find((c) => c.id === f.id)!.properties;
      // MVT has no null: a district's missing parent is an absent property.
      expect(f.properties).toEqual(parentId === null ? expected : { ...expected, parentId });
    }
    expect(features[0]!.properties).not.toHaveProperty('parentId');
  });

  it('answers a tile without cells with 204 and no body', async () => {
    const res = await t.app.inject(url(tileAt(-0.1, 51.5, 12)));
    expect(res.statusCode).toBe(204);
    expect(res.rawPayload.length).toBe(0);
  });

  it('shows the district at low zoom too, where the tile buffer reaches the antimeridian', async () => {
    for (const z of [0, 1, 2, 5]) {
      const features = decode((await t.app.inject(url(tileAt(...MIDDLE, z)))).rawPayload);
      expect(features.map((f) => f.id), `zoom ${z}`).toContain(ids.district);
    }
  });

  it('restricts the tile to one level', async () => {
    const res = await t.app.inject(url(tileAt(...MIDDLE, 10), '?level=2'));
    expect(decode(res.rawPayload).map((f) => f.id)).toEqual([ids.west, ids.east]);
    const none = await t.app.inject(url(tileAt(...MIDDLE, 10), '?level=4'));
    expect(none.statusCode).toBe(204);
  });

  it('keeps a 5 m building at zoom 13 and beyond', async () => {
    for (const z of [13, 16, 20]) {
      const res = await t.app.inject(url(tileAt(107.020025, 34.020025, z), '?level=5'));
      expect(decode(res.rawPayload).map((f) => f.id), `zoom ${z}`).toEqual([ids.building]);
    }
  });

  it('answers bad coordinates and levels with 400 problem+json', async () => {
    for (const path of ['/tiles/cells/23/0/0.mvt', '/tiles/cells/2/4/0.mvt', '/tiles/cells/2/0/4.mvt', '/tiles/cells/a/0/0.mvt',
      '/tiles/cells/1/0/-1.mvt', '/tiles/cells/0/0/0.mvt?level=0', '/tiles/cells/0/0/0.mvt?level=x']) {
      const res = await t.app.inject(path);
      expect(res.statusCode, path).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 400, title: 'Bad Request' });
    }
    expect((await t.app.inject('/tiles/cells/2/4/5.mvt')).json().errors.map((e: { field: string }) => e.field)).toEqual(['params.x', 'params.y']);
  });

  it('answers If-None-Match with 304 while the cells are unchanged', async () => {
    const first = await t.app.inject(url(tileAt(...MIDDLE, 12)));
    const etag = first.headers.etag as string;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const again = await t.app.inject({ url: url(tileAt(...MIDDLE, 12)), headers: { 'if-none-match': header } });
      expect(again.statusCode, header).toBe(304);
      expect(again.rawPayload.length).toBe(0);
      expect(again.headers.etag).toBe(etag);
    }
    const other = await t.app.inject({ url: url(tileAt(...MIDDLE, 12)), headers: { 'if-none-match': '"other"' } });
    expect(other.statusCode).toBe(200);
  });

  it('never serves a stale tile after an edit', async () => {
    const tile = url(tileAt(...MIDDLE, 11));
    const before = await t.app.inject(tile);
    expect(decode(before.rawPayload).find((f) => f.id === ids.west)!.properties.name).toBe('西街道');
    await t.db.query(`UPDATE cells SET name = '西关街道', version = version + 1 WHERE id = $1`, [ids.west]);

    const after = await t.app.inject({ url: tile, headers: { 'if-none-match': before.headers.etag as string } });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(decode(after.rawPayload).find((f) => f.id === ids.west)!.properties).toMatchObject({ name: '西关街道', version: 2 });
  });

  it('shows the first cell of a new database at once', async () => {
    await t.db.query('UPDATE cells_state SET generation = 0');
    const beijing = url(tileAt(116.4, 39.9, 12));
    expect((await t.app.inject(beijing)).statusCode).toBe(204);
    const id = await insertCell(t.db, { code: '110101', name: '东城区', level: 1, rings: square(116.39, 39.89, 0.02) });
    expect(decode((await t.app.inject(beijing)).rawPayload).map((f) => f.id)).toEqual([id]);
  });

  it('encodes in Node on the embedded database and with ST_AsMVT on PostgreSQL', async () => {
    const res = await t.app.inject(url(tileAt(...MIDDLE, 10)));
    const expected = await encodeCellsTile(t.db, { ...tileAt(...MIDDLE, 10) }, t.db.kind === 'postgres' ? 'postgis' : 'node');
    expect(res.rawPayload.equals(expected)).toBe(true);
  });

  // Only PostgreSQL has ST_AsMVT: PGlite's PostGIS is built without protobuf.
  it.runIf(TEST_DB === 'postgres')('ST_AsMVT and the Node encoder agree on ids, properties and shapes', async () => {
    const points: [number, number][] = [[...MIDDLE], [107, 34], [107.1, 34.1], [107.02, 34.02], [107.0501, 34.0999], [107.02, 34.05]];
    for (const z of [10, 13, 16]) {
      for (const p of points) {
        const tile: TileRequest = tileAt(...p, z);
        const encode = async (encoder: TileEncoder) => decode(await encodeCellsTile(t.db, tile, encoder));
        const [postgis, node] = [await encode('postgis'), await encode('node')];
        const at = `z${z} at ${p.join(',')}`;
        expect(node.map((f) => [f.id, f.properties]), at).toEqual(postgis.map((f) => [f.id, f.properties]));
        // Both snap to the same grid; they may differ by a unit where one simplifies a point away.
        node.forEach((f, i) => {
          const other = postgis[i]!;
          f.bbox.forEach((v, k) => expect(Math.abs(v - other.bbox[k]!), `${at} cell ${f.id} bbox`).toBeLessThanOrEqual(2));
          expect(Math.abs(f.area - other.area), `${at} cell ${f.id} area`).toBeLessThanOrEqual(2 + 0.005 * other.area);
        });
      }
    }
  });

  // PGlite is one connection: no other session can hold an edit open there.
  it.runIf(TEST_DB === 'postgres')('serves committed cells while another session has an edit open, and the edit once committed', async () => {
    const tile = url(tileAt(...MIDDLE, 9));
    const { rows } = await t.db.query<{ schema: string }>('SELECT current_schema() AS schema');
    const writer = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL, options: `-c search_path=${rows[0]!.schema},public` });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`UPDATE cells SET name = '东关街道' WHERE id = $1`, [ids.east]);
      const during = await t.app.inject(tile);
      expect(decode(during.rawPayload).find((f) => f.id === ids.east)!.properties.name).toBe('东街道');
      await writer.query('COMMIT');
      const after = await t.app.inject(tile);
      expect(decode(after.rawPayload).find((f) => f.id === ids.east)!.properties.name).toBe('东关街道');
      // The open edit did not move the generation: the tile read during it is revalidated as stale.
      expect(after.headers.etag).not.toBe(during.headers.etag);
      const again = await t.app.inject({ url: tile, headers: { 'if-none-match': during.headers.etag as string } });
      expect(again.statusCode).toBe(200);
    } finally {
      await writer.end();
    }
  });

  it('leaves the levels not legible at a zoom out of its tile, but draws them where they are', async () => {
    const levels = [{ level: 1 }, { level: 2, minZoom: 9 }, { level: 3, minZoom: 12 }, { level: 5, minZoom: 15, maxZoom: 22 }];
    const encoder: TileEncoder = t.db.kind === 'postgres' ? 'postgis' : 'node';
    const coarse = decode(await encodeCellsTile(t.db, { ...tileAt(...MIDDLE, 10), levels }, encoder));
    expect(coarse.map((f) => f.id)).toEqual([ids.district, ids.west, ids.east]);
    const fine = decode(await encodeCellsTile(t.db, { ...tileAt(107.020025, 34.020025, 16), levels }, encoder));
    expect(fine.map((f) => f.id)).toContain(ids.building);
    // Asked for by level, a level is drawn at any zoom.
    expect(decode(await encodeCellsTile(t.db, { ...tileAt(...MIDDLE, 10), level: 5, levels }, encoder)).map((f) => f.id)).toEqual([ids.building]);
  });

  it('leaves out the finest levels until a tile fits the size cap', async () => {
    const encoder: TileEncoder = t.db.kind === 'postgres' ? 'postgis' : 'node';
    const full = await encodeCellsTile(t.db, tileAt(...MIDDLE, 10), encoder);
    const capped = await encodeCellsTile(t.db, { ...tileAt(...MIDDLE, 10), maxBytes: full.length - 1 }, encoder);
    expect(capped.length).toBeLessThan(full.length);
    expect(decode(capped).map((f) => f.id)).not.toContain(ids.building);
    expect(decode(capped).map((f) => f.id)).toContain(ids.district);
  });

  it('keeps the border of two neighbours shared in the tile, and labels each cell at a point inside it', async () => {
    // The other bank: its south side is the community's wavy north side, vertex for vertex.
    const bank = riverbank(107.01, 34.03, 0.02)[0]!;
    const wavy = bank.slice(1, -2);
    const other = await insertCell(t.db, { code: '610302001002', name: '对岸社区', level: 3, parentId: ids.west, rings: [[...wavy, [107.03, 34.07], [107.01, 34.07], wavy[0]!]] });
    try {
      for (const z of [11, 13]) {
        const body = (await t.app.inject(url(tileAt(107.02, 34.05, z)))).rawPayload;
        const tile = new VectorTile(new Pbf(Uint8Array.from(body)));
        const cells = tile.layers.cells!;
        const rings = (id: number) => {
          for (let i = 0; i < cells.length; i++) if (cells.feature(i).id === id) return cells.feature(i).loadGeometry();
          throw new Error(`cell ${id} not in the tile`);
        };
        const segments = (rs: { x: number; y: number }[][]) => new Set(rs.flatMap((r) => r.map((p, i) => {
          const q = r[(i + 1) % r.length]!;
          return [`${p.x},${p.y}`, `${q.x},${q.y}`].sort().join(' ');
        })));
        const community = rings(ids.community), bankRings = rings(other);
        const mine = segments(community), theirs = segments(bankRings);
        // The community's segments off its straight west, east and south sides are the shared border.
        const xs = community.flat().map((p) => p.x), ys = community.flat().map((p) => p.y);
        const [minX, maxX, maxY] = [Math.min(...xs), Math.max(...xs), Math.max(...ys)];
        const border = [...mine].filter((seg) => {
          const [a, b] = seg.split(' ');
          return a !== b && [a!, b!].every((pt) => {
            const [x, y] = pt.split(',').map(Number);
            return x !== minX && x !== maxX && y !== maxY;
          });
        });
        expect(border.length, `zoom ${z}`).toBeGreaterThan(z === 13 ? 100 : 20);
        for (const seg of border) expect(theirs.has(seg), `zoom ${z}: ${seg}`).toBe(true);

        // One label per cell, inside it.
        const labels = tile.layers.labels!;
        const label = Array.from({ length: labels.length }, (_, i) => labels.feature(i)).find((f) => f.id === ids.community)!;
        expect(label.properties).toMatchObject({ code: '610302001001', name: '河畔社区', level: 3 });
        const p = label.loadGeometry()[0]![0]!;
        const inside = community.some((ring) => ring.reduce((c, a, i) => {
          const b = ring[(i + 1) % ring.length]!;
          return (a.y > p.y) !== (b.y > p.y) && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x ? !c : c;
        }, false));
        expect(inside, `zoom ${z}`).toBe(true);
      }
    } finally {
      await t.db.query('DELETE FROM cells WHERE id = $1', [other]);
    }
  });
});

describe.runIf(TEST_DB === 'postgres')('tile queries on PostgreSQL', () => {
  // PostGIS's high function costs made PostgreSQL JIT-compile a 10 ms tile query and start a
  // parallel worker for it, tripling it (docs/performance.md): tiles are planned without both, and
  // only tiles (the heatmap's long scans keep their parallel workers).
  it('are planned without JIT or parallel workers, and leave the other queries as they were', async () => {
    const setting = "SELECT current_setting('jit') AS jit, current_setting('max_parallel_workers_per_gather') AS workers";
    const before = (await t.db.query(setting)).rows[0];
    expect((await withShortPlan(t.db, (q) => q.query(setting))).rows[0]).toEqual({ jit: 'off', workers: '0' });
    expect((await t.db.query(setting)).rows[0]).toEqual(before);
    expect(before).not.toEqual({ jit: 'off', workers: '0' });
  });
});
