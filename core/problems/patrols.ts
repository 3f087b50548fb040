import { defineProblems } from './define.ts';

/** Patrols, inspections and their ledger (台账). */
export const patrolProblems = defineProblems({
  'patrols.cell-not-found': { status: 404, en: 'Cell {id} does not exist', zh: '网格 {id} 不存在' },
  'patrols.range-reversed': { status: 422, en: 'from ({from}) is after to ({to})', zh: '开始月份（{from}）晚于结束月份（{to}）' },
  'patrols.range-too-long': { status: 422, en: 'At most {max} months at a time', zh: '一次最多 {max} 个月' },
});
