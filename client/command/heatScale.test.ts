import { describe, expect, it } from 'vitest';
import { HEAT_INTENSITY, HEAT_RADIUS, heatScale } from './heatScale.ts';

// MapLibre's heatmap density at a pixel: the sum of weight · intensity · 0.399 · exp(-4.5 d²/r²).
function density(points: [number, number][], weights: number[], at: [number, number], scale: number): number {
  return points.reduce((s, [x, y], i) => {
    const d2 = ((x - at[0]) ** 2 + (y - at[1]) ** 2) / HEAT_RADIUS ** 2;
    return s + (weights[i]! / scale) * HEAT_INTENSITY * 0.3989422804014327 * Math.exp(-4.5 * d2);
  }, 0);
}

/** Points every `step` px over a square of `size` px from (x0, y0), each of weight w. */
function grid(x0: number, y0: number, size: number, step: number, w: number) {
  const points: [number, number][] = [];
  for (let x = x0; x < x0 + size; x += step) for (let y = y0; y < y0 + size; y += step) points.push([x, y]);
  return { points, weights: points.map(() => w) };
}

describe('heatScale', () => {
  it('puts the densest places at the hot end and a place half as dense at about half, whatever the weights', () => {
    for (const w of [1, 3, 250, 40_000]) {
      // A dense quarter (a point every 8 px) beside a sparse one (every 16 px: a quarter as dense per area).
      const dense = grid(0, 0, 320, 8, w), sparse = grid(400, 0, 320, 16, w);
      const points = [...dense.points, ...sparse.points], weights = [...dense.weights, ...sparse.weights];
      const scale = heatScale(points, weights);
      const hot = density(points, weights, [160, 160], scale);
      const mild = density(points, weights, [560, 160], scale);
      expect(hot).toBeGreaterThan(0.9);
      expect(hot).toBeLessThan(1.2);
      expect(mild / hot).toBeCloseTo(0.25, 1);
    }
  });

  it('lets one outlying square saturate without washing out the rest (a quantile, not the maximum)', () => {
    const even = grid(0, 0, 640, 16, 1);
    const points: [number, number][] = [...even.points, [330, 330]];
    const weights = [...even.weights, 500];
    const scale = heatScale(points, weights);
    expect(density(points, weights, [100, 100], scale)).toBeGreaterThan(0.9);
  });

  it('is 1 with nothing in view', () => {
    expect(heatScale([], [])).toBe(1);
    expect(heatScale([[1, 1]], [0])).toBe(1);
  });
});
