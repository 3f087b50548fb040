import { describe, expect, it } from 'vitest';
import { compareReports, countsOf, formatArea, formatRatio, problemFeatures, problemsOf, type ParentReport } from './model.ts';

const square = (x: number): GeoJSON.Polygon => ({ type: 'Polygon', coordinates: [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]] });
const report = (parentId: number, over: Partial<ParentReport>): ParentReport => ({
  parentId, notSubdivided: false, childCount: 3, parentAreaM2: 1000, coveredRatio: 1,
  overlaps: [], gaps: [], strays: [], slivers: [], invalid: [], ...over,
});

describe('the coverage panel model', () => {
  const reports = [
    report(1, {
      coveredRatio: 0.9,
      overlaps: [{ a: 2, b: 3, areaM2: 50, widthM: 2, geometry: square(0) }],
      gaps: [{ areaM2: 100, widthM: 3, geometry: square(1), neighbours: [3, 2] }],
      slivers: [{ kind: 'gap', neighbours: [2], areaM2: 0.2, widthM: 0.01, geometry: square(2) }],
    }),
    report(4, { parentAreaM2: 3000, strays: [{ cellId: 5, areaM2: 20, widthM: 1, geometry: square(3) }], overlaps: [{ a: 5, b: 6, areaM2: 80, widthM: 2, geometry: square(4) }] }),
    report(7, { notSubdivided: true, childCount: 0, coveredRatio: null }),
  ];

  it('lists every problem by kind, largest first, with the cells involved', () => {
    const ps = problemsOf(reports);
    expect(ps.map((p) => [p.kind, p.parentId, p.areaM2, p.cells])).toEqual([
      ['overlap', 4, 80, [5, 6]],
      ['overlap', 1, 50, [2, 3]],
      ['gap', 1, 100, [3, 2]],
      ['stray', 4, 20, [5]],
      ['sliver', 1, 0.2, [2]],
    ]);
    expect(new Set(ps.map((p) => p.key)).size).toBe(ps.length);
    expect(problemFeatures(ps).features[2]!.properties).toEqual({ key: '1:gap:0', kind: 'gap' });
  });

  it('counts them and weighs the covered share by parent area', () => {
    expect(countsOf(reports)).toEqual({
      parents: 3, subdivided: 2, notSubdivided: 1, overlaps: 2, gaps: 1, strays: 1, slivers: 1, invalid: 0, errors: 0,
      overlapAreaM2: 130, gapAreaM2: 100, strayAreaM2: 20,
      coveredRatio: (1000 * 0.9 + 3000 * 1) / 4000,
    });
    expect(countsOf([reports[2]!]).coveredRatio).toBeNull();
  });

  it('counts a parent the analysis failed on as an error, among the parents but neither subdivided nor not', () => {
    const failed = report(9, { notSubdivided: false, coveredRatio: null, childCount: 0, error: 'GEOSException: TopologyException' });
    const counts = countsOf([...reports, failed]);
    expect(counts).toMatchObject({ parents: 4, subdivided: 2, notSubdivided: 1, errors: 1, overlaps: 2 });
    expect(counts.coveredRatio).toBe((1000 * 0.9 + 3000 * 1) / 4000);
  });

  it('formats areas and shares for people, never rounding a gap away', () => {
    expect(formatArea(0.4213, 'en')).toBe('0.42 m²');
    expect(formatArea(259443.2, 'en')).toBe('259,443 m²');
    expect(formatArea(2_345_678, 'zh-CN')).toBe('2.346 km²');
    expect(formatRatio(0.99999, 'en')).toBe('99.999 %');
    expect(formatRatio(0.9993, 'en')).toBe('99.93 %');
    expect(formatRatio(1, 'en')).toBe('100 %');
    expect(formatRatio(null, 'en')).toBe('—');
  });

  it('says nothing when the instant and the server reports agree, areas within 0.5 %', () => {
    const close = reports.map((r) => ({ ...r, overlaps: r.overlaps.map((o) => ({ ...o, areaM2: o.areaM2 * 1.004 })) }));
    expect(compareReports(close, reports)).toEqual([]);
  });

  it('names every way the instant report differs from the server', () => {
    const server = reports;
    const instant: ParentReport[] = [
      { ...reports[0]!, gaps: [], overlaps: [{ ...reports[0]!.overlaps[0]!, areaM2: 60 }] },
      { ...reports[1]!, strays: [{ cellId: 6, areaM2: 20, widthM: 1, geometry: square(3) }], overlaps: [] },
      { ...reports[2]!, error: 'TopologyException' },
    ];
    expect(compareReports(instant, server)).toEqual([
      { parentId: 1, kind: 'gaps', instant: 0, server: 1 },
      { parentId: 1, kind: 'overlapArea', instant: 60, server: 50 },
      { parentId: 4, kind: 'overlaps', instant: 0, server: 1 },
      { parentId: 4, kind: 'strayCells', instant: 1, server: 1 },
      { parentId: 7, kind: 'failed', instant: 1, server: 0 },
    ]);
  });
});
