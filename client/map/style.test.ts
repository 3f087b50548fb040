import { describe, expect, it } from 'vitest';
import type { LayerSpecification } from 'maplibre-gl';
import { cellLayers } from './style.ts';

const LEVELS = [
  { level: 1, zh: '区', en: 'District' },
  { level: 2, zh: '街道', en: 'Street' },
  { level: 3, zh: '社区', en: 'Community' },
  { level: 4, zh: '片区', en: 'Area' },
  { level: 5, zh: '楼院', en: 'Building' },
];

/** Every ['interpolate', …, ['zoom'], z0, v0, z1, v1 …] in a value, as its list of stop zooms. */
function zoomStops(value: unknown): number[][] {
  if (!Array.isArray(value)) return [];
  if (value[0] === 'interpolate' && Array.isArray(value[2]) && value[2][0] === 'zoom') {
    return [value.slice(3).filter((_, i) => i % 2 === 0) as number[]];
  }
  return value.flatMap(zoomStops);
}

describe('cellLayers', () => {
  // From a whole province on a phone to a single compound on a large screen.
  it.each([
    { zoom: 0.5, size: 300 },
    { zoom: 3, size: 800 },
    { zoom: 10.3, size: 836 },
    { zoom: 17, size: 1200 },
  ])('gives valid zoom ranges and ascending stops at fit %o', (fit) => {
    const layers: LayerSpecification[] = cellLayers(LEVELS, fit);
    for (const layer of layers) {
      const { minzoom = 0, maxzoom = 24 } = layer;
      expect(minzoom, layer.id).toBeGreaterThanOrEqual(0);
      expect(maxzoom, layer.id).toBeLessThanOrEqual(24);
      expect(minzoom, layer.id).toBeLessThan(maxzoom);
      const paint = ('paint' in layer ? layer.paint : {}) ?? {};
      for (const stops of Object.values(paint).flatMap(zoomStops)) {
        for (let i = 1; i < stops.length; i++) expect(stops[i]!, layer.id).toBeGreaterThan(stops[i - 1]!);
      }
    }
  });

  it('draws coarser outlines thicker and over finer ones, and names last', () => {
    const ids = cellLayers(LEVELS, { zoom: 10, size: 800 }).map((l) => l.id);
    expect(ids.indexOf('cells-line-1')).toBeGreaterThan(ids.indexOf('cells-line-4'));
    expect(ids.indexOf('cells-selected-line')).toBeGreaterThan(ids.indexOf('cells-line-1'));
    expect(ids.slice(-5)).toEqual(['cells-label-5', 'cells-label-4', 'cells-label-3', 'cells-label-2', 'cells-label-1']);
  });
});
