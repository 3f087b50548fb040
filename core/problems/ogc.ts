import { defineProblems } from './define.ts';

/** OGC API – Features and the exports: query parameters, collections and features. */
export const ogcProblems = defineProblems({
  'ogc.bbox-invalid': { status: 400, en: 'bbox "{bbox}" must be 4 (or 6) numbers: minLon,minLat,maxLon,maxLat', zh: 'bbox“{bbox}”应为 4（或 6）个数字：最小经度,最小纬度,最大经度,最大纬度' },
  'ogc.bbox-reversed': { status: 400, en: 'bbox "{bbox}": the southern edge is north of the northern one', zh: 'bbox“{bbox}”：南边界在北边界之北' },
  'ogc.datetime-invalid': { status: 400, en: 'datetime {part} "{value}" is not an RFC 3339 date-time (e.g. 2025-03-01T00:00:00Z)', zh: 'datetime 的{part}“{value}”不是 RFC 3339 时间（例如 2025-03-01T00:00:00Z）' },
  'ogc.datetime-open': { status: 400, en: 'datetime ".." needs an interval: start/end', zh: 'datetime“..”只能用于区间：开始/结束' },
  'ogc.datetime-form': { status: 400, en: 'datetime "{value}" is neither an instant nor an interval start/end', zh: 'datetime“{value}”既不是时刻，也不是“开始/结束”区间' },
  'ogc.collection-not-found': { status: 404, en: 'Collection {id} does not exist', zh: '数据集 {id} 不存在' },
  'ogc.sign-in-required': { status: 401, en: 'The collection {id} is for signed-in users: send an API token (Authorization: Bearer …)', zh: '数据集 {id} 仅对已登录用户开放：请提供 API 令牌（Authorization: Bearer …）' },
  'ogc.tiles-not-found': { status: 404, en: 'The collection {id} has no tiles', zh: '数据集 {id} 没有瓦片' },
  'ogc.tile-matrix-set-not-found': { status: 404, en: 'The tile matrix set {tms} does not exist (only WebMercatorQuad)', zh: '瓦片矩阵集 {tms} 不存在（仅支持 WebMercatorQuad）' },
  'ogc.tile-not-found': { status: 404, en: 'The tile {z}/{row}/{col} does not exist', zh: '瓦片 {z}/{row}/{col} 不存在' },
  'ogc.feature-not-found': { status: 404, en: 'Feature {featureId} in {collection} does not exist', zh: '数据集 {collection} 中没有要素 {featureId}' },
  'export.no-cells': { status: 404, en: 'No cells{which} to export', zh: '没有可导出的网格{which}' },
  'export.cell-not-found': { status: 404, en: 'Cell {id} does not exist', zh: '网格 {id} 不存在' },
  'export.bbox-invalid': { status: 422, en: 'bbox is minLon,minLat,maxLon,maxLat', zh: 'bbox 应为：最小经度,最小纬度,最大经度,最大纬度' },
  'tiles.out-of-range': { status: 400, en: '{field} must be at most {max} at zoom {z}', zh: '{field} 在缩放级别 {z} 下不能大于 {max}' },
});
