import type { HeatPoint } from './HeatLayer.tsx';

/** GET /api/heatmap: raw points below the server's threshold, weighted bins above it. */
export interface HeatmapResponse {
  mode: 'points' | 'bins';
  total: number;
  /** The weight of a report of each severity (the server's configuration). */
  severityWeights: Record<string, number>;
  points?: { id: number; lon: number; lat: number; weight: number }[];
  bins?: { lon: number; lat: number; count: number; weight: number }[];
}

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
