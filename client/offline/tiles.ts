import type { Map as MaplibreMap, VectorTileSource } from 'maplibre-gl';

/** The zooms a patrol works at: the cell as a whole down to its buildings. */
const PATROL_ZOOMS = [13, 14, 15, 16];
/** A big cell must not fill the phone: past this many tiles the deepest zooms are left out. */
const MAX_TILES = 300;

const tileX = (lon: number, z: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
const tileY = (lat: number, z: number) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};

/** The tile addresses covering a box at the patrol's zooms, shallow zooms first, at most MAX_TILES. */
export function patrolTiles(template: string, [w, s, e, n]: [number, number, number, number]): string[] {
  const urls: string[] = [];
  for (const z of PATROL_ZOOMS) {
    const level: string[] = [];
    for (let x = tileX(w, z); x <= tileX(e, z); x++) {
      for (let y = tileY(n, z); y <= tileY(s, z); y++) level.push(template.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y)));
    }
    if (urls.length + level.length > MAX_TILES) break;
    urls.push(...level);
  }
  return urls;
}

/**
 * Reads the cell tiles of a patrol's area once, while there is network: the service worker keeps
 * them, so the map still draws the cells in a dead zone. A few at a time; failures are ignored.
 */
export async function keepPatrolTiles(map: MaplibreMap, sourceId: string, bounds: [number, number, number, number]): Promise<void> {
  const template = map.getSource<VectorTileSource>(sourceId)?.tiles?.[0];
  if (!template || !navigator.onLine) return;
  const queue = patrolTiles(template, bounds);
  const worker = async () => {
    for (let url = queue.shift(); url; url = queue.shift()) await fetch(url).catch(() => undefined);
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}
