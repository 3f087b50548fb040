import { defineProblems } from './define.ts';

/** Accounts and their passwords (admin). */
export const userProblems = defineProblems({
  'users.not-found': { status: 404, en: 'User {id} does not exist', zh: '用户 {id} 不存在' },
  'users.password-too-short': { status: 422, en: 'The password must have at least {min} characters', zh: '密码至少需要 {min} 个字符' },
  'users.password-too-long': { status: 422, en: 'The password must have at most {max} characters', zh: '密码最多 {max} 个字符' },
  'users.password-too-common': { status: 422, en: 'The password is one of the most common passwords, which are guessed first: choose another', zh: '该密码属于最常见的密码，极易被猜中，请换一个' },
  'users.scope-unknown': { status: 422, en: 'scope names cells that do not exist: {ids}', zh: '负责网格中有不存在的网格：{ids}' },
  'users.person-unknown': { status: 422, en: 'personId: person {id} does not exist', zh: '人员 {id} 不存在' },
  'users.person-linked': { status: 409, en: 'personId: person {id} ({name}) is already linked to the account "{username}"', zh: '人员 {id}（{name}）已关联账号“{username}”' },
  'users.username-taken': { status: 409, en: 'The username "{username}" is taken', zh: '用户名“{username}”已被使用' },
  'users.cannot-demote-self': { status: 409, en: 'You cannot deactivate yourself or remove your own admin role', zh: '不能停用自己，也不能取消自己的管理员角色' },
});
