import { describe, expect, it } from 'vitest';
import { patrolTiles, zoomOf } from './tiles.ts';
import { CELLS_MAXZOOM } from '../../core/map/cell-layers.ts';

describe('the tiles kept for a patrol', () => {
  it('covers the cell\'s box from zoom 12 to the deepest the cell tiles go, shallow first', () => {
    // A box of about 1 km around 107.14 E, 34.36 N: one tile at z12 and z13, a few deeper.
    const urls = patrolTiles('/tiles/cells/{z}/{x}/{y}.mvt', [107.135, 34.355, 107.145, 34.365]);
    const zooms = urls.map(zoomOf);
    expect(zooms[0]).toBe(12);
    expect(new Set(zooms)).toEqual(new Set(Array.from({ length: CELLS_MAXZOOM - 11 }, (_, i) => 12 + i)));
    expect(zooms).toEqual([...zooms].sort((a, b) => a - b));
    expect(urls).toContain('/tiles/cells/13/6534/3262.mvt');
  });

  it('never reads a zoom the map does not ask for (it magnifies the deepest cell tiles)', () => {
    const urls = patrolTiles('/tiles/cells/{z}/{x}/{y}.mvt', [107.135, 34.355, 107.145, 34.365]);
    expect(Math.max(...urls.map(zoomOf))).toBe(CELLS_MAXZOOM);
  });

  it('reads a tile shared by several cells of a scope once', () => {
    const one = patrolTiles('/t/{z}/{x}/{y}.mvt', [107.135, 34.355, 107.145, 34.365]);
    const twice = patrolTiles('/t/{z}/{x}/{y}.mvt', [[107.135, 34.355, 107.145, 34.365], [107.136, 34.356, 107.144, 34.364]]);
    expect(twice).toEqual(one);
  });

  it('leaves out the deepest zooms of a big area rather than filling the phone', () => {
    const urls = patrolTiles('/t/{z}/{x}/{y}.mvt', [106.5, 33.9, 107.8, 34.9]);
    expect(urls.length).toBeLessThanOrEqual(400);
    expect(urls.some((u) => zoomOf(u) === CELLS_MAXZOOM)).toBe(false);
    expect(urls.some((u) => zoomOf(u) === 12)).toBe(true);
  });
});
