import { defineProblems } from './define.ts';

/** The audit log's filters (admin). */
export const auditProblems = defineProblems({
  'audit.range-reversed': { status: 422, en: 'The period starts ({from}) after it ends ({to})', zh: '开始时间（{from}）晚于结束时间（{to}）' },
});
