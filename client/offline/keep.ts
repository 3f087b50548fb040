import { api, fetchCell, fetchClientConfig } from '../api.ts';
import { CELLS_SOURCE } from '../map/style.ts';
import { keepPatrolTiles } from './tiles.ts';
import { reportsApi, OPEN_STATES } from '../reports/api.ts';
import { unitsApi } from '../units/api.ts';
import { patrolApi } from '../patrols/api.ts';

/**
 * At most this many cell tiles are kept for a worker's scope: a street (经二路街道: 25, 90 and 340
 * tiles at zooms 13–15, 1,216 more at 16) keeps zooms 13–15, and the map draws 16 from 15 offline;
 * a started patrol keeps its own cell down to 16.
 */
const SCOPE_TILES = 600;

/**
 * What a grid worker needs in a dead zone, read once while there is network so that the service
 * worker keeps it: the app's own settings and session, the units of their cells, their open reports
 * as the inbox first lists them, the cells they may patrol, an open patrol and today's plan for its
 * cell, and the cell tiles of their scope at the zooms a patrol uses. Read through the same calls as
 * the views, so the kept answers are the ones the views ask for offline. Failures are left alone.
 */
export async function keepWorkersScope(scope: number[]): Promise<void> {
  if (!navigator.onLine) return;
  await controlled();
  const quiet = <T>(p: Promise<T>) => p.catch(() => undefined);
  const [, , , , , , , open] = await Promise.all([
    // What the app itself reads as it opens (read before the service worker took over this page).
    quiet(fetchClientConfig()),
    quiet(api('/api/session')),
    quiet(unitsApi.types()),
    quiet(unitsApi.list({})),
    quiet(reportsApi.list({ state: OPEN_STATES })),
    quiet(patrolApi.categories()),
    quiet(patrolApi.coverage(new URLSearchParams({ unitStatus: 'overdue' }))),
    quiet(patrolApi.openPatrols()),
  ]);
  const patrol = open?.items[0] && (await quiet(patrolApi.inspection(open.items[0].id)));
  if (patrol && patrol.cellId !== null) await quiet(patrolApi.cellPlan(patrol.cellId));
  // The map of their cells at the zooms a patrol uses, shallow zooms first (SCOPE_TILES).
  const map = await mapWithCells();
  for (const id of map ? scope : []) {
    const cell = await fetchCell(id).catch(() => null);
    if (!cell || !map) continue;
    const points = cell.geometry.coordinates.flatMap((polygon) => polygon[0] ?? []);
    const lons = points.map((p) => p[0]!);
    const lats = points.map((p) => p[1]!);
    await quiet(keepPatrolTiles(map, CELLS_SOURCE, [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)], SCOPE_TILES));
  }
}

/** Resolves once the service worker controls this page (its reads go through it, and are kept). */
function controlled(): Promise<void> {
  if (!('serviceWorker' in navigator)) return Promise.reject(new Error('no service worker'));
  if (navigator.serviceWorker.controller) return Promise.resolve();
  return new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
}

/** The app's map once it has its cell tiles (it opens after the session is known), or null after 30 s. */
async function mapWithCells() {
  for (let waited = 0; waited < 30_000; waited += 500) {
    const map = window.__wanggeMap;
    if (map?.getSource(CELLS_SOURCE)) return map;
    await new Promise((r) => setTimeout(r, 500));
  }
  return null;
}
