import { booleanPointInPolygon, centerOfMass, pointOnFeature, polygon as turfPolygon, area } from '@turf/turf';
import type { Feature, FeatureCollection, Point, Position } from 'geojson';
import type { GeoJSONSource, Map as MaplibreMap } from 'maplibre-gl';
import { fetchCells, type Bounds, type Cell, type Level } from '../api.ts';
import { LABELS_SOURCE, labelZooms, type Fit } from './style.ts';

type LabelPoint = Feature<Point, { name: string; level: number }>;

/** A point well inside the cell's largest part: its centre of mass when that is inside, else any inner point. */
export function labelPoint(cell: Cell): LabelPoint {
  let largest: Position[][] = cell.geometry.coordinates[0] ?? [];
  let largestArea = -1;
  for (const rings of cell.geometry.coordinates) {
    const a = area(turfPolygon(rings));
    if (a > largestArea) [largest, largestArea] = [rings, a];
  }
  const part = turfPolygon(largest);
  let point = centerOfMass(part);
  if (!booleanPointInPolygon(point, part)) point = pointOnFeature(part);
  return { type: 'Feature', id: cell.id, geometry: point.geometry, properties: { name: cell.properties.name, level: cell.properties.level } };
}

const contains = (outer: Bounds, inner: Bounds) =>
  outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];

/**
 * Keeps the labels source filled with one point per cell whose name can show at the current zoom,
 * fetched by level for the area in view (with a margin) and kept while the page lives.
 * `onSettled` is called whenever no fetch is in flight.
 */
export function trackCellLabels(map: MaplibreMap, levels: Level[], fit: Fit, onSettled: () => void): { stop: () => void; reload: () => void } {
  const sorted = [...levels].sort((a, b) => a.level - b.level);
  const points = new Map<number, LabelPoint>();
  const fetched = new Map<number, Bounds[]>();
  let controller: AbortController | null = null;

  async function update() {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    const zoom = map.getZoom();
    const view = map.getBounds();
    const [w, s, e, n] = [view.getWest(), view.getSouth(), view.getEast(), view.getNorth()];
    const [dx, dy] = [(e - w) / 2, (n - s) / 2];
    const wide: Bounds = [w - dx, s - dy, e + dx, n + dy];
    const wanted = sorted.filter((l, i) => {
      const { minzoom, maxzoom } = labelZooms(fit, i);
      return zoom >= minzoom - 0.5 && zoom < maxzoom && !(fetched.get(l.level) ?? []).some((b) => contains(b, [w, s, e, n]));
    });
    try {
      const results = await Promise.all(wanted.map((l) => fetchCells({ level: l.level, bbox: wide }, current.signal)));
      wanted.forEach((l) => fetched.set(l.level, [...(fetched.get(l.level) ?? []), wide]));
      for (const cell of results.flat()) if (!points.has(cell.id)) points.set(cell.id, labelPoint(cell));
      if (results.some((r) => r.length)) {
        const data: FeatureCollection = { type: 'FeatureCollection', features: [...points.values()] };
        // The first fetch starts with the map, before its style is loaded: the data waits for it.
        const apply = () => map.getSource<GeoJSONSource>(LABELS_SOURCE)?.setData(data);
        if (map.getSource(LABELS_SOURCE)) apply();
        else map.once('load', apply);
      }
    } catch (e) {
      if (!current.signal.aborted) console.warn('cell labels:', e);
    } finally {
      if (controller === current) {
        controller = null;
        onSettled();
      }
    }
  }

  const onMove = () => void update();
  map.on('moveend', onMove);
  // At once: the view is known from the start, and the names need not wait for the style and tiles.
  onMove();
  return {
    stop: () => {
      controller?.abort();
      map.off('moveend', onMove);
    },
    // After an edit: forget what was fetched and fetch the view again.
    reload: () => {
      points.clear();
      fetched.clear();
      map.getSource<GeoJSONSource>(LABELS_SOURCE)?.setData({ type: 'FeatureCollection', features: [] });
      onMove();
    },
  };
}
