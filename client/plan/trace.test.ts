import { describe, expect, it } from 'vitest';
import type { Position } from 'geojson';
import { traceBetween, traceRing } from './trace.ts';

// A neighbour shaped like an L: its right side steps in at (2,1)–(1,1)–(1,3).
const neighbour: Position[] = [[0, 0], [2, 0], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]];

describe('tracing along a neighbour', () => {
  it('follows the neighbour the shorter way between two of its corners', () => {
    expect(traceBetween([2, 0], [1, 3], [neighbour])).toEqual([[2, 1], [1, 1]]);
    expect(traceBetween([1, 3], [2, 0], [neighbour])).toEqual([[1, 1], [2, 1]]);
  });

  it('starts and ends on edges as well as corners (snapped to an edge)', () => {
    expect(traceBetween([2, 0.5], [1, 2], [neighbour])).toEqual([[2, 1], [1, 1]]);
    expect(traceBetween([2, 0.5], [2, 0.8], [neighbour])).toEqual([]);
  });

  it('leaves a straight edge alone when its ends are not both on one neighbour', () => {
    expect(traceBetween([2, 0], [5, 5], [neighbour])).toBeUndefined();
  });

  it('turns a new cell drawn against the L into one that shares its border vertex for vertex', () => {
    const drawn: Position[] = [[2, 0], [3, 0], [3, 3], [1, 3]];
    expect(traceRing(drawn, [neighbour])).toEqual([[2, 0], [3, 0], [3, 3], [1, 3], [1, 1], [2, 1], [2, 0]]);
  });
});
