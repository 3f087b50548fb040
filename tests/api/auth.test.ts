import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, PASSWORD, signIn } from '../helpers/auth.ts';
import { accountsWithDemoPassword, seedDemoAccounts } from '../../server/auth/bootstrap.ts';
import { hashPassword } from '../../server/auth/passwords.ts';

let t: TestApp;
let logs: string[];

beforeAll(async () => {
  logs = [];
  const { buildApp } = await import('../../server/app.ts');
  t = await testApp();
  // A second app on the same database whose log lines we keep, to prove no password is ever logged.
  const stream = { write: (line: string) => void logs.push(line) };
  t.app = await buildApp({ db: t.db, config: { ...t.config, security: { ...t.config.security, lockAfterFailures: 3 } }, logger: { level: 'trace', stream }, clientDir: '/nonexistent' });
  await twoStreets(t.db);
  await createUser(t.db, 'alice', 'planner');
  await createUser(t.db, 'mallory', 'worker');
});

describe(`sessions and tokens (${TEST_DB})`, () => {
  it('signs in with an httpOnly SameSite cookie and tells who is signed in', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'alice', password: PASSWORD } });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'wangge_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(res.json()).toMatchObject({ user: { username: 'alice', role: 'planner' }, csrfToken: expect.any(String) });
    const me = await t.app.inject({ url: '/api/session', headers: { cookie: `wangge_session=${cookie.value}` } });
    expect(me.json()).toMatchObject({ user: { username: 'alice' }, csrfToken: res.json().csrfToken });
    expect((await t.app.inject('/api/session')).json()).toEqual({ user: null });
  });

  it('refuses a wrong password with 401 and does not say which part was wrong', async () => {
    const wrong = await t.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'alice', password: 'nope-nope' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'nobody', password: 'nope-nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().detail).toBe(unknown.json().detail);
  });

  it('rejects a state-changing request of a cookie session without the CSRF token', async () => {
    const h = await signIn(t.app, 'alice');
    const without = await t.app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie: h.cookie }, payload: { name: 'qgis' } });
    expect(without.statusCode).toBe(403);
    expect(without.json().detail).toMatch(/csrf/i);
    const wrong = await t.app.inject({ method: 'POST', url: '/api/tokens', headers: { ...h, 'x-csrf-token': 'forged' }, payload: { name: 'qgis' } });
    expect(wrong.statusCode).toBe(403);
    const right = await t.app.inject({ method: 'POST', url: '/api/tokens', headers: h, payload: { name: 'qgis' } });
    expect(right.statusCode).toBe(201);
  });

  it('creates API tokens that work as Bearer without CSRF, and stop working when revoked', async () => {
    const h = await signIn(t.app, 'alice');
    const created = (await t.app.inject({ method: 'POST', url: '/api/tokens', headers: h, payload: { name: 'script' } })).json();
    expect(created.token).toMatch(/^wg_/);
    const bearer = { authorization: `Bearer ${created.token}` };
    const me = await t.app.inject({ url: '/api/session', headers: bearer });
    expect(me.json().user).toMatchObject({ username: 'alice', via: 'token' });
    const another = await t.app.inject({ method: 'POST', url: '/api/tokens', headers: bearer, payload: { name: 'from script' } });
    expect(another.statusCode).toBe(201);
    const list = (await t.app.inject({ url: '/api/tokens', headers: bearer })).json();
    expect(list.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['script', 'from script']));
    expect(JSON.stringify(list)).not.toContain(created.token);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/tokens/${created.id}`, headers: h })).statusCode).toBe(204);
    const after = await t.app.inject({ url: '/api/session', headers: bearer });
    expect(after.statusCode).toBe(401);
    expect(after.headers['content-type']).toMatch(/problem\+json/);
  });

  it('signs out: the cookie no longer identifies anyone', async () => {
    const h = await signIn(t.app, 'alice');
    expect((await t.app.inject({ method: 'DELETE', url: '/api/session', headers: h })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/session', headers: h })).json()).toEqual({ user: null });
  });

  it('locks an account after repeated failures, even for the right password', async () => {
    for (let i = 0; i < 3; i++) {
      await t.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'mallory', password: 'guess-guess' } });
    }
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'mallory', password: PASSWORD } });
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    const { rows } = await t.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE detail->>'username' = 'mallory' ORDER BY id`);
    expect(rows.map((r) => r.action)).toEqual(['session.failed', 'session.failed', 'session.failed', 'session.locked']);
  });

  it('rate-limits sign-in attempts per client address', async () => {
    const { buildApp } = await import('../../server/app.ts');
    const limit = 5;
    const app = await buildApp({ db: t.db, config: { ...t.config, security: { ...t.config.security, signInPerMinute: limit } }, clientDir: '/nonexistent' });
    const statuses: number[] = [];
    for (let i = 0; i < limit + 2; i++) {
      const res = await app.inject({ method: 'POST', url: '/api/session', remoteAddress: '10.9.9.9', payload: { username: 'ghost', password: 'x-x-x-x-x' } });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, limit).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const other = await app.inject({ method: 'POST', url: '/api/session', remoteAddress: '10.9.9.10', payload: { username: 'ghost', password: 'x-x-x-x-x' } });
    expect(other.statusCode).toBe(401);
  });

  it('never puts a password or a session secret in a response or a log line', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'alice', password: PASSWORD } });
    const users = await t.app.inject({ url: '/api/users', headers: await signIn(t.app, 'alice') });
    for (const body of [res.body, users.body]) {
      expect(body).not.toContain(PASSWORD);
      expect(body).not.toMatch(/scrypt\$/);
    }
    const all = logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(res.cookies[0]!.value);
  });

  it('sets security headers with a Content-Security-Policy', async () => {
    const res = await t.app.inject('/api/health');
    expect(res.headers['content-security-policy']).toContain("worker-src 'self' blob:");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('seeds demo accounts once and detects the demo password', async () => {
    await t.db.query(`DELETE FROM users`);
    expect(await seedDemoAccounts(t.db)).toEqual(['admin', 'planner', 'commander', 'worker']);
    expect(await seedDemoAccounts(t.db)).toEqual([]);
    const { rows } = await t.db.query<{ scope: number[] }>(`SELECT scope FROM users WHERE username = 'worker'`);
    const street = await t.db.query<{ id: number }>(`SELECT id FROM cells WHERE code = '610302001'`);
    expect(rows[0]!.scope).toEqual([street.rows[0]!.id]);
    expect(await accountsWithDemoPassword(t.db)).toEqual(expect.arrayContaining(['admin', 'planner', 'commander', 'worker']));
    await signIn(t.app, 'commander', 'demo1234');
  });

  it('a demo account whose password was changed is no longer one, though the answers are remembered between starts', async () => {
    expect((await accountsWithDemoPassword(t.db)).sort()).toEqual(['admin', 'commander', 'planner', 'worker']);
    await t.db.query(`UPDATE users SET password_hash = $1 WHERE username = 'planner'`, [await hashPassword('a long new secret 7')]);
    expect((await accountsWithDemoPassword(t.db)).sort()).toEqual(['admin', 'commander', 'worker']);
    // Back to the demo password (a new hash with a new salt): a demo account again.
    await t.db.query(`UPDATE users SET password_hash = $1 WHERE username = 'planner'`, [await hashPassword('demo1234')]);
    expect((await accountsWithDemoPassword(t.db)).sort()).toEqual(['admin', 'commander', 'planner', 'worker']);
  });
});
