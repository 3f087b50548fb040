import { describe, expect, it } from 'vitest';
import { patrolTiles } from './tiles.ts';

describe('the tiles kept for a patrol', () => {
  it('covers the cell\'s box at zooms 13 to 16, shallow first', () => {
    // A box of about 1 km around 107.14 E, 34.36 N: one tile at z13, a few at z16.
    const urls = patrolTiles('/tiles/cells/{z}/{x}/{y}.mvt', [107.135, 34.355, 107.145, 34.365]);
    const zooms = urls.map((u) => Number(u.split('/')[3]));
    expect(zooms[0]).toBe(13);
    expect(new Set(zooms)).toEqual(new Set([13, 14, 15, 16]));
    expect(zooms).toEqual([...zooms].sort((a, b) => a - b));
    expect(urls).toContain('/tiles/cells/13/6534/3262.mvt');
  });

  it('leaves out the deepest zooms of a big cell rather than filling the phone', () => {
    const urls = patrolTiles('/t/{z}/{x}/{y}', [106.9, 34.2, 107.4, 34.6]);
    expect(urls.length).toBeLessThanOrEqual(300);
    expect(urls.some((u) => u.startsWith('/t/16/'))).toBe(false);
    expect(urls.some((u) => u.startsWith('/t/13/'))).toBe(true);
  });
});
