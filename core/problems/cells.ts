import { defineProblems } from './define.ts';

/** A cell's outline: structure, validity, the antimeridian, lying inside its parent. */
export const cellProblems = defineProblems({
  'cells.not-found': { status: 404, en: 'Cell {id} does not exist', zh: '网格 {id} 不存在' },
  // Geometry faults. Every English text starts "Invalid geometry{whose}: " (whose: " (field)" in a
  // batch, else empty); what follows is the `errors[].message`. {place} and {at} come in both languages.
  'cells.geometry-no-polygons': { status: 422, en: 'Invalid geometry{whose}: no polygons', zh: '几何图形无效{whose}：图形中没有任何多边形：请至少画一个闭合的区域。' },
  'cells.geometry-no-rings': {
    status: 422,
    en: 'Invalid geometry{whose}: {part}polygon has no rings',
    zh: '几何图形无效{whose}：{part}没有任何边界：请重新绘制这一部分，或把它删除。',
  },
  'cells.geometry-ring-not-array': {
    status: 422,
    en: 'Invalid geometry{whose}: {place} is not an array of positions',
    zh: '几何图形无效{whose}：{place}不是坐标列表：每条边界须是 [经度, 纬度] 坐标的数组。',
  },
  'cells.geometry-position-not-numbers': {
    status: 422,
    en: 'Invalid geometry{whose}: {place} must be [longitude, latitude] numbers',
    zh: '几何图形无效{whose}：{place}须是 [经度, 纬度] 两个数字：请检查该顶点的坐标（不能是文字或空值）。',
  },
  'cells.geometry-position-not-finite': {
    status: 422,
    en: 'Invalid geometry{whose}: {place} is not a finite number',
    zh: '几何图形无效{whose}：{place}不是有限的数字：请检查该顶点的坐标。',
  },
  'cells.geometry-position-out-of-range': {
    status: 422,
    en: 'Invalid geometry{whose}: {place} {position} is out of range (longitude −180…180, latitude −90…90; lon/lat order)',
    zh: '几何图形无效{whose}：{place} {position} 超出经纬度范围（经度 −180…180，纬度 −90…90）：请检查坐标是否按“经度, 纬度”的顺序。',
  },
  'cells.geometry-ring-too-short': {
    status: 422,
    en: 'Invalid geometry{whose}: {place} has {count} positions; a ring needs at least 4',
    zh: '几何图形无效{whose}：{place}只有 {count} 个坐标，至少需要 4 个（3 个不同的顶点，最后一个与第一个相同）：请补画顶点。',
  },
  'cells.geometry-ring-not-closed': {
    status: 422,
    en: 'Invalid geometry{whose}: {place} is not closed: it starts at {from} and ends at {to}',
    zh: '几何图形无效{whose}：{place}未闭合：起点 {from} 与终点 {to} 不同，请让最后一个坐标与第一个相同。',
  },
  // The reasons of PostGIS's ST_IsValidDetail (GEOS), mapped in core/problems/geos.ts; {at} is where.
  'cells.geometry-self-intersection': {
    status: 422,
    en: 'Invalid geometry{whose}: Self-intersection{at}',
    zh: '几何图形无效{whose}：边界自相交{at}：出现“8”字形或交叉，请拖动顶点消除交叉。',
  },
  'cells.geometry-ring-self-intersection': {
    status: 422,
    en: 'Invalid geometry{whose}: Ring Self-intersection{at}',
    zh: '几何图形无效{whose}：边界在一点上与自身相接{at}：请移开该处的顶点，或在此处把图形拆成两部分。',
  },
  'cells.geometry-hole-outside-shell': {
    status: 422,
    en: 'Invalid geometry{whose}: Hole lies outside shell{at}',
    zh: '几何图形无效{whose}：内洞位于外边界之外{at}：请把内洞移回外边界以内，或删除它。',
  },
  'cells.geometry-holes-nested': {
    status: 422,
    en: 'Invalid geometry{whose}: Holes are nested{at}',
    zh: '几何图形无效{whose}：一个内洞套在另一个内洞里{at}：请删除里面的那个内洞。',
  },
  'cells.geometry-interior-disconnected': {
    status: 422,
    en: 'Invalid geometry{whose}: Interior is disconnected{at}',
    zh: '几何图形无效{whose}：内洞把图形隔成了互不相连的几块{at}：请调整内洞，或把各块画成多面的不同部分。',
  },
  'cells.geometry-nested-shells': {
    status: 422,
    en: 'Invalid geometry{whose}: Nested shells{at}',
    zh: '几何图形无效{whose}：多面中的一部分位于另一部分之内{at}：请删除里面的部分，或把两部分合并。',
  },
  'cells.geometry-duplicate-rings': {
    status: 422,
    en: 'Invalid geometry{whose}: Duplicate Rings{at}',
    zh: '几何图形无效{whose}：有两条完全相同的边界{at}：请删除重复的那一条。',
  },
  'cells.geometry-too-few-points': {
    status: 422,
    en: 'Invalid geometry{whose}: Too few points in geometry component{at}',
    zh: '几何图形无效{whose}：有一条边界的不同顶点不足 3 个{at}：请补画顶点，或删除这一部分。',
  },
  'cells.geometry-invalid-coordinate': {
    status: 422,
    en: 'Invalid geometry{whose}: Invalid Coordinate{at}',
    zh: '几何图形无效{whose}：坐标无效{at}：请检查该处顶点的坐标。',
  },
  'cells.geometry-open-ring': {
    status: 422,
    en: 'Invalid geometry{whose}: Ring is not closed{at}',
    zh: '几何图形无效{whose}：边界未闭合{at}：请让最后一个坐标与第一个相同。',
  },
  /** A reason of PostGIS this catalog does not name: shown as PostGIS says it. */
  'cells.geometry-invalid': {
    status: 422,
    en: 'Invalid geometry{whose}: {reason}{at}',
    zh: '几何图形无效{whose}：{reason}{at}：请检查并修正该处的边界。',
  },
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
