/**
 * Vector tiles of the cells at zooms 10, 13 and 16 with 10^4 and 10^5 cells: time and size per
 * tile for each encoder the database has (ST_AsMVT on PostgreSQL; the Node encoder, geojson-vt +
 * vt-pbf after clipping in PostGIS, on both). Calls the encoder directly: the server's tile cache
 * would otherwise answer repeats.
 */
import type { Db } from '../../server/db/db.ts';
import { encodeCellsTile, withShortPlan, type LevelZooms, type TileEncoder } from '../../server/tiles/encode.ts';
import { loadCells, tilingExtent } from './data.ts';
import { HEAVY, QUICK, openPlace, percentile, type DbKind } from './lib.ts';

export const TILE_SIZES = QUICK ? [10_000] : [10_000, 100_000];
/** The tiling's levels as a deployment would configure them: its 100 m cells from zoom 13 on. */
const LEVELS: LevelZooms[] = [{ level: 1 }, { level: 2, minZoom: 13 }];

/**
 * The plain ST_AsMVT query on the same cells (no level choice, no labels, no cap): the reference,
 * planned as the tiles are (no JIT, no parallel workers, which only slow it down too).
 */
async function rawMvt(db: Db, t: { z: number; x: number; y: number }): Promise<Buffer> {
  const { rows } = await withShortPlan(db, (q) => q.query<{ mvt: Uint8Array | null }>(
    `SELECT ST_AsMVT(f, 'cells', 4096, 'geom', 'id') AS mvt FROM (
       SELECT c.id, c.code, c.name, c.level, ST_AsMVTGeom(ST_Transform(c.geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
       FROM cells c WHERE c.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)) f`, [t.z, t.x, t.y]));
  const b = rows[0]?.mvt ?? new Uint8Array();
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
type Encoder = TileEncoder | 'raw ST_AsMVT';
export const ZOOMS = [10, 13, 16];
/** Tiles timed per zoom at most, spread evenly over the tiles the cells touch. */
const SAMPLE = HEAVY ? 60 : 24;

export interface TileRow {
  cells: number;
  db: DbKind;
  encoder: Encoder;
  zoom: number;
  tiles: number;
  p50Ms: number;
  p95Ms: number;
  meanBytes: number;
  maxBytes: number;
}

const tileX = (lon: number, z: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
const tileY = (lat: number, z: number) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};

/** Up to `max` tiles of zoom z over the bbox, evenly spread and always the same ones. */
export function sampleTiles(bbox: [number, number, number, number], z: number, max: number): { z: number; x: number; y: number }[] {
  const [w, s, e, n] = bbox;
  const all: { z: number; x: number; y: number }[] = [];
  for (let x = tileX(w, z); x <= tileX(e, z); x++) for (let y = tileY(n, z); y <= tileY(s, z); y++) all.push({ z, x, y });
  if (all.length <= max) return all;
  return Array.from({ length: max }, (_, k) => all[Math.floor((k * all.length) / max)]!);
}

export async function benchTiles(kind: DbKind, runId: string, log: (s: string) => void): Promise<TileRow[]> {
  const rows: TileRow[] = [];
  const encoders: Encoder[] = kind === 'postgres' ? ['postgis', 'raw ST_AsMVT', 'node'] : ['node'];
  for (const cells of TILE_SIZES) {
    const db = await openPlace({ kind, where: kind === 'embedded' ? '' : `wg_bench_${runId}_tiles_${cells}` }, { create: true });
    try {
      await loadCells(db, cells);
      const bbox = tilingExtent(cells);
      for (const encoder of encoders) {
        for (const z of ZOOMS) {
          const tiles = sampleTiles(bbox, z, SAMPLE);
          const encode = (t: { z: number; x: number; y: number }) => (encoder === 'raw ST_AsMVT' ? rawMvt(db, t) : encodeCellsTile(db, { ...t, levels: LEVELS }, encoder));
          await encode(tiles[0]!); // warm-up
          const ms: number[] = [];
          const bytes: number[] = [];
          for (const t of tiles) {
            const start = process.hrtime.bigint();
            const tile = await encode(t);
            ms.push(Number(process.hrtime.bigint() - start) / 1e6);
            bytes.push(tile.length);
          }
          const row: TileRow = {
            cells, db: kind, encoder, zoom: z, tiles: tiles.length, p50Ms: percentile(ms, 50), p95Ms: percentile(ms, 95),
            meanBytes: bytes.reduce((a, b) => a + b, 0) / bytes.length, maxBytes: Math.max(...bytes),
          };
          log(`  ${cells} cells ${encoder} z${z}: p50 ${row.p50Ms.toFixed(1)} ms, ${Math.round(row.meanBytes)} B`);
          rows.push(row);
        }
      }
    } finally {
      await db.close();
    }
  }
  return rows;
}
