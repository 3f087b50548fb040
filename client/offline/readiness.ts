import { useSyncExternalStore } from 'react';

/**
 * How ready this phone is for a dead zone: the map of the worker's cells being kept, tile by tile.
 * One small store, written by keep.ts and read by the worker's panel.
 */
export interface MapReadiness {
  state: 'idle' | 'keeping' | 'ready' | 'partial';
  /** Tiles kept (or already kept), tiles that could not be read, tiles wanted. */
  done: number;
  failed: number;
  total: number;
  /** The zooms kept, shallowest and deepest. */
  zooms: [number, number] | null;
}

let current: MapReadiness = { state: 'idle', done: 0, failed: 0, total: 0, zooms: null };
const listeners = new Set<() => void>();

export function setMapReadiness(next: Partial<MapReadiness>): void {
  current = { ...current, ...next };
  for (const l of listeners) l();
}

export function useMapReadiness(): MapReadiness {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
