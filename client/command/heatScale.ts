/**
 * How MapLibre's heatmap is scaled to what is in view. Its layer does not normalise: each point
 * adds weight · intensity · 0.399 · exp(-4.5 d²/r²) to the density at d px from it (r the radius),
 * and density 1 is the ramp's hot end. With bins of hundreds of reports, or a thousand reports on a
 * district, every place was past 1: the map was red from edge to edge and showed no hot spot.
 */

/** The heatmap layer's radius (px). */
export const HEAT_RADIUS = 40;
/** Screen cells (px) in which the weight in view is summed to find how dense its dense places are. */
const CELL = 32;
/** The share of those cells below full heat: the densest 2% reach the ramp's end. */
const QUANTILE = 0.98;

/**
 * The layer's intensity at which a place covered evenly with `scale` weight per CELL² reaches density
 * 1: the kernel's integral is 0.399 · π / 4.5 · r² = 0.279 r² px².
 */
export const HEAT_INTENSITY = (CELL * CELL) / (0.279 * HEAT_RADIUS * HEAT_RADIUS);

/**
 * The weight a CELL×CELL px square of the screen holds in its densest places (the QUANTILE of the
 * non-empty squares): weights divided by it put those places at the ramp's hot end and the rest in
 * proportion. 1 when nothing is in view.
 */
export function heatScale(pixels: readonly (readonly [number, number])[], weights: readonly number[]): number {
  const sums = new Map<string, number>();
  pixels.forEach(([x, y], i) => {
    const key = `${Math.floor(x / CELL)},${Math.floor(y / CELL)}`;
    sums.set(key, (sums.get(key) ?? 0) + (weights[i] ?? 0));
  });
  const sorted = [...sums.values()].filter((v) => v > 0).sort((a, b) => a - b);
  if (sorted.length === 0) return 1;
  return sorted[Math.min(sorted.length - 1, Math.floor(QUANTILE * sorted.length))]!;
}
