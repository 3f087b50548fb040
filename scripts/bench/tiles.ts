/**
 * Vector tiles of the cells at zooms 10, 13 and 16 with 10^4 and 10^5 cells: time and size per
 * tile for each encoder the database has (ST_AsMVT on PostgreSQL; the Node encoder, geojson-vt +
 * vt-pbf after clipping in PostGIS, on both). Calls the encoder directly: the server's tile cache
 * would otherwise answer repeats.
 */
import { encodeCellsTile, type TileEncoder } from '../../server/tiles/encode.ts';
import { loadCells, tilingExtent } from './data.ts';
import { HEAVY, openPlace, percentile, type DbKind } from './lib.ts';

export const TILE_SIZES = [10_000, 100_000];
export const ZOOMS = [10, 13, 16];
/** Tiles timed per zoom at most, spread evenly over the tiles the cells touch. */
const SAMPLE = HEAVY ? 60 : 24;

export interface TileRow {
  cells: number;
  db: DbKind;
  encoder: TileEncoder;
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
  const encoders: TileEncoder[] = kind === 'postgres' ? ['postgis', 'node'] : ['node'];
  for (const cells of TILE_SIZES) {
    const db = await openPlace({ kind, where: kind === 'embedded' ? '' : `wg_bench_${runId}_tiles_${cells}` }, { create: true });
    try {
      await loadCells(db, cells);
      const bbox = tilingExtent(cells);
      for (const encoder of encoders) {
        for (const z of ZOOMS) {
          const tiles = sampleTiles(bbox, z, SAMPLE);
          await encodeCellsTile(db, tiles[0]!, encoder); // warm-up
          const ms: number[] = [];
          const bytes: number[] = [];
          for (const t of tiles) {
            const start = process.hrtime.bigint();
            const tile = await encodeCellsTile(db, t, encoder);
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
