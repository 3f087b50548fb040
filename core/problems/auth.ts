import { defineProblems } from './define.ts';

/** Signing in, sessions, tokens, roles and scopes. */
export const authProblems = defineProblems({
  'auth.sign-in-required': { status: 401, en: 'Sign in first', zh: '请先登录' },
  'auth.wrong-credentials': { status: 401, en: 'Wrong username or password, or the account is inactive', zh: '用户名或密码错误，或账号已停用' },
  'auth.token-invalid': { status: 401, en: 'The API token is unknown, revoked, or its user is inactive', zh: 'API 令牌无效、已撤销，或其用户已停用' },
  'auth.locked': { status: 429, en: 'Too many failed sign-ins: try again in {minutes} minutes', zh: '登录失败次数过多，请 {minutes} 分钟后再试' },
  'auth.csrf': { status: 403, en: 'Missing or wrong x-csrf-token header: send the csrfToken from GET /api/session', zh: '安全校验失败（x-csrf-token 缺失或不正确），请刷新页面后重试' },
  'auth.role-forbidden': { status: 403, en: 'The role "{role}" may not do this ({permission})', zh: '当前角色（{role}）无权执行此操作（{permission}）' },
  'auth.out-of-scope': { status: 403, en: '{what} is outside your scope: you work in cells {scope} and below', zh: '{what}不在你的管辖范围内（你负责网格 {scope} 及其下级）' },
  'auth.scope-root': { status: 403, en: 'Cell {id} ({name}) is a root of your scope: its outline is edited by someone whose scope holds its parent', zh: '网格 {id}（{name}）是你管辖范围的顶层网格，其边界须由管辖其上级网格的人员修改' },
  'auth.token-not-found': { status: 404, en: 'Token {id} does not exist', zh: '令牌 {id} 不存在' },
});
