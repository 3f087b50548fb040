import { describe, expect, it } from 'vitest';
import type { MultiPolygon, Polygon } from 'geojson';
import { checkStructure, type CellGeometry } from './geometry.ts';
import { Problem } from '../problem.ts';
import { problemText } from '../../core/problems/index.ts';

const refusal = (g: unknown, field?: string): Problem => {
  try {
    checkStructure(g as CellGeometry, field);
  } catch (e) {
    if (e instanceof Problem) return e;
    throw e;
  }
  throw new Error('accepted');
};
const poly = (...rings: unknown[]) => ({ type: 'Polygon', coordinates: rings }) as unknown as Polygon;
const multi = (...polygons: unknown[]) => ({ type: 'MultiPolygon', coordinates: polygons }) as unknown as MultiPolygon;
const square = [[107.01, 34.01], [107.02, 34.01], [107.02, 34.02], [107.01, 34.02], [107.01, 34.01]];

describe('structure faults of a cell outline', () => {
  // Each case: the outline, its code, the English detail as the API has always answered it, the Chinese text.
  const cases: [string, CellGeometry, string, string, string][] = [
    ['no polygons', multi(), 'cells.geometry-no-polygons', 'Invalid geometry: no polygons', '几何图形无效：图形中没有任何多边形：请至少画一个闭合的区域。'],
    ['a polygon without rings', poly(), 'cells.geometry-no-rings', 'Invalid geometry: polygon has no rings', '几何图形无效：多边形没有任何边界：请重新绘制这一部分，或把它删除。'],
    ['a part without rings', multi([square], []), 'cells.geometry-no-rings', 'Invalid geometry: polygon 1, polygon has no rings', '几何图形无效：第 2 部分没有任何边界：请重新绘制这一部分，或把它删除。'],
    ['a ring that is no array', poly(square, 7), 'cells.geometry-ring-not-array', 'Invalid geometry: ring 1 is not an array of positions', '几何图形无效：第 1 个内洞不是坐标列表：每条边界须是 [经度, 纬度] 坐标的数组。'],
    ['a position of strings', poly([['107.01', '34.01'], ...square.slice(1)]), 'cells.geometry-position-not-numbers', 'Invalid geometry: ring 0, position 0 must be [longitude, latitude] numbers', '几何图形无效：外边界的第 1 个顶点须是 [经度, 纬度] 两个数字：请检查该顶点的坐标（不能是文字或空值）。'],
    ['an infinite position', multi([square], [square, [[1, 1], [Infinity, 2], [2, 2], [1, 1]]]), 'cells.geometry-position-not-finite', 'Invalid geometry: polygon 1, ring 1, position 1 is not a finite number', '几何图形无效：第 2 部分的第 1 个内洞的第 2 个顶点不是有限的数字：请检查该顶点的坐标。'],
    ['a latitude out of range', poly([[107.01, 34.01], [107.01, 95], [107.02, 34.02], [107.01, 34.01]]), 'cells.geometry-position-out-of-range',
      'Invalid geometry: ring 0, position 1 [107.01, 95] is out of range (longitude −180…180, latitude −90…90; lon/lat order)',
      '几何图形无效：外边界的第 2 个顶点 [107.01, 95] 超出经纬度范围（经度 −180…180，纬度 −90…90）：请检查坐标是否按“经度, 纬度”的顺序。'],
    ['a ring of 3 positions', poly([[107.01, 34.01], [107.02, 34.02], [107.01, 34.01]]), 'cells.geometry-ring-too-short', 'Invalid geometry: ring 0 has 3 positions; a ring needs at least 4',
      '几何图形无效：外边界只有 3 个坐标，至少需要 4 个（3 个不同的顶点，最后一个与第一个相同）：请补画顶点。'],
    ['an unclosed ring', poly(square.slice(0, 4)), 'cells.geometry-ring-not-closed', 'Invalid geometry: ring 0 is not closed: it starts at [107.01, 34.01] and ends at [107.01, 34.02]',
      '几何图形无效：外边界未闭合：起点 [107.01, 34.01] 与终点 [107.01, 34.02] 不同，请让最后一个坐标与第一个相同。'],
  ];

  it.each(cases)('%s has its code, the English it always had and a Chinese text with the place', (_name, g, code, en, zh) => {
    const p = refusal(g);
    expect(p.status).toBe(422);
    expect(p.code).toBe(code);
    expect(p.detail).toBe(en);
    expect(p.extra.errors).toEqual([{ field: 'geometry.coordinates', message: en.replace('Invalid geometry: ', '') }]);
    expect(problemText(p.code, p.params, 'en')).toBe(en);
    expect(problemText(p.code, p.params, 'zh-CN')).toBe(zh);
  });

  it('names the field of a batch in the detail and the error', () => {
    const p = refusal(poly(square.slice(0, 4)), 'cells[1].geometry');
    expect(p.detail).toBe('Invalid geometry (cells[1].geometry): ring 0 is not closed: it starts at [107.01, 34.01] and ends at [107.01, 34.02]');
    expect(p.extra.errors).toEqual([{ field: 'cells[1].geometry.coordinates', message: 'ring 0 is not closed: it starts at [107.01, 34.01] and ends at [107.01, 34.02]' }]);
    expect(problemText(p.code, p.params, 'zh-CN')).toMatch(/^几何图形无效 \(cells\[1\]\.geometry\)：外边界未闭合/);
  });

  it('accepts a sound outline', () => {
    expect(() => checkStructure(poly(square))).not.toThrow();
  });
});
