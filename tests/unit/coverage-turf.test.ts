import { describe, expect, it } from 'vitest';
import { analyseCoverage, areaM2, drawingFeedback, invalidReason, type CoverageCell } from '../../core/coverage/engine.ts';
import { CASES, grid2x2, jitter, movedVertex, rect, triangleM2 } from '../fixtures/coverage/cases.ts';
import { expectCaseAnswer } from '../fixtures/coverage/compare.ts';
import { borderingPair, countyCount, damage, stateTiling, type StateTiling } from '../fixtures/coverage/us-atlas.ts';

const polygonsOfAny = (g: CoverageCell['geometry']) => (g.type === 'Polygon' ? g.coordinates : g.coordinates.flat());

const cellsOf = (children: { key: string; geometry: CoverageCell['geometry'] }[]) => {
  const ids = new Map(children.map((c, i) => [c.key, i + 2]));
  return { ids, cells: children.map((c) => ({ id: ids.get(c.key)!, geometry: c.geometry })) };
};

describe('the Turf coverage engine', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('finds what the case "%s" contains', (_name, c) => {
    const { ids, cells } = cellsOf(c.children);
    const r = analyseCoverage({ id: 1, geometry: c.parent }, cells);
    expectCaseAnswer(r, c, ids);
    if (!c.expect.notSubdivided && !c.expect.gaps && !c.expect.slivers.gap) expect(r.coveredRatio).toBeCloseTo(1, 9);
  });

  it('measures a gap exactly: a 2 × 10 unit strip, bordered by both halves', () => {
    const c = CASES.find((x) => x.name === 'gap between two halves')!;
    const { ids, cells } = cellsOf(c.children);
    const r = analyseCoverage({ id: 1, geometry: c.parent }, cells);
    const expected = triangleM2([[4, 0], [6, 0], [6, 10]]) * 2;
    expect(Math.abs(r.gaps[0]!.areaM2 - expected) / expected).toBeLessThan(0.002);
    expect(r.gaps[0]!.neighbours.sort()).toEqual([ids.get('A'), ids.get('B')].sort());
    expect(r.coveredRatio).toBeCloseTo(0.8, 3);
  });

  it('reports a thin strip as a sliver once a sliver width is given', () => {
    const c = CASES.find((x) => x.name === 'a thin strip above the area tolerance')!;
    const { cells } = cellsOf(c.children);
    const plain = analyseCoverage({ id: 1, geometry: c.parent }, cells);
    expect(plain.gaps).toHaveLength(1);
    expect(plain.gaps[0]!.widthM).toBeCloseTo(0.0092, 3);
    const thin = analyseCoverage({ id: 1, geometry: c.parent }, cells, { sliverWidthM: 0.05 });
    expect(thin.gaps).toHaveLength(0);
    expect(thin.slivers).toMatchObject([{ kind: 'gap' }]);
    const coarse = analyseCoverage({ id: 1, geometry: c.parent }, cells, { minAreaM2: 50 });
    expect(coarse.gaps).toHaveLength(0);
  });

  it('moving one shared vertex makes exactly the overlap and the gap the move made', () => {
    const { ids, cells } = cellsOf(movedVertex.children);
    const r = analyseCoverage({ id: 1, geometry: rect(0, 0, 10, 10) }, cells);
    expect(r.overlaps.map((o) => [o.a, o.b])).toEqual([[ids.get('A'), ids.get('B')]]);
    expect(r.gaps).toHaveLength(1);
    expect(r.strays).toEqual([]);
    expect(r.slivers).toEqual([]);
    expect(Math.abs(r.overlaps[0]!.areaM2 / triangleM2(movedVertex.overlap) - 1)).toBeLessThan(0.002);
    expect(Math.abs(r.gaps[0]!.areaM2 / triangleM2(movedVertex.gap) - 1)).toBeLessThan(0.002);
    // The gap borders A along its new edge (≈470 m), C (≈462 m) and B (≈93 m): longest first.
    expect(r.gaps[0]!.neighbours).toEqual([ids.get('A'), ids.get('C'), ids.get('B')]);
  });

  it('gives the same faults under coordinate noise below the tolerance', () => {
    for (const name of ['clean 2×2 tiling', 'overlap of two halves', 'gap between two halves', 'stray beyond the parent']) {
      const c = CASES.find((x) => x.name === name)!;
      const { cells } = cellsOf(c.children);
      const exact = analyseCoverage({ id: 1, geometry: c.parent }, cells, { sliverWidthM: 0.01 });
      // ±0.5 mm on every vertex, each cell independently: shared edges no longer match exactly.
      const noisy = analyseCoverage({ id: 1, geometry: jitter(c.parent, 5e-9, 1) }, cells.map((x, i) => ({ ...x, geometry: jitter(x.geometry, 5e-9, 100 + i) })), { sliverWidthM: 0.01 });
      expect(noisy.overlaps.map((o) => [o.a, o.b]), name).toEqual(exact.overlaps.map((o) => [o.a, o.b]));
      expect(noisy.gaps.length, name).toBe(exact.gaps.length);
      expect(noisy.strays.map((s) => s.cellId), name).toEqual(exact.strays.map((s) => s.cellId));
      const total = (r: typeof exact) => [...r.overlaps, ...r.gaps, ...r.strays].reduce((s, x) => s + x.areaM2, 0);
      if (total(exact) > 0) expect(Math.abs(total(noisy) / total(exact) - 1), name).toBeLessThan(0.005);
    }
  });

  it('tells why a geometry is invalid', () => {
    expect(invalidReason(rect(0, 0, 1, 1))).toBeNull();
    const bow = CASES.find((x) => x.name === 'an invalid (bow-tie) child')!.children[1]!.geometry;
    expect(invalidReason(bow)).toBe('Self-intersection');
    expect(invalidReason({ type: 'Polygon', coordinates: [[[0, 0], [1, 1], [0, 0]]] })).toMatch(/Too few points/);
  });

  it('gives live feedback while drawing: overlaps with siblings, the part outside the parent, the area', () => {
    const siblings = grid2x2().slice(1).map((c, i) => ({ id: i + 10, geometry: c.geometry }));
    const inside = drawingFeedback(rect(0, 0, 5, 5), siblings, rect(0, 0, 10, 10));
    expect(inside).toMatchObject({ overlaps: [], outside: null, fits: true });
    expect(inside.areaM2).toBeCloseTo(areaM2(rect(0, 0, 5, 5)), 6);
    const sprawling = drawingFeedback(rect(-1, 0, 6, 5), siblings, rect(0, 0, 10, 10));
    expect(sprawling.fits).toBe(false);
    expect(sprawling.overlaps.map((o) => o.cellId)).toEqual([10]);
    expect(Math.abs(sprawling.overlaps[0]!.areaM2 / (2 * triangleM2([[5, 0], [6, 0], [6, 5]])) - 1)).toBeLessThan(0.002);
    expect(Math.abs(sprawling.outside!.areaM2 / (2 * triangleM2([[-1, 0], [0, 0], [0, 5]])) - 1)).toBeLessThan(0.002);
  });
});

