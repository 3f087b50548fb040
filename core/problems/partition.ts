import { defineProblems } from './define.ts';

/** Workload of cells and balanced automatic division (任务相当). */
export const partitionProblems = defineProblems({
  'partition.cell-not-found': { status: 404, en: 'Cell {id} does not exist or is outside your scope', zh: '网格 {id} 不存在或不在你的管辖范围内' },
  'partition.count-required': { status: 422, en: 'Say into how many cells: count (or people), or targetWorkload', zh: '请说明划分为几个网格：count（或 people），或 targetWorkload' },
  'partition.count-too-small': { status: 422, en: 'A division needs at least 2 cells, not {count}', zh: '划分至少需要 2 个网格，不能是 {count} 个' },
  'partition.count-too-large': { status: 422, en: '{count} cells are too many: cell {id} is tessellated into only {tiles} tiles', zh: '{count} 个网格过多：网格 {id} 只能细分为 {tiles} 个小块' },
  'partition.no-area': { status: 422, en: 'Cell {id} ({name}) has no area to divide', zh: '网格 {id}（{name}）没有可划分的面积' },
  'partition.deepest-level': { status: 422, en: 'Cell {id} is at level {level}, the deepest configured: it cannot have child cells', zh: '网格 {id} 位于第 {level} 级，即最下一级，不能再有下级网格' },
  'partition.has-children': { status: 409, en: 'Cell {id} ({name}) already has {count} child cells: pass replaceChildren: true to replace them', zh: '网格 {id}（{name}）已有 {count} 个下级网格：如需替换，请传 replaceChildren: true' },
  'partition.too-few-cells': { status: 422, en: 'A division commits at least 2 cells, not {count}', zh: '提交的划分至少要有 2 个网格，不能是 {count} 个' },
  'partition.coverage-faults': { status: 422, en: 'The cells do not tile cell {id} exactly: {overlaps} overlap(s), {gaps} gap(s), {strays} part(s) outside; nothing was changed', zh: '这些网格未能无缝覆盖网格 {id}：{overlaps} 处重叠、{gaps} 处空隙、{strays} 处超出上级；未做任何修改' },
});
