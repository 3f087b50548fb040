import { defineProblems } from './define.ts';

/** Editing the grid: creating, changing, splitting, merging and deleting cells, and their codes. */
export const cellEditProblems = defineProblems({
  'cells.if-match-required': { status: 428, en: 'Send the cell version you edited as If-Match (the ETag of GET /api/cells/:id)', zh: '请在 If-Match 中附上所编辑的网格版本号（GET /api/cells/:id 的 ETag）' },
  'cells.if-match-invalid': { status: 400, en: 'If-Match "{value}" is not a cell version', zh: 'If-Match“{value}”不是网格版本号' },
  'cells.parent-required': { status: 422, en: 'Only a level-1 cell has no parent', zh: '只有第 1 级网格可以没有上级网格' },
  'cells.top-level-forbidden': { status: 403, en: 'Only an admin or a planner of the whole grid can create a top-level cell', zh: '只有管理员或负责整个网格的规划员可以新建顶级网格' },
  'cells.parent-not-found': { status: 422, en: 'Parent cell {id} does not exist', zh: '上级网格 {id} 不存在' },
  'cells.level-mismatch': { status: 422, en: 'Level {level} does not fit under a level-{parentLevel} parent: it must be {expected}', zh: '第 {level} 级不能放在第 {parentLevel} 级网格之下：应为第 {expected} 级' },
  'cells.code-required': { status: 422, en: 'A level-1 cell needs its code (the 6-digit division code)', zh: '第 1 级网格须填写编码（6 位行政区划代码）' },
  'cells.code-taken': { status: 409, en: 'The code {code} is taken', zh: '编码 {code} 已被占用' },
  'cells.code-length': { status: 422, en: 'Code "{code}" must be {digits} digits at level {level}', zh: '编码“{code}”在第 {level} 级应为 {digits} 位数字' },
  'cells.code-prefix': { status: 422, en: 'Code "{code}" must start with the parent\'s code {parentCode}', zh: '编码“{code}”须以上级网格编码 {parentCode} 开头' },
  'cells.codes-exhausted': { status: 409, en: 'No free code left under {parentCode}', zh: '{parentCode} 之下已没有可用的编码' },
  'cells.version-conflict': { status: 409, en: 'Cell {id} was changed by someone else: you edited version {expected}, it is now version {current}', zh: '网格 {id} 已被他人修改：你编辑的是第 {expected} 版，现在是第 {current} 版' },
  'cells.changed-meanwhile': { status: 409, en: 'Changed by someone else meanwhile: {list}', zh: '以下网格已被他人修改：{list}' },
  'cells.duplicate-id': { status: 422, en: 'Each cell may appear once', zh: '每个网格只能出现一次' },
  'cells.has-children': { status: 409, en: 'Cell {id} ({name}) has {count} child cells: move them first, or pass childrenTo=<id of a sibling>', zh: '网格 {id}（{name}）有 {count} 个下级网格：请先移走，或指定 childrenTo=<同级网格编号>' },
  'cells.children-to-invalid': { status: 422, en: 'childrenTo must be another cell of the same level', zh: 'childrenTo 须为另一个同级网格' },
  'cells.line-required': { status: 422, en: 'Send a LineString (or a Feature with one)', zh: '请发送一条线（LineString，或包含线的 Feature）' },
  'cells.line-does-not-cut': { status: 422, en: 'The line does not cut the cell in two: draw it across the cell, from outside to outside', zh: '该线未把网格分成两部分：请从网格外穿过网格画到网格外' },
  'cells.merge-different-parents': { status: 422, en: 'Only cells with the same parent can be merged', zh: '只有同一上级的网格才能合并' },
  'cells.merge-not-adjacent': { status: 422, en: 'Cells {ids} do not share a border with the others', zh: '网格 {ids} 与其他网格不相邻' },
  'cells.version-not-found': { status: 404, en: 'Version {version} of cell {id} does not exist', zh: '网格 {id} 的第 {version} 版不存在' },
});