describe('the Turf coverage engine on a published tiling (us-atlas counties)', () => {
  const analyse = (t: StateTiling) => {
    const ids = new Map(t.children.map((c, i) => [c.key, i + 2]));
    const report = analyseCoverage({ id: 1, geometry: t.parent }, t.children.map((c) => ({ id: ids.get(c.key)!, geometry: c.geometry })));
    return { ids, report };
  };

  it('has the 3,231 counties the package documents', () => {
    expect(countyCount()).toBe(3231);
  });

  it.each([['19', 'Iowa', 99], ['49', 'Utah', 29], ['09', 'Connecticut', 8]] as const)('finds no overlap, gap or stray in the counties of %s (%s)', (fips, name, n) => {
    const t = stateTiling(fips);
    expect(t.name).toBe(name);
    expect(t.children).toHaveLength(n);
    const { report } = analyse(t);
    expect(report).toMatchObject({ overlaps: [], gaps: [], strays: [], slivers: [], invalid: [] });
    expect(report.coveredRatio).toBeGreaterThan(0.999999);
  });

  it('reports the counties that quantising made invalid, and still no false fault (Colorado)', () => {
    const t = stateTiling('08');
    const { ids, report } = analyse(t);
    const name = new Map([...ids].map(([k, v]) => [v, k]));
    // Tiny rings collapsed to fewer than four points: checked independently of the engine's own test.
    const degenerate = t.children.filter((c) => polygonsOfAny(c.geometry).some((ring) => new Set(ring.map((p) => p.join(','))).size < 3)).map((c) => c.key);
    expect(degenerate.length).toBeGreaterThan(0);
    expect(report.invalid.map((i) => name.get(i.cellId)).sort()).toEqual(degenerate.sort());
    expect(report.invalid.every((i) => /Too few points/.test(i.reason) && i.code === 'cells.geometry-too-few-points')).toBe(true);
    expect(report).toMatchObject({ overlaps: [], gaps: [], strays: [] });
  });

  it('finds exactly a deliberately inserted overlap and gap, with their areas', () => {
    const t = stateTiling('19');
    const ab = borderingPair(t);
    const cd = borderingPair(t, ab);
    const d = damage(t, ab, cd);
    const { ids, report } = analyse(d.tiling);
    const [a, b] = [ids.get(ab[0])!, ids.get(ab[1])!];
    expect(report.overlaps.map((o) => [o.a, o.b])).toEqual([[Math.min(a, b), Math.max(a, b)]]);
    expect(report.gaps).toHaveLength(1);
    expect(report.strays).toEqual([]);
    // Areas against the pieces as cut (turf.area, a sphere): within 1 %.
    expect(Math.abs(report.overlaps[0]!.areaM2 / d.overlap.areaM2 - 1)).toBeLessThan(0.01);
    expect(Math.abs(report.gaps[0]!.areaM2 / d.gap.areaM2 - 1)).toBeLessThan(0.01);
    expect(report.gaps[0]!.neighbours.sort()).toEqual(expect.arrayContaining([ids.get(cd[0]), ids.get(cd[1])].sort()));
  });
});
