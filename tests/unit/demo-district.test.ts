import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { generateDemoDistrict, serializeDemoDistrict, type DemoCollection, type DemoFeature } from '../../scripts/demo-district.ts';

const FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data/demo/weibin.geojson');
const text = readFileSync(FILE, 'utf8');
const fc = JSON.parse(text) as DemoCollection;
const features = fc.features;
const byCode = new Map(features.map((f) => [f.properties.code, f]));
const childrenOf = (code: string): DemoFeature[] => features.filter((f) => f.properties.parentCode === code);
const parents = features.filter((f) => childrenOf(f.properties.code).length > 0);
const atLevel = (level: number): DemoFeature[] => features.filter((f) => f.properties.level === level);
const polygons = (f: Feature<MultiPolygon>): Feature<Polygon>[] => f.geometry.coordinates.map((p) => turf.polygon(p));
const boxesOverlap = (a: Feature, b: Feature): boolean => {
  const [ax0, ay0, ax1, ay1] = turf.bbox(a);
  const [bx0, by0, bx1, by1] = turf.bbox(b);
  return ax0 <= bx1 && bx0 <= ax1 && ay0 <= by1 && by0 <= ay1;
};
const intersectionArea = (a: Feature<MultiPolygon>, b: Feature<MultiPolygon>): number => {
  const i = turf.intersect(turf.featureCollection([a, b]));
  return i ? turf.area(i) : 0;
};

describe('demo district data/demo/weibin.geojson', () => {
  it('is what the generator produces, byte for byte, every time', () => {
    const first = serializeDemoDistrict(generateDemoDistrict());
    const second = serializeDemoDistrict(generateDemoDistrict());
    expect(second).toBe(first);
    expect(first).toBe(text);
    expect(Buffer.byteLength(text)).toBeLessThan(1_500_000);
  }, 60_000);

  it('has 1 district, 5 streets, about 25 communities and 100+ responsibility areas', () => {
    expect(atLevel(1)).toHaveLength(1);
    expect(atLevel(2)).toHaveLength(5);
    expect(atLevel(3).length).toBeGreaterThanOrEqual(20);
    expect(atLevel(3).length).toBeLessThanOrEqual(30);
    expect(atLevel(4).length).toBeGreaterThanOrEqual(100);
    expect(features.every((f) => f.properties.level >= 1 && f.properties.level <= 4)).toBe(true);
  });

  it('uses GB/T 2260 code 610302 and parent code + 3 digits below it, with parent links', () => {
    const district = atLevel(1)[0];
    expect(district?.properties).toEqual({ code: '610302', name: '渭滨区', level: 1, parentCode: null });
    expect(byCode.size).toBe(features.length); // codes are unique
    for (const f of features.filter((x) => x.properties.level > 1)) {
      const { code, parentCode, level, name } = f.properties;
      expect(parentCode).not.toBeNull();
      const parent = byCode.get(parentCode ?? '');
      expect(parent?.properties.level, code).toBe(level - 1);
      expect(code, code).toMatch(new RegExp(`^${parentCode}\\d{3}$`));
      expect(code.length).toBe(6 + 3 * (level - 1));
      expect(name.length).toBeGreaterThan(0);
    }
    expect(atLevel(3).every((f) => f.properties.name.endsWith('社区'))).toBe(true);
    for (const f of atLevel(4)) expect(f.properties.name.startsWith(byCode.get(f.properties.parentCode ?? '')?.properties.name ?? '?')).toBe(true);
  });

  it('lists features by level, then code', () => {
    const keys = features.map((f) => `${f.properties.level}:${f.properties.code}`);
    expect(keys).toEqual([...keys].sort());
  });

  it('has valid RFC 7946 MultiPolygons: 7 decimals, closed rings, CCW exteriors, no kinks', () => {
    for (const f of features) {
      const code = f.properties.code;
      expect(f.geometry.type, code).toBe('MultiPolygon');
      expect(Object.keys(f.properties)).toEqual(['code', 'name', 'level', 'parentCode']);
      for (const poly of f.geometry.coordinates) {
        poly.forEach((ring, i) => {
          expect(ring.length, code).toBeGreaterThanOrEqual(4);
          expect(ring[0], code).toEqual(ring[ring.length - 1]);
          const flat = ring.flat();
          expect(flat.every((v) => Math.round(v * 1e7) / 1e7 === v), code).toBe(true);
          const repeats = ring.filter((p, j) => j > 0 && p[0] === ring[j - 1]?.[0] && p[1] === ring[j - 1]?.[1]);
          expect(repeats, code).toEqual([]);
          expect(turf.booleanClockwise(ring), `${code} ring ${i}`).toBe(i > 0);
        });
        expect(turf.kinks(turf.polygon(poly)).features, code).toEqual([]);
        // No crumbs: every part is at least a hectare.
        expect(turf.area(turf.polygon(poly)), code).toBeGreaterThan(10_000);
      }
      expect(turf.booleanValid(f), code).toBe(true);
    }
  }, 60_000);

  it('tiles every parent exactly: children areas sum to the parent, siblings do not overlap, nothing sticks out', () => {
    for (const parent of parents) {
      const code = parent.properties.code;
      const children = childrenOf(code);
      const sum = children.reduce((s, c) => s + turf.area(c), 0);
      expect(Math.abs(sum - turf.area(parent)) / turf.area(parent), code).toBeLessThan(1e-6);
      for (const [i, a] of children.entries()) {
        expect(Math.abs(intersectionArea(a, parent) - turf.area(a)), a.properties.code).toBeLessThan(1);
        for (const b of children.slice(i + 1)) {
          if (boxesOverlap(a, b)) expect(intersectionArea(a, b), `${a.properties.code} × ${b.properties.code}`).toBeLessThan(1);
        }
      }
    }
  }, 60_000);

  it('shares edges vertex for vertex: sibling edges cancel pairwise and the rest are exactly the parent edges', () => {
    const edges = (f: DemoFeature): string[] =>
      polygons(f).flatMap((p) =>
        p.geometry.coordinates.flatMap((r: Position[]) => r.slice(1).map((b, j) => `${r[j]?.join(',')}>${b.join(',')}`)),
      );
    for (const parent of parents) {
      const count = new Map<string, number>();
      for (const c of childrenOf(parent.properties.code)) for (const e of edges(c)) count.set(e, (count.get(e) ?? 0) + 1);
      for (const e of edges(parent)) {
        expect(count.get(e), `${parent.properties.code}: parent edge ${e}`).toBe(1);
        count.delete(e);
      }
      for (const [e, n] of count) {
        const [a, b] = e.split('>');
        expect([n, count.get(`${b}>${a}`)], `${parent.properties.code}: inner edge ${e}`).toEqual([1, 1]);
      }
    }
  });
});
