import { defineProblems } from './define.ts';

/** The coverage check (gaps, overlaps, strays) and its fixes. */
export const coverageProblems = defineProblems({
  'coverage.cell-not-found': { status: 404, en: 'Cell {id} does not exist', zh: '网格 {id} 不存在' },
  'coverage.parent-or-level': { status: 400, en: 'Give either parentId (one parent) or level (every parent at that level), not both and not neither', zh: '请指定 parentId（一个上级网格）或 level（该级的所有上级网格）中的一个，不能都给也不能都不给' },
  'coverage.fix-fields-missing': { status: 422, en: 'A {kind} fix needs {fields}', zh: '“{kind}”修复缺少 {fields}' },
  'coverage.same-cell': { status: 422, en: 'a and b must be two different cells', zh: 'a 和 b 必须是两个不同的网格' },
  'coverage.keep-invalid': { status: 422, en: 'keep must be "a", "b", {a} or {b}', zh: 'keep 只能是“a”、“b”、{a} 或 {b}' },
  'coverage.not-siblings': { status: 422, en: 'Cells {a} and {b} have different parents: only siblings can overlap as a coverage fault', zh: '网格 {a} 与 {b} 的上级不同：只有同级网格的重叠才算覆盖错误' },
  'coverage.no-overlap': { status: 422, en: 'Cells {a} and {b} do not overlap', zh: '网格 {a} 与 {b} 没有重叠' },
  'coverage.clip-vanishes': { status: 422, en: 'Cell {id} ({name}) lies wholly inside cell {keep}: clipping would leave nothing; merge or delete it instead', zh: '网格 {id}（{name}）完全位于网格 {keep} 之内：裁剪后将一无所剩，请改为合并或删除' },
  'coverage.top-level': { status: 422, en: 'Cell {id} is a top-level cell: it has no parent to stray from', zh: '网格 {id} 是顶级网格，没有上级网格，谈不上超出上级' },
  'coverage.no-stray': { status: 422, en: 'Cell {id} ({name}) lies inside its parent: nothing to cut off', zh: '网格 {id}（{name}）位于上级网格之内，没有需要裁掉的部分' },
  'coverage.wholly-outside': { status: 422, en: 'Cell {id} ({name}) lies wholly outside its parent: cutting would leave nothing', zh: '网格 {id}（{name}）完全位于上级网格之外：裁剪后将一无所剩' },
  'coverage.gap-parent-required': { status: 422, en: 'Name the parent (parentId) of the gap', zh: '请指定空隙所在的上级网格（parentId）' },
  'coverage.gap-into-top-level': { status: 422, en: 'Cell {id} is a top-level cell: it cannot take a gap', zh: '网格 {id} 是顶级网格，不能并入空隙' },
  'coverage.gap-index': { status: 422, en: 'Parent {parentId} has {count} gap(s): there is no gap number {index}', zh: '上级网格 {parentId} 有 {count} 处空隙，没有第 {index} 号空隙' },
  'coverage.gap-unspecified': { status: 422, en: 'Say which gap: index (from the analysis) or gapGeometry', zh: '请指明哪一处空隙：index（分析结果中的序号）或 gapGeometry' },
  'coverage.gap-not-found': { status: 422, en: 'There is no gap of parent {parentId} there (any more)', zh: '上级网格 {parentId} 在该处没有（或已不再有）空隙' },
  'coverage.gap-no-neighbour': { status: 422, en: 'No child of the parent borders this gap: make it a new cell (into: "new")', zh: '没有下级网格与该空隙相邻：请将其设为新网格（into: "new"）' },
  'coverage.gap-not-bordering': { status: 422, en: 'Cell {id} does not border this gap; its neighbours are {neighbours}', zh: '网格 {id} 与该空隙不相邻；相邻的网格为 {neighbours}' },
});
