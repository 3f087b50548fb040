import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

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
