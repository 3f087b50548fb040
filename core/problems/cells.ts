import { defineProblems } from './define.ts';

/** A cell's outline: structure, validity, the antimeridian, lying inside its parent. */
export const cellProblems = defineProblems({
  'cells.not-found': { status: 404, en: 'Cell {id} does not exist', zh: '网格 {id} 不存在' },
  'cells.geometry-invalid': { status: 422, en: 'Invalid geometry{whose}: {reason}', zh: '几何图形无效{whose}：{reason}' },
  'cells.geometry-empty': { status: 422, en: 'Invalid geometry: the geometry is empty', zh: '几何图形无效：图形为空' },
  'cells.crosses-antimeridian': {
    status: 422,
    en: 'The outline crosses the antimeridian (180° longitude) between {from} and {to}: an edge spans more than 180° of longitude. Cut it at 180° into a MultiPolygon (RFC 7946), or import with "cut at the antimeridian"',
    zh: '边界跨越180°经线（{from} 与 {to} 之间的边跨度超过180°经度）。请在180°处切分为多面（RFC 7946），或导入时选择"在180°经线处切分"',
  },
  'cells.antipodal-edge': {
    status: 422,
    en: 'An edge joins two nearly opposite points of the globe ({from} to {to}), so its path is undefined: add vertices along it',
    zh: '有一条边连接地球上近乎相对的两点（{from} 至 {to}），路径无法确定：请沿该边加密顶点',
  },
  'cells.outside-parent': {
    status: 422,
    en: '{which} is not inside its parent: {area} lie outside near {at}',
    zh: '{which}不在上级网格内：有 {area} 位于上级之外（{at} 附近）',
  },
  'cells.outside-parent-unmeasured': {
    status: 422,
    en: '{which} is not inside its parent (the part outside could not be measured)',
    zh: '{which}不在上级网格内（超出部分无法测算）',
  },
});
