import { describe, expect, it } from 'vitest';
import type { MultiPolygon, Polygon } from 'geojson';
import { area as turfArea } from '@turf/turf';
import { cellParts, closeRing, draftStats, formatArea, paddedBbox, partsToGeometry, snapPosition, snapTargets, vertexCount } from './geometry.ts';

// A flat projection: 1e-4 degree = 1 pixel, enough to reason in pixels.
const project = (lng: number, lat: number) => ({ x: lng * 1e4, y: -lat * 1e4 });
const square = (x: number, y: number, d: number): Polygon => ({ type: 'Polygon', coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] });

describe('snapping to neighbouring cells', () => {
  const targets = snapTargets([square(107, 34, 0.01), { type: 'MultiPolygon', coordinates: [square(107.02, 34, 0.01).coordinates] }]);

  it('snaps to a vertex within the tolerance, exactly', () => {
    const snapped = snapPosition([107.01 + 3e-4, 34.01 - 2e-4], targets, project, 10);
    expect(snapped).toEqual({ position: [107.01, 34.01], kind: 'vertex', distance: Math.hypot(3, 2) });
  });

  it('prefers a vertex to a closer edge, so shared corners stay exact', () => {
    // 1 px from the edge x = 107.01, 6 px from its corner.
    const snapped = snapPosition([107.01 + 1e-4, 34.01 - 6e-4], targets, project, 10);
    expect(snapped?.kind).toBe('vertex');
    expect(snapped?.position).toEqual([107.01, 34.01]);
  });

  it('snaps onto an edge when no vertex is near', () => {
    const snapped = snapPosition([107.01 + 4e-4, 34.005], targets, project, 10);
    expect(snapped?.kind).toBe('edge');
    expect(snapped!.position[0]).toBeCloseTo(107.01, 12);
    expect(snapped!.position[1]).toBeCloseTo(34.005, 12);
  });

  it('leaves the pointer alone beyond the tolerance, and skips far targets', () => {
    expect(snapPosition([107.015, 34.005], targets, project, 10)).toBeUndefined();
    // 5 px east of the second cell's edge: found, unless its box is skipped by a smaller slack.
    expect(snapPosition([107.0305, 34.005], targets, project, 10, 0.002)?.position[0]).toBeCloseTo(107.03, 12);
    expect(snapPosition([107.0305, 34.005], targets, project, 10, 0.0002)).toBeUndefined();
  });
});

describe('geometry conversion', () => {
  it('closes rings and leaves closed ones alone', () => {
    expect(closeRing([[1, 2], [3, 4], [5, 6]])).toEqual([[1, 2], [3, 4], [5, 6], [1, 2]]);
    expect(closeRing([[1, 2], [3, 4], [5, 6], [1, 2]])).toEqual([[1, 2], [3, 4], [5, 6], [1, 2]]);
  });

  it('turns a MultiPolygon cell into one polygon per part and back', () => {
    const multi: MultiPolygon = { type: 'MultiPolygon', coordinates: [square(107, 34, 0.01).coordinates, square(107.02, 34, 0.01).coordinates] };
    const parts = cellParts(multi);
    expect(parts).toHaveLength(2);
    expect(parts.every((p) => p.type === 'Polygon')).toBe(true);
    expect(partsToGeometry(parts)).toEqual(multi);
    expect(partsToGeometry(parts.slice(0, 1))).toEqual(square(107, 34, 0.01));
  });

  it('counts the distinct vertices of a ring', () => {
    expect(vertexCount(square(0, 0, 1))).toBe(4);
    expect(vertexCount({ type: 'LineString', coordinates: [[0, 0], [1, 1]] })).toBe(2);
  });

  it('pads a bounding box by a share of its size', () => {
    expect(paddedBbox(square(10, 20, 4), 0.25)).toEqual([9, 19, 15, 25]);
  });
});

describe('live figures while drawing', () => {
  const parent = square(107, 34, 0.02);

  it('gives the area and nothing outside for a drawing inside its parent', () => {
    const draft = square(107.005, 34.005, 0.005);
    const stats = draftStats(draft, parent, []);
    // On the ellipsoid, as PostGIS measures; Turf's sphere is within half a percent of it.
    expect(Math.abs(stats.area / turfArea({ type: 'Feature', geometry: draft, properties: {} }) - 1)).toBeLessThan(5e-3);
    expect(stats.outside).toBe(0);
    expect(stats.overlap).toBe(0);
  });

  it('measures the part outside the parent and the overlap with siblings', () => {
    const draft = square(107.015, 34.005, 0.01); // half of it east of the parent
    const sibling = square(107.015, 34.005, 0.0025);
    const stats = draftStats(draft, parent, [sibling]);
    expect(stats.outside / stats.area).toBeCloseTo(0.5, 2);
    expect(stats.overlap / stats.area).toBeCloseTo(1 / 16, 2);
    expect(stats.faults.map((f) => f.properties?.kind)).toEqual(['outside', 'overlap']);
  });

  it('does not count a shared border as overlap', () => {
    const stats = draftStats(square(107.005, 34.0, 0.005), parent, [square(107.0, 34.0, 0.005)]);
    expect(stats.overlap).toBe(0);
  });

  it('formats areas for people in both languages', () => {
    expect(formatArea(532.4, 'en')).toBe('532 m²');
    expect(formatArea(532.4, 'zh-CN')).toBe('532 平方米');
    expect(formatArea(250_000, 'en')).toBe('0.250 km²');
    expect(formatArea(3_456_000, 'zh-CN')).toBe('3.46 平方公里');
  });
});

