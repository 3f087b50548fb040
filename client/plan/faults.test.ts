import { describe, expect, it } from 'vitest';
import { explainFault } from './faults.ts';

describe("the server's refusals in the planner's language", () => {
  it('puts the area outside the parent into Chinese and keeps the server wording with its place', () => {
    const detail = 'The cell is not inside its parent: 1234.5 m² lie outside near [107.1, 34.3]';
    expect(explainFault(detail, 'zh-CN')).toBe(`网格超出上级网格 1234.5 平方米，请把超出部分收回到上级网格内。\n（${detail}）`);
    expect(explainFault(detail, 'en')).toBe(detail);
  });

  it('names self-intersections, split lines that miss and cells with children', () => {
    expect(explainFault('Invalid geometry: Self-intersection at [107.015, 34.015]', 'zh-CN')).toMatch(/^边界自相交/);
    expect(explainFault('The line does not cut the cell in two: draw it across the cell', 'zh-CN')).toMatch(/^拆分线没有把网格分成两部分/);
    expect(explainFault('Cell 7 (甲) has 3 child cells: move them first', 'zh-CN')).toMatch(/^该网格下有 3 个下级网格/);
  });

  it('passes an unknown fault through unchanged', () => {
    expect(explainFault('Something new', 'zh-CN')).toBe('Something new');
  });
});
