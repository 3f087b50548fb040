import { defineProblems } from './define.ts';

/** Units and places on file (一户一档): their page, archive and import preview. */
export const unitProblems = defineProblems({
  'units.not-found': { status: 404, en: 'Unit {id} does not exist', zh: '单位 {id} 不存在' },
  'units.version-required': { status: 428, en: 'Send the unit version you saw as If-Match', zh: '请求缺少单位的版本号（If-Match）' },
  'units.stale': { status: 409, en: 'Unit {id} was changed by someone else: you saw version {expected}, it is now version {current}', zh: '单位 {id} 已被他人修改（你看到的是第 {expected} 版，现在是第 {current} 版），请刷新后重试' },
  'units.already-archived': { status: 409, en: 'Unit {id} is already archived', zh: '单位 {id} 已归档' },
  'units.not-archived': { status: 409, en: 'Unit {id} is not archived', zh: '单位 {id} 未归档' },
});
