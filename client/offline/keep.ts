import { api, fetchClientConfig } from '../api.ts';
import { reportsApi, OPEN_STATES } from '../reports/api.ts';
import { unitsApi } from '../units/api.ts';
import { patrolApi } from '../patrols/api.ts';
import { keepTiles, tilesOverCells, zoomOf } from './tiles.ts';
import { setMapReadiness } from './readiness.ts';

/**
 * What a grid worker needs in a dead zone, read once while there is network so that the service
 * worker keeps it: the app's own settings and session, the units of their cells, their open reports
 * as the inbox first lists them, the cells they may patrol, an open patrol and today's plan for its
 * cell, and then the map of their scope. Read through the same calls as the views, so the kept
 * answers are the ones the views ask for offline. Failures are left alone.
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
  await keepScopeMap(scope);
}

/**
 * The cell tiles over the worker's cells at the zooms a patrol's map reads, in the background (two
 * at a time), with the progress shown on the worker's panel.
 */
async function keepScopeMap(scope: number[]): Promise<void> {
  const urls = await tilesOverCells(scope);
  if (urls.length === 0) return;
  const zooms = urls.map(zoomOf);
  setMapReadiness({ state: 'keeping', done: 0, failed: 0, total: urls.length, zooms: [Math.min(...zooms), Math.max(...zooms)] });
  const kept = await keepTiles(urls, (done, failed) => setMapReadiness({ done, failed }));
  setMapReadiness({ state: kept === urls.length ? 'ready' : 'partial' });
}

/** Resolves once the service worker controls this page (its reads go through it, and are kept). */
function controlled(): Promise<void> {
  if (!('serviceWorker' in navigator)) return Promise.reject(new Error('no service worker'));
  if (navigator.serviceWorker.controller) return Promise.resolve();
  return new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
}
