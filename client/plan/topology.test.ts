import { describe, expect, it } from 'vitest';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { area as turfArea, intersect, featureCollection, union } from '@turf/turf';
import { applyChanges, diffPolygon, diffRing, propagate, type TopoCell } from './topology.ts';

const ring = (...ps: Position[]) => [...ps, ps[0]!];
const multi = (...rings: Position[][]): MultiPolygon => ({ type: 'MultiPolygon', coordinates: [rings] });
const poly = (...rings: Position[][]): Polygon => ({ type: 'Polygon', coordinates: rings });
// Two unit squares side by side sharing the edge x = 1, and one above them sharing only y = 1 with the left one.
const left = ring([0, 0], [1, 0], [1, 1], [0, 1]);
const right = ring([1, 0], [2, 0], [2, 1], [1, 1]);
const above = ring([0, 1], [1, 1], [1, 2], [0, 2]);
const cells = (): Map<number, TopoCell> => new Map([
  [2, { id: 2, version: 1, name: 'right', geometry: multi(right) }],
  [3, { id: 3, version: 4, name: 'above', geometry: multi(above) }],
]);

describe('reading an edit as one vertex change', () => {
  it('a dragged vertex is a move, the closing position included', () => {
    expect(diffRing(left, ring([0, 0], [1, 0], [1.2, 1.1], [0, 1]))).toEqual([{ kind: 'move', from: [1, 1], to: [1.2, 1.1] }]);
    expect(diffRing(left, ring([0.1, -0.1], [1, 0], [1, 1], [0, 1]))).toEqual([{ kind: 'move', from: [0, 0], to: [0.1, -0.1] }]);
  });

  it('a vertex inserted at a midpoint names the edge it was inserted on, including the closing edge', () => {
    expect(diffRing(left, ring([0, 0], [1, 0], [1, 0.5], [1, 1], [0, 1]))).toEqual([{ kind: 'insert', between: [[1, 0], [1, 1]], at: [1, 0.5] }]);
    expect(diffRing(left, ring([0, 0], [1, 0], [1, 1], [0, 1], [0, 0.5]))).toEqual([{ kind: 'insert', between: [[0, 1], [0, 0]], at: [0, 0.5] }]);
  });

  it('a removed vertex is a delete; anything else is not one change', () => {
    expect(diffRing(left, ring([0, 0], [1, 0], [0, 1]))).toEqual([{ kind: 'delete', at: [1, 1] }]);
    expect(diffRing(left, ring([0, 0], [5, 5], [1, 0], [7, 7], [1, 1], [0, 1]))).toBeUndefined();
    expect(diffPolygon(poly(left), poly(left, ring([0.2, 0.2], [0.4, 0.2], [0.4, 0.4])))).toBeUndefined();
    expect(diffPolygon(poly(left), poly(left))).toEqual([]);
  });
});

describe('making the change in every cell that shares it', () => {
  it('moves a shared corner in both neighbours that have it, and leaves the others alone', () => {
    const out = propagate(cells(), [{ kind: 'move', from: [1, 1], to: [1.2, 1.1] }]);
    expect(out.get(2)!.geometry.coordinates[0]![0]).toEqual(ring([1, 0], [2, 0], [2, 1], [1.2, 1.1]));
    expect(out.get(3)!.geometry.coordinates[0]![0]).toEqual(ring([0, 1], [1.2, 1.1], [1, 2], [0, 2]));
    const before = cells();
    const untouched = propagate(before, [{ kind: 'move', from: [0, 0], to: [-1, -1] }]);
    expect(untouched.get(2)!.geometry).toBe(before.get(2)!.geometry);
    expect(untouched.get(3)!.geometry).toBe(before.get(3)!.geometry);
  });

  it('after the move the three cells still tile the same ground: no overlap, no gap', () => {
    const edited = applyChanges(multi(left), [{ kind: 'move', from: [1, 1], to: [1.2, 1.1] }]);
    const out = propagate(cells(), [{ kind: 'move', from: [1, 1], to: [1.2, 1.1] }]);
    const all = [edited, out.get(2)!.geometry, out.get(3)!.geometry].map((g) => ({ type: 'Feature' as const, geometry: g, properties: {} }));
    for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) {
      const o = intersect(featureCollection([all[i]!, all[j]!]));
      expect(o ? turfArea(o) : 0).toBeLessThan(1e-3);
    }
    const total = all.reduce((s, f) => s + turfArea(f), 0);
    expect(turfArea(union(featureCollection(all))!) / total).toBeCloseTo(1, 9);
  });

  it('inserts a vertex on a shared edge in the neighbour too, whichever way its ring runs', () => {
    const out = propagate(cells(), [{ kind: 'insert', between: [[1, 0], [1, 1]], at: [1, 0.5] }]);
    expect(out.get(2)!.geometry.coordinates[0]![0]).toEqual(ring([1, 0], [2, 0], [2, 1], [1, 1], [1, 0.5]));
    expect(out.get(3)!.geometry).toEqual(multi(above));
  });

  it('deletes a shared vertex in the neighbours, but never leaves a ring of fewer than three corners', () => {
    const out = propagate(cells(), [{ kind: 'delete', at: [1, 1] }]);
    expect(out.get(2)!.geometry.coordinates[0]![0]).toEqual(ring([1, 0], [2, 0], [2, 1]));
    const triangle = multi(ring([0, 0], [1, 0], [1, 1]));
    expect(applyChanges(triangle, [{ kind: 'delete', at: [1, 1] }])).toBe(triangle);
  });
});
