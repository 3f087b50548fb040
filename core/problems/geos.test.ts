import { describe, expect, it } from 'vitest';
import { GEOS_REASON_CODES, faultReason, geosFault, parseValidReason } from './geos.ts';
import { cellProblems } from './cells.ts';
import { placeholders } from './define.ts';
import { problemText } from './index.ts';

describe('GEOS reasons as problem codes', () => {
  it.each(Object.entries(GEOS_REASON_CODES))('%s has its own code, whose English repeats the reason', (reason, code) => {
    const fault = geosFault(reason, [107.015, 34.015]);
    expect(fault.code).toBe(code);
    expect(cellProblems[code].en).toBe(`Invalid geometry{whose}: ${reason}{at}`);
    expect(new Set(placeholders(cellProblems[code].zh))).toEqual(new Set(['whose', 'at']));
    expect(faultReason(fault)).toBe(`${reason} at [107.015, 34.015]`);
    expect(problemText(fault.code, fault.params, 'en')).toBe(`Invalid geometry: ${reason} at [107.015, 34.015]`);
    const zh = problemText(fault.code, fault.params, 'zh-CN')!;
    expect(zh).toContain('（位置 [107.015, 34.015]）');
    expect(zh).not.toMatch(/[A-Za-z]{3,}/);
  });

  it('says in Chinese what to do about a self-intersection, with its place', () => {
    const fault = geosFault('Self-intersection', [107.01500001, 34.015]);
    expect(problemText(fault.code, fault.params, 'zh-CN')).toBe('几何图形无效：边界自相交（位置 [107.015, 34.015]）：出现“8”字形或交叉，请拖动顶点消除交叉。');
  });

  it('names the field of a batch, and leaves the place out when GEOS gives none', () => {
    const fault = geosFault('Hole lies outside shell', null, ' (cells[1].geometry)');
    expect(problemText(fault.code, fault.params, 'en')).toBe('Invalid geometry (cells[1].geometry): Hole lies outside shell');
    expect(problemText(fault.code, fault.params, 'zh-CN')).toMatch(/^几何图形无效 \(cells\[1\]\.geometry\)：内洞位于外边界之外：/);
  });

  it('keeps an unknown reason as PostGIS said it, under the generic code', () => {
    const fault = geosFault('Repeated Point', [1, 2]);
    expect(fault).toEqual({ code: 'cells.geometry-invalid', params: { whose: '', reason: 'Repeated Point', at: { en: ' at [1, 2]', zh: '（位置 [1, 2]）' } } });
    expect(faultReason(fault)).toBe('Repeated Point at [1, 2]');
    expect(problemText(fault.code, fault.params, 'zh-CN')).toBe('几何图形无效：Repeated Point（位置 [1, 2]）：请检查并修正该处的边界。');
    // A reason differing in case is another text: its English must stay as given.
    expect(geosFault('self-intersection', null).code).toBe('cells.geometry-invalid');
    expect(faultReason(geosFault(null, null))).toBe('not valid');
  });

  it("reads ST_IsValidReason's text into reason and place", () => {
    expect(parseValidReason('Self-intersection[107.015 34.015]')).toEqual({ reason: 'Self-intersection', at: [107.015, 34.015] });
    expect(parseValidReason('Too few points in geometry component[-1.5e-7 0]')).toEqual({ reason: 'Too few points in geometry component', at: [-1.5e-7, 0] });
    expect(parseValidReason('Self-intersection')).toEqual({ reason: 'Self-intersection', at: null });
    expect(parseValidReason('Valid Geometry')).toEqual({ reason: 'Valid Geometry', at: null });
  });
});
