import { defineProblems } from './define.ts';

/** Warnings (预警) screen, warning notices (预警通知书), periodic evaluation (考评) and its 通报. */
export const accountabilityProblems = defineProblems({
  'warnings.bad-date': { status: 400, en: '{field} must be a date YYYY-MM-DD, got "{value}"', zh: '{field} 应为日期 YYYY-MM-DD，收到“{value}”' },
  'warnings.window-empty': { status: 400, en: 'The period from {from} to {to} is empty: from must not be after to', zh: '时段 {from} 至 {to} 为空：起始日期不能晚于截止日期' },
  'warnings.person-not-found': { status: 404, en: 'Person {id} is not assigned in any cell of yours', zh: '人员 {id} 不在您负责的网格中' },
  'warnings.level-not-reached': {
    status: 409,
    en: 'Person {id} has {count} warnings in the period; a notice of level {level} needs {needed}',
    zh: '人员 {id} 在该时段内有 {count} 次预警，签发“{level}”级通知书需要 {needed} 次',
  },
  'warnings.notice-not-found': { status: 404, en: 'Warning notice {id} does not exist', zh: '预警通知书 {id} 不存在' },
  'evaluations.bad-period': {
    status: 400,
    en: 'The period "{period}" is neither a month YYYY-MM nor a quarter YYYY-Q1…Q4',
    zh: '考评周期“{period}”既不是月份 YYYY-MM，也不是季度 YYYY-Q1…Q4',
  },
  'evaluations.cell-not-found': { status: 404, en: 'Cell {id} is not a cell of yours', zh: '网格 {id} 不在您的管辖范围内' },
});
