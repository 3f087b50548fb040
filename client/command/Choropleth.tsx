import { useEffect, useMemo } from 'react';
import type { ExpressionSpecification } from 'maplibre-gl';
import { useMap } from '../map/context.tsx';
import { useOverlay, type Overlay } from '../map/overlay.ts';
import { CELLS_SOURCE, CELLS_SOURCE_LAYER, SELECTED_LAYERS } from '../map/style.ts';
import { breaks, worseIsHigher, type CellStats } from './data.ts';
import type { Metric } from './filters.ts';

const LAYER = 'command-choropleth';
/** Light to dark: a sequential ramp, read the same way in both languages and in print. */
const RAMP = ['#fff5eb', '#fdd0a2', '#fdae6b', '#f16913', '#a63603'];

export function metricValue(c: CellStats, metric: Metric): number | null {
  const v = c[metric];
  return typeof v === 'number' ? v : null;
}

const classBreaks = (values: number[], metric: Metric) =>
  metric === 'rate' ? [0.2, 0.4, 0.6, 0.8] : metric === 'pctInspected' ? [20, 40, 60, 80] : breaks(values);

export interface LegendClass {
  color: string;
  /** Lower bound (inclusive; the first class has none) and upper bound (exclusive; the last has none). */
  from: number | null;
  to: number | null;
  count: number;
}

/** The choropleth's classes for the legend, each with its colour and how many cells fall in it. */
export function choroplethClasses(values: number[], metric: Metric): LegendClass[] {
  const ramp = worseIsHigher(metric) ? RAMP : [...RAMP].reverse();
  const b = classBreaks(values, metric);
  const classes: LegendClass[] = [];
  for (let i = 0; i <= b.length; i++) {
    const from = i === 0 ? null : b[i - 1]!;
    const to = i === b.length ? null : b[i]!;
    // Equal breaks (all zero) leave empty classes: only distinct ones are shown.
    if (from !== null && to !== null && to <= from) continue;
    classes.push({ color: ramp[i]!, from, to, count: values.filter((v) => (from === null || v >= from) && (to === null || v < to)).length });
  }
  return classes;
}

/** The colour expression for a metric: five classes on the feature state `v`; no figure, no fill. */
export function choroplethColor(values: number[], metric: Metric): ExpressionSpecification {
  const ramp = worseIsHigher(metric) ? RAMP : [...RAMP].reverse();
  const b = classBreaks(values, metric);
  const stops: (number | string)[] = [];
  b.forEach((limit, i) => stops.push(limit, ramp[i + 1]!));
  // step needs strictly ascending stops; equal breaks (all zero) collapse to one colour.
  const unique: (number | string)[] = [];
  for (let i = 0; i < stops.length; i += 2) if (i === 0 || stops[i]! > stops[i - 2]!) unique.push(stops[i]!, stops[i + 1]!);
  return ['step', ['coalesce', ['feature-state', 'v'], 0], ramp[0]!, ...unique] as unknown as ExpressionSpecification;
}

/**
 * Cells of one level coloured by a figure, drawn from the cell tiles already on the map: the figures
 * go in as feature state, so no geometry is fetched twice.
 */
export function Choropleth({ level, metric, cells }: { level: number; metric: Metric; cells: CellStats[] }) {
  const map = useMap();

  const overlay = useMemo((): Overlay => ({
    layers: [{
      id: LAYER,
      type: 'fill',
      source: CELLS_SOURCE,
      'source-layer': CELLS_SOURCE_LAYER,
      filter: ['==', ['get', 'level'], level],
      paint: { 'fill-color': '#fff5eb', 'fill-opacity': ['case', ['==', ['feature-state', 'has'], true], 0.55, 0] },
      beforeId: SELECTED_LAYERS[0],
    }],
  }), [level]);
  useOverlay(map, overlay);
  // The figures go with the layer.
  useEffect(() => () => {
    try {
      map?.removeFeatureState({ source: CELLS_SOURCE, sourceLayer: CELLS_SOURCE_LAYER });
    } catch {
      // The map was removed first.
    }
  }, [map, overlay]);

  useEffect(() => {
    if (!map || !map.getLayer(LAYER)) return;
    const values: number[] = [];
    for (const c of cells) {
      const v = metricValue(c, metric);
      if (v !== null) values.push(v);
      map.setFeatureState({ source: CELLS_SOURCE, sourceLayer: CELLS_SOURCE_LAYER, id: c.id }, { v, has: v !== null });
    }
    map.setPaintProperty(LAYER, 'fill-color', choroplethColor(values, metric));
  }, [map, cells, metric, level]);

  return null;
}
