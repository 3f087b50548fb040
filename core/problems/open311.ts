import { defineProblems } from './define.ts';

/** Open311 GeoReport v2 (/open311/v2): answered there as [{code, description}], as the spec asks. */
export const open311Problems = defineProblems({
  'open311.format': { status: 404, en: 'Format "{format}" is not served: use .json or .xml', zh: '不提供“{format}”格式：请使用 .json 或 .xml' },
  'open311.jurisdiction': { status: 404, en: 'jurisdiction_id "{value}" is not served here: use {expected}', zh: '此处不受理 jurisdiction_id“{value}”：请使用 {expected}' },
  'open311.service-not-found': { status: 404, en: 'service_code "{code}" does not exist: see services.json', zh: 'service_code“{code}”不存在：见 services.json' },
  'open311.request-not-found': { status: 404, en: 'Service request {id} does not exist', zh: '服务请求 {id} 不存在' },
  'open311.missing': { status: 400, en: '{field} is required', zh: '缺少 {field}' },
  'open311.location': { status: 400, en: 'lat and long are required (WGS 84 decimal degrees): an address alone cannot be placed in a cell', zh: '需要 lat 和 long（WGS 84 十进制度）：仅凭地址无法确定所属网格' },
  'open311.invalid': { status: 400, en: '{field} "{value}" is not valid', zh: '{field}“{value}”无效' },
  'open311.api-key': { status: 403, en: 'api_key is not a valid Wangge API token', zh: 'api_key 不是有效的网格系统 API 令牌' },
});
