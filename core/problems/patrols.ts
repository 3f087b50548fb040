import { defineProblems } from './define.ts';

/** Patrols, inspections and their ledger (台账). */
export const patrolProblems = defineProblems({
  'patrols.cell-not-found': { status: 404, en: 'Cell {id} does not exist', zh: '网格 {id} 不存在' },
  'patrols.range-reversed': { status: 422, en: 'from ({from}) is after to ({to})', zh: '开始月份（{from}）晚于结束月份（{to}）' },
  'patrols.range-too-long': { status: 422, en: 'At most {max} months at a time', zh: '一次最多 {max} 个月' },
});

/** Recording a patrol: its track, check-ins at units, checklists and findings. */
export const patrolRecordProblems = defineProblems({
  'patrols.inspection-not-found': { status: 404, en: 'Inspection {id} does not exist', zh: '巡查记录 {id} 不存在' },
  'patrols.not-your-patrol': { status: 403, en: 'Inspection {id} is {inspector}\'s patrol: only the worker who started it records on it', zh: '巡查 {id} 是 {inspector} 的巡查：只有发起巡查的人员才能记录' },
  'patrols.finished': { status: 409, en: 'Inspection {id} was finished at {finishedAt}: start a new patrol to record more', zh: '巡查 {id} 已于 {finishedAt} 结束：如需继续记录请开始新的巡查' },
  'patrols.open-patrol': { status: 409, en: 'You have an open patrol (inspection {id} of cell {cellCode}): finish it before starting another', zh: '你还有未结束的巡查（网格 {cellCode} 的巡查 {id}）：请先结束再开始新的巡查' },
  'patrols.track-outside': { status: 422, en: '{count} track point(s) are timed outside the patrol: must be between the start of the patrol ({startedAt}) and now', zh: '有 {count} 个轨迹点的时间不在巡查期间：应在巡查开始（{startedAt}）与现在之间' },
  'patrols.unit-not-found': { status: 404, en: 'Unit {id} does not exist', zh: '单位场所 {id} 不存在' },
  'patrols.unit-elsewhere': { status: 422, en: 'Unit {id} ({name}) is in cell {unitCell}, not in the patrolled cell {cellCode}: start a patrol of its cell to inspect it', zh: '单位场所 {id}（{name}）位于网格 {unitCell}，不在本次巡查的网格 {cellCode} 内：请开始该网格的巡查后再检查' },
  'patrols.already-checked-in': { status: 409, en: 'Unit {id} ({name}) was already checked in on this patrol (visit {visitId}): update that visit\'s checklist instead', zh: '本次巡查已在单位场所 {id}（{name}）签到（记录 {visitId}）：请改为更新那次的检查表' },
  'patrols.distance-failed': { status: 500, en: 'The distance to the unit could not be computed', zh: '无法计算到该单位场所的距离' },
  'patrols.checklist-unknown-item': { status: 422, en: '"{code}" is not on the checklist of {unitType}: use {codes}', zh: '“{code}”不在“{unitType}”的检查表中：请使用 {codes}' },
  'patrols.checklist-item-twice': { status: 422, en: '"{code}" is given twice', zh: '检查项“{code}”重复' },
  'patrols.visit-not-found': { status: 404, en: 'Visit {visitId} of inspection {id} does not exist', zh: '巡查 {id} 中没有签到记录 {visitId}' },
  'patrols.check-in-first': { status: 409, en: 'Check in at unit {unitId} on this patrol before filing a finding about it', zh: '请先在本次巡查中到单位场所 {unitId} 签到，再上报相关问题' },
  'patrols.finding-location-required': { status: 422, en: 'A finding needs a location, or a unitId checked in on this patrol', zh: '上报问题须有位置，或指定本次巡查中已签到的单位场所（unitId）' },
  'patrols.person-no-cell': { status: 404, en: 'Person {id} answers for no cell you can see', zh: '人员 {id} 不负责你可见的任何网格' },
});
