import { defineProblems } from './define.ts';

/** Units and places on file (一户一档) and their records. */
export const unitProblems = defineProblems({
  'units.not-found': { status: 404, en: 'Unit {id} does not exist', zh: '单位场所 {id} 不存在' },
  'units.cell-not-found': { status: 404, en: 'Cell {id} does not exist', zh: '网格 {id} 不存在' },
  'units.position-out-of-range': { status: 422, en: 'The position [{lon}, {lat}] is out of range: longitude -180..180, latitude -90..90 (lon, lat order)', zh: '坐标 [{lon}, {lat}] 超出范围：经度 -180..180，纬度 -90..90（先经度后纬度）' },
  'units.outside-cells': { status: 422, en: 'The point [{lon}, {lat}] lies outside every cell: units are filed in the cell that contains them', zh: '点 [{lon}, {lat}] 不在任何网格内：单位场所须归入包含它的网格' },
  'units.point-out-of-scope': { status: 403, en: 'The point [{lon}, {lat}] lies in cell {cellId}, outside your scope: you work in cells {scope} and below', zh: '点 [{lon}, {lat}] 位于网格 {cellId}，不在你的管辖范围内（你负责网格 {scope} 及其下级）' },
  'units.if-match-required': { status: 428, en: 'Send the unit version you edited as If-Match (the ETag of GET /api/units/:id)', zh: '请在 If-Match 中附上所编辑的单位版本号（GET /api/units/:id 的 ETag）' },
  'units.if-match-invalid': { status: 400, en: 'If-Match "{value}" is not a version', zh: 'If-Match“{value}”不是版本号' },
  'units.version-conflict': { status: 409, en: 'Unit {id} was changed by someone else: you edited version {expected}, it is now version {current}', zh: '单位场所 {id} 已被他人修改：你编辑的是第 {expected} 版，现在是第 {current} 版' },
  'units.record-in-future': { status: 422, en: 'The date {date} is in the future', zh: '日期 {date} 晚于今天' },
  'units.attributes-too-large': { status: 422, en: 'The attributes are too large: at most {maxDepth} levels deep, {maxKeys} entries and {maxBytes} bytes', zh: '附加属性过大：最多 {maxDepth} 层、{maxKeys} 项、{maxBytes} 字节' },
  'units.import-not-collection': { status: 422, en: 'Send a GeoJSON FeatureCollection of Point features', zh: '请发送由点要素组成的 GeoJSON FeatureCollection' },
  'units.import-empty': { status: 422, en: 'The FeatureCollection has no features', zh: 'FeatureCollection 中没有要素' },
  'units.import-invalid-rows': { status: 422, en: '{invalid} of {rows} rows are invalid; nothing was imported (fix them, or import with skipInvalid to skip them)', zh: '{rows} 行中有 {invalid} 行不正确，未导入任何数据（请改正，或用 skipInvalid 跳过这些行）' },
  'units.version-required': { status: 428, en: 'Send the unit version you saw as If-Match', zh: '请求缺少单位的版本号（If-Match）' },
  'units.stale': { status: 409, en: 'Unit {id} was changed by someone else: you saw version {expected}, it is now version {current}', zh: '单位 {id} 已被他人修改（你看到的是第 {expected} 版，现在是第 {current} 版），请刷新后重试' },
  'units.already-archived': { status: 409, en: 'Unit {id} is already archived', zh: '单位 {id} 已归档' },
  'units.not-archived': { status: 409, en: 'Unit {id} is not archived', zh: '单位 {id} 未归档' },
});

/**
 * One row of a unit import that cannot be filed: each entry of the import's `errors` carries one of
 * these codes with its parameters, so the preview and the 422 list every row's reason in Chinese.
 */
export const unitRowProblems = defineProblems({
  'units.row-attributes-not-object': { status: 422, en: 'must be a JSON object', zh: '属性须为 JSON 对象' },
  'units.row-attributes-json': { status: 422, en: 'is not valid JSON', zh: '属性不是有效的 JSON' },
  'units.row-attributes-too-large': { status: 422, en: 'too deep or too large (at most {maxDepth} levels, {maxKeys} entries, {maxBytes} bytes)', zh: '属性过大（最多 {maxDepth} 层、{maxKeys} 项、{maxBytes} 字节）' },
  'units.row-wkt-invalid': { status: 422, en: '"{wkt}" is not a WKT POINT (e.g. POINT(107.15 34.37))', zh: '“{wkt}”不是 WKT 点（例如 POINT(107.15 34.37)）' },
  'units.row-wkt-srid': { status: 422, en: 'SRID {srid} is not supported: send WGS 84 (4326) or CGCS2000 (4490) longitude/latitude', zh: '不支持坐标系 SRID {srid}：请使用 WGS 84（4326）或 CGCS2000（4490）经纬度' },
  'units.row-position-missing': { status: 422, en: 'give lon and lat, or a WKT point', zh: '请填写经度和纬度，或 WKT 点' },
  'units.row-position-nan': { status: 422, en: 'longitude and latitude must be numbers', zh: '经度和纬度须为数字' },
  'units.row-position-range': { status: 422, en: '[{lon}, {lat}] is out of range: longitude -180..180, latitude -90..90', zh: '坐标 [{lon}, {lat}] 超出范围：经度 -180..180，纬度 -90..90' },
  'units.row-geometry-invalid': { status: 422, en: 'must be a Point with [longitude, latitude] numbers', zh: '几何须为点，坐标为 [经度, 纬度] 数字' },
  'units.row-type-unknown': { status: 422, en: 'unknown type "{type}": use one of {types}', zh: '未知的类型“{type}”：请使用 {types} 之一' },
  'units.row-name-empty': { status: 422, en: 'the name is empty', zh: '名称为空' },
  'units.row-outside-cells': { status: 422, en: '[{lon}, {lat}] lies outside every cell', zh: '点 [{lon}, {lat}] 不在任何网格内' },
  'units.row-out-of-scope': { status: 422, en: '[{lon}, {lat}] lies in cell {cellId}, outside your scope', zh: '点 [{lon}, {lat}] 位于网格 {cellId}，不在你的管辖范围内' },
  'units.row-archived-at': { status: 422, en: 'archived_at "{value}" is not a date-time', zh: '归档时间“{value}”不是有效的日期时间' },
});
