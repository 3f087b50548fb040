import { defineProblems } from './define.ts';

/** The basemap an admin sets. */
export const basemapProblems = defineProblems({
  'basemap.offset-tiles': {
    status: 422,
    en: '{host} serves tiles in GCJ-02 (or BD-09), offset from WGS84 by hundreds of metres in China: the grid would lie in the wrong streets. Use Tianditu, OpenStreetMap or your own WGS84 tiles',
    zh: '{host} 的瓦片采用 GCJ-02（或 BD-09）坐标，在国内与 WGS84 相差数百米，网格会落在错误的街道上。请使用天地图、OpenStreetMap 或自有的 WGS84 瓦片',
  },
  'basemap.needs': { status: 422, en: 'A {kind} basemap needs {field}', zh: '{kind} 底图需要填写 {field}' },
  'basemap.bad-key': { status: 422, en: 'A Tianditu key is 32 hexadecimal characters (from console.tianditu.gov.cn)', zh: '天地图密钥应为 32 位十六进制字符（在 console.tianditu.gov.cn 申请）' },
  'basemap.bad-url': { status: 422, en: '{field} must be an http(s) URL', zh: '{field} 必须是 http(s) 网址' },
  'basemap.no-tile-placeholders': { status: 422, en: 'A tile URL needs the placeholders z, x and y, each in braces', zh: '瓦片网址须包含 z、x、y 三个占位符（各加花括号）' },
  'basemap.local-missing': { status: 422, en: 'No file {file} in {dir}: copy a .pmtiles file there first', zh: '{dir} 中没有文件 {file}，请先将 .pmtiles 文件复制到该目录' },
  'basemap.local-unreadable': { status: 422, en: '{file} is not a PMTiles v3 archive', zh: '{file} 不是 PMTiles v3 文件' },
  'basemap.local-vector': { status: 422, en: '{file} holds vector tiles: a local basemap must be raster (PNG, JPEG or WebP), as Wangge draws it without a style', zh: '{file} 为矢量瓦片：本地底图须为栅格瓦片（PNG、JPEG 或 WebP）' },
  'basemap.no-local': { status: 404, en: 'No local basemap is set', zh: '未设置本地底图' },
});
