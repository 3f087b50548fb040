import { defineProblems } from './define.ts';

/** Faults of the request itself, before any domain rule: routes, limits, the database being away. */
export const httpProblems = defineProblems({
  'http.not-found': { status: 404, en: 'No route for {method} {path}', zh: '没有这个接口：{method} {path}' },
  'http.body-too-large': { status: 413, en: 'The request body is larger than {limitBytes} bytes', zh: '请求内容过大（上限 {limitBytes} 字节）' },
  'http.unsupported-media-type': { status: 415, en: 'Unsupported content type {contentType}', zh: '不支持的内容类型 {contentType}' },
  'http.rate-limited': { status: 429, en: 'Too many requests (limit {max}); retry in {after}', zh: '请求过于频繁（上限 {max} 次），请 {after} 后再试' },
  'http.internal': { status: 500, en: 'The server could not complete the request', zh: '服务器未能完成请求，请稍后重试' },
  'http.db-unavailable': { status: 503, en: 'The database is unreachable; retry later', zh: '数据库暂时无法连接，请稍后重试' },
  'http.bad-request': { status: 400, en: 'The request is malformed: {reason}', zh: '请求格式不正确：{reason}' },
  'http.conflict-unique': { status: 409, en: 'A record with the same unique value exists', zh: '已存在相同的记录（唯一值重复）' },
  'http.conflict-reference': { status: 409, en: 'The record is referenced by or refers to a missing record', zh: '该记录被其他记录引用，或引用了不存在的记录' },
  'http.constraint': { status: 422, en: 'A value breaks a rule of the data model', zh: '某个值不符合数据规则' },
  /** Schema validation: the fields are listed in `errors`, each with its own code below. */
  'request.invalid': { status: 400, en: 'The request has {count} invalid fields: {summary}', zh: '请求中有 {count} 处不正确：{summary}' },
});

/**
 * One code per JSON-schema keyword, for each entry of a 400's `errors`: the client shows the field
 * with the translated rule. Parameters are the validator's (limit, allowedValues, …) plus `field`.
 */
export const schemaProblems = defineProblems({
  'schema.required': { status: 400, en: '{field} is required', zh: '缺少 {field}' },
  'schema.type': { status: 400, en: '{field} must be {type}', zh: '{field} 的类型应为 {type}' },
  'schema.minimum': { status: 400, en: '{field} must be ≥ {limit}', zh: '{field} 不能小于 {limit}' },
  'schema.maximum': { status: 400, en: '{field} must be ≤ {limit}', zh: '{field} 不能大于 {limit}' },
  'schema.exclusiveMinimum': { status: 400, en: '{field} must be > {limit}', zh: '{field} 必须大于 {limit}' },
  'schema.exclusiveMaximum': { status: 400, en: '{field} must be < {limit}', zh: '{field} 必须小于 {limit}' },
  'schema.multipleOf': { status: 400, en: '{field} must be a multiple of {multipleOf}', zh: '{field} 必须是 {multipleOf} 的倍数' },
  'schema.minLength': { status: 400, en: '{field} must have at least {limit} characters', zh: '{field} 至少需要 {limit} 个字符' },
  'schema.maxLength': { status: 400, en: '{field} must have at most {limit} characters', zh: '{field} 最多 {limit} 个字符' },
  'schema.pattern': { status: 400, en: '{field} has the wrong form', zh: '{field} 的格式不正确' },
  'schema.format': { status: 400, en: '{field} must be a valid {format}', zh: '{field} 不是有效的 {format}' },
  'schema.enum': { status: 400, en: '{field} must be one of: {allowedValues}', zh: '{field} 只能是以下之一：{allowedValues}' },
  'schema.const': { status: 400, en: '{field} must be {allowedValue}', zh: '{field} 必须为 {allowedValue}' },
  'schema.minItems': { status: 400, en: '{field} must have at least {limit} items', zh: '{field} 至少需要 {limit} 项' },
  'schema.maxItems': { status: 400, en: '{field} must have at most {limit} items', zh: '{field} 最多 {limit} 项' },
  'schema.uniqueItems': { status: 400, en: '{field} must not repeat an item', zh: '{field} 中不能有重复项' },
  'schema.minProperties': { status: 400, en: '{field} must have at least {limit} properties', zh: '{field} 至少需要 {limit} 个属性' },
  'schema.maxProperties': { status: 400, en: '{field} must have at most {limit} properties', zh: '{field} 最多 {limit} 个属性' },
  'schema.additionalProperties': { status: 400, en: '{field} has an unknown property {additionalProperty}', zh: '{field} 中有未知的属性 {additionalProperty}' },
  'schema.oneOf': { status: 400, en: '{field} does not match exactly one allowed form', zh: '{field} 不符合任何一种允许的形式' },
  'schema.anyOf': { status: 400, en: '{field} does not match any allowed form', zh: '{field} 不符合任何一种允许的形式' },
  'schema.not': { status: 400, en: '{field} is not allowed', zh: '{field} 不允许' },
  'schema.other': { status: 400, en: '{field} is invalid', zh: '{field} 不正确' },
});
