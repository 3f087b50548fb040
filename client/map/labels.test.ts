import { describe, expect, it } from 'vitest';
import { booleanPointInPolygon, polygon } from '@turf/turf';
import type { Cell } from '../api.ts';
import { labelPoint } from './labels.ts';

const cell = (coordinates: number[][][][]): Cell => ({
  type: 'Feature',
  id: 7,
  geometry: { type: 'MultiPolygon', coordinates },
  properties: { code: '610302001', name: '西街道', level: 2, parentId: 1, version: 1, areaM2: 1, updatedAt: '2026-03-15T04:00:00.000Z' },
});

describe('labelPoint', () => {
  it('puts the name inside a U-shaped cell, whose centre of mass is outside it', () => {
    const u = [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]];
    const point = labelPoint(cell([u]));
    expect(booleanPointInPolygon(point, polygon(u))).toBe(true);
    expect(point.id).toBe(7);
    expect(point.properties).toEqual({ name: '西街道', level: 2 });
  });

  it('puts the name on the largest part of a multi-part cell', () => {
    const small = [[[10, 10], [10.1, 10], [10.1, 10.1], [10, 10.1], [10, 10]]];
    const large = [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]];
    const point = labelPoint(cell([small, large]));
    expect(booleanPointInPolygon(point, polygon(large))).toBe(true);
  });
});
