import { defineProblems } from './define.ts';

/** The command view's filters: levels, map windows and time windows. */
export const commandProblems = defineProblems({
  'command.level-unknown': { status: 422, en: 'There is no grid level {level}: the levels are {levels}', zh: '没有第 {level} 级网格：现有级别为 {levels}' },
  'command.bbox-count': { status: 422, en: 'bbox "{bbox}": must be four numbers minLon,minLat,maxLon,maxLat', zh: 'bbox“{bbox}”：应为四个数字：最小经度,最小纬度,最大经度,最大纬度' },
  'command.bbox-range': { status: 422, en: 'bbox "{bbox}": must be longitudes -180..180 and latitudes -90..90 (WGS 84)', zh: 'bbox“{bbox}”：经度应在 -180..180、纬度应在 -90..90 之间（WGS 84）' },
  'command.bbox-reversed': { status: 422, en: 'bbox "{bbox}": minLon must not exceed maxLon, nor minLat maxLat', zh: 'bbox“{bbox}”：最小经度不能大于最大经度，最小纬度不能大于最大纬度' },
  'command.window-empty': { status: 422, en: 'The time window is empty: from {from} is not before to {to}', zh: '时间范围为空：开始时间 {from} 不早于结束时间 {to}' },
});
