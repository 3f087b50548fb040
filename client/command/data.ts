import type { HeatPoint } from './HeatLayer.tsx';
import type { HeatmapResponse } from '../../core/contracts/command.ts';

export type { HeatmapResponse };

export function heatPoints(r: HeatmapResponse): HeatPoint[] {
  if (r.mode === 'bins') return (r.bins ?? []).map((b) => ({ position: [b.lon, b.lat], weight: b.weight }));
  return (r.points ?? []).map((p) => ({ position: [p.lon, p.lat], weight: p.weight }));
}

export type { CellStats, Kpis } from '../../core/contracts/command.ts';

/** Colour ramps for the choropleth: more is worse, except the rectification rate. */
export const worseIsHigher = (metric: string) => metric !== 'rate' && metric !== 'pctInspected';

/** Even breaks from 0 to the largest value, five classes. */
export function breaks(values: number[]): number[] {
  const max = Math.max(0, ...values.filter(Number.isFinite));
  if (max === 0) return [0, 0, 0, 0];
  return [1, 2, 3, 4].map((i) => (max * i) / 5);
}
