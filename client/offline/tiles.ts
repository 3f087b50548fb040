import { CELLS_MAXZOOM } from '../../core/map/cell-layers.ts';
import { fetchCell } from '../api.ts';
import { cellTilesTemplate } from '../map/style.ts';

type Box = [number, number, number, number];

/**
 * The tile zooms a patrol's map reads: from a street as a whole (12) to the deepest the cell tiles
 * go (CELLS_MAXZOOM); the map magnifies those for the buildings' zooms, so deeper ones are never read.
 */
const PATROL_ZOOMS = Array.from({ length: CELLS_MAXZOOM - 11 }, (_, i) => 12 + i);
/** A big cell must not fill the phone: past this many tiles the deepest zooms are left out. */
const MAX_TILES = 400;
/** A kept tile older than this is read again when the phone next keeps its area (cells change rarely). */
const FRESH_MS = 24 * 3600_000;

const tileX = (lon: number, z: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
const tileY = (lat: number, z: number) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};

/**
 * The tile addresses covering some boxes at the patrol's zooms, each once, shallow zooms first; a
 * zoom that would pass maxTiles is left out with all deeper ones (the map draws them from the last
 * kept zoom, magnified).
 */
export function patrolTiles(template: string, boxes: Box | Box[], maxTiles = MAX_TILES): string[] {
  const all = (typeof boxes[0] === 'number' ? [boxes] : boxes) as Box[];
  const urls: string[] = [];
  for (const z of PATROL_ZOOMS) {
    const level = new Set<string>();
    for (const [w, s, e, n] of all) {
      for (let x = tileX(w, z); x <= tileX(e, z); x++) {
        for (let y = tileY(n, z); y <= tileY(s, z); y++) level.add(template.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y)));
      }
    }
    if (urls.length + level.size > maxTiles) break;
    urls.push(...level);
  }
  return urls;
}

/** The zoom of a tile address made by patrolTiles. */
export const zoomOf = (url: string) => Number(/\/(\d+)\/\d+\/\d+\.mvt/.exec(url)?.[1]);

/**
 * Reads tiles once, while there is network, so that the service worker keeps them (its
 * 'wangge-tiles' cache): two at a time, so the server still answers the map meanwhile; a tile kept
 * within a day is not read again. Reports progress; failures are counted, not thrown. Resolves to
 * the number of tiles kept (or already there).
 */
export async function keepTiles(urls: string[], progress?: (done: number, failed: number) => void): Promise<number> {
  const cache = 'caches' in window ? await caches.open('wangge-tiles').catch(() => null) : null;
  const queue = [...urls];
  let done = 0;
  let failed = 0;
  const fresh = async (url: string) => {
    const kept = await cache?.match(url).catch(() => undefined);
    const date = kept?.headers.get('date');
    return date !== null && date !== undefined && Date.now() - Date.parse(date) < FRESH_MS;
  };
  const worker = async () => {
    for (let url = queue.shift(); url; url = queue.shift()) {
      // 204 (no cell there) is an answer too; only a failed read counts as missing.
      const ok = (await fresh(url)) || (navigator.onLine && (await fetch(url).then((r) => r.ok, () => false)));
      if (ok) done++;
      else failed++;
      progress?.(done, failed);
    }
  };
  await Promise.all([worker(), worker()]);
  return done;
}

/** The cell tiles over some cells (their outlines' boxes) at the patrol's zooms; a cell that cannot be read is left out. */
export async function tilesOverCells(ids: number[], maxTiles = MAX_TILES): Promise<string[]> {
  const cells = await Promise.all(ids.map((id) => fetchCell(id).catch(() => null)));
  const boxes = cells.flatMap((cell): Box[] => {
    const points = cell?.geometry.coordinates.flatMap((polygon) => polygon[0] ?? []) ?? [];
    if (points.length === 0) return [];
    const lons = points.map((p) => p[0]!);
    const lats = points.map((p) => p[1]!);
    return [[Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)]];
  });
  return boxes.length === 0 ? [] : patrolTiles(cellTilesTemplate(), boxes, maxTiles);
}
