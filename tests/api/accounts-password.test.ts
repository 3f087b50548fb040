import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { problemText } from '../../core/problems/index.ts';

// Passwords set by an admin: a reset ends everything the old password opened.

let t: TestApp;
let admin: Headers;

beforeAll(async () => {
  t = await testApp();
  await createUser(t.db, 'root', 'admin');
  admin = await signIn(t.app, 'root');
});

describe(`password reset (${TEST_DB})`, () => {
  it("revokes the user's API tokens and ends their sessions", async () => {
    const id = await createUser(t.db, 'leaky', 'worker');
    const session = await signIn(t.app, 'leaky');
    const tokens = [];
    for (const name of ['QGIS', 'script']) tokens.push((await t.app.inject({ method: 'POST', url: '/api/tokens', headers: session, payload: { name } })).json().token as string);
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    expect((await t.app.inject({ url: '/api/session', headers: bearer(tokens[0]!) })).json().user.username).toBe('leaky');
    const reset = await t.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin, payload: { password: 'a brand new secret 2026' } });
    expect(reset.statusCode, reset.body).toBe(200);
    for (const token of tokens) {
      const res = await t.app.inject({ url: '/api/session', headers: bearer(token) });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('auth.token-invalid');
    }
    expect((await t.app.inject({ url: '/api/session', headers: session })).json().user).toBeNull();
    const { rows } = await t.db.query<{ detail: { tokensRevoked?: number } }>(`SELECT detail FROM audit_log WHERE action = 'user.update' ORDER BY id DESC LIMIT 1`);
    expect(rows[0]!.detail.tokensRevoked).toBe(2);
  });

  it('leaves tokens alone on an edit that does not set a password', async () => {
    const id = await createUser(t.db, 'steady', 'worker');
    const session = await signIn(t.app, 'steady');
    const token = (await t.app.inject({ method: 'POST', url: '/api/tokens', headers: session, payload: { name: 'QGIS' } })).json().token as string;
    expect((await t.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin, payload: { displayName: '稳定' } })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/session', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
  });
});

describe(`common passwords are refused wherever a password is set (${TEST_DB})`, () => {
  const COMMON = ['11111111', 'iloveyou', 'ILoveYou', 'password1', 'qwertyuiop', '1qaz2wsx', 'demo1234', 'a1b2c3d4'];

  it.each(COMMON)('refuses %s for a new account and for a reset', async (password) => {
    const create = await t.app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { username: `u${COMMON.indexOf(password)}`, displayName: 'U', role: 'worker', password } });
    expect(create.statusCode, create.body).toBe(422);
    expect(create.json()).toMatchObject({ code: 'users.password-too-common', errors: [{ field: 'body.password' }] });
    const id = await createUser(t.db, `r${COMMON.indexOf(password)}`, 'worker');
    const reset = await t.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin, payload: { password } });
    expect(reset.statusCode).toBe(422);
    expect(reset.json().code).toBe('users.password-too-common');
  });

  it('says why in both languages, and accepts an uncommon password', async () => {
    expect(problemText('users.password-too-common', {}, 'zh-CN')).toMatch(/最常见的密码/);
    expect(problemText('users.password-too-common', {}, 'en')).toMatch(/most common passwords/);
    const ok = await t.app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { username: 'fine', displayName: 'F', role: 'worker', password: '渭河边的老槐树 1987' } });
    expect(ok.statusCode, ok.body).toBe(201);
    const short = await t.app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { username: 'shorty', displayName: 'S', role: 'worker', password: 'a1b2c3' } });
    expect(short.json()).toMatchObject({ code: 'users.password-too-short', params: { min: 8 } });
  });
});
