import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { MapMouseEvent, Map as MaplibreMap } from 'maplibre-gl';
import { useQueryClient } from '@tanstack/react-query';
import { invalidateCells } from '../data/cells.ts';

export type MapClick = (e: MapMouseEvent) => void;

interface MapController {
  /** The map once its cells are drawn; null before. */
  map: MaplibreMap | null;
  setMap: (map: MaplibreMap | null) => void;
  /** The handler that takes map clicks instead of cell selection (drawing, placing a report), if any. */
  clickOverride: React.RefObject<MapClick | null>;
  setClickOverride: (handler: MapClick | null) => void;
  /** Bumped after an edit: the map reloads the cell tiles and labels, and cached cell queries are invalidated (invalidateCells). */
  cellsVersion: number;
  refreshCells: () => void;
}

const MapContext = createContext<MapController | null>(null);

export function MapProvider({ children }: { children: ReactNode }) {
  const [map, setMap] = useState<MaplibreMap | null>(null);
  const [cellsVersion, setCellsVersion] = useState(0);
  const clickOverride = useRef<MapClick | null>(null);
  const setClickOverride = useCallback((handler: MapClick | null) => {
    clickOverride.current = handler;
  }, []);
  const queryClient = useQueryClient();
  const refreshCells = useCallback(() => {
    setCellsVersion((v) => v + 1);
    invalidateCells(queryClient);
  }, [queryClient]);
  const value = useMemo(
    () => ({ map, setMap, clickOverride, setClickOverride, cellsVersion, refreshCells }),
    [map, setClickOverride, cellsVersion, refreshCells],
  );
  return <MapContext.Provider value={value}>{children}</MapContext.Provider>;
}

export function useMapController(): MapController {
  const controller = useContext(MapContext);
  if (!controller) throw new Error('useMapController outside <MapProvider>');
  return controller;
}

/** The loaded map (null until the cells are drawn). Add sources and layers in an effect; remove them in its cleanup. */
export const useMap = () => useMapController().map;

/** While mounted (and `handler` is not null), map clicks go to `handler` instead of selecting a cell. */
export function useMapClick(handler: MapClick | null) {
  const { setClickOverride, map } = useMapController();
  const latest = useRef(handler);
  latest.current = handler;
  const active = handler !== null;
  useEffect(() => {
    if (!active) return;
    setClickOverride((e) => latest.current?.(e));
    const canvas = map?.getCanvas();
    canvas?.classList.add('map-picking');
    return () => {
      setClickOverride(null);
      canvas?.classList.remove('map-picking');
    };
  }, [active, map, setClickOverride]);
}
