import { defineProblems } from './define.ts';

/** Actions sent again (Idempotency-Key) and actions done offline, with the phone's time. */
export const offlineProblems = defineProblems({
  'offline.key-reused': {
    status: 422,
    en: 'This Idempotency-Key was already used for a different request: a new action needs a new key',
    zh: '此 Idempotency-Key 已用于另一项请求：新的操作请使用新的键',
  },
  'offline.time-invalid': {
    status: 400,
    en: 'The time of the action ({at}) is not a valid time',
    zh: '操作时间（{at}）不是有效的时间',
  },
});
