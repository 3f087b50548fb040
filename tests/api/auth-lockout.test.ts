import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { createUser, PASSWORD } from '../helpers/auth.ts';
import { buildApp } from '../../server/app.ts';

// Sign-in lockout: counted atomically, per (account, address), with a growing lock, and the same
// answers for a username that does not exist as for one that does.

const LIMIT = 3;
const LOCK_MINUTES = 15;
let t: TestApp;
let app: FastifyInstance;
let clock = new Date('2026-03-01T08:00:00Z');

beforeAll(async () => {
  t = await testApp();
  app = await buildApp({
    db: t.db, now: () => clock, clientDir: '/nonexistent',
    config: { ...t.config, security: { ...t.config.security, lockAfterFailures: LIMIT, lockMinutes: LOCK_MINUTES } },
  });
  await app.ready();
  for (const name of ['racer', 'boss', 'known', 'slow']) await createUser(t.db, name, name === 'boss' ? 'admin' : 'worker');
});

const attempt = (username: string, password: string, remoteAddress = '10.1.1.1') =>
  app.inject({ method: 'POST', url: '/api/session', remoteAddress, payload: { username, password } });
const checked = async (username: string) =>
  (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'session.failed' AND detail->>'username' = $1`, [username])).rows[0]!.n;

describe(`sign-in lockout (${TEST_DB})`, () => {
  it('checks no more than the limit of 10 concurrent guesses', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt('racer', `guess-number-${i}`, '10.2.2.2')));
    expect(await checked('racer')).toBe(LIMIT);
    expect(answers.filter((a) => a.statusCode === 401)).toHaveLength(LIMIT);
    expect(answers.filter((a) => a.statusCode === 429)).toHaveLength(10 - LIMIT);
    // Even the right password is refused while locked.
    expect((await attempt('racer', PASSWORD, '10.2.2.2')).statusCode).toBe(429);
  });

  it('locks the account only for the address that guessed: its owner elsewhere still signs in', async () => {
    for (let i = 0; i < LIMIT + 2; i++) await attempt('boss', 'wrong-wrong', '203.0.113.9');
    expect((await attempt('boss', PASSWORD, '203.0.113.9')).statusCode).toBe(429);
    expect((await attempt('boss', PASSWORD, '198.51.100.4')).statusCode).toBe(200);
  });

  it('answers an unknown username exactly as a known one, lock included', async () => {
    const run = async (username: string) => {
      const out: string[] = [];
      for (let i = 0; i < LIMIT + 2; i++) {
        const res = await attempt(username, 'not-the-password', '10.3.3.3');
        const body = res.json();
        out.push(`${res.statusCode} ${body.code} ${body.detail} ${res.headers['retry-after'] ?? '-'}`);
      }
      return out;
    };
    const known = await run('known');
    const unknown = await run('no-such-user');
    expect(unknown).toEqual(known);
    expect(known.at(-1)).toMatch(/^429 auth.locked/);
  });

  it('makes each further lock of the same pair longer', async () => {
    const lockFor = async () => {
      for (let i = 0; i < LIMIT; i++) expect((await attempt('slow', 'wrong-wrong', '10.4.4.4')).statusCode).toBe(401);
      const res = await attempt('slow', 'wrong-wrong', '10.4.4.4');
      expect(res.statusCode).toBe(429);
      return Number(res.headers['retry-after']);
    };
    const first = await lockFor();
    expect(first).toBe(LOCK_MINUTES * 60);
    clock = new Date(clock.getTime() + first * 1000 + 1000);
    const second = await lockFor();
    expect(second).toBe(2 * LOCK_MINUTES * 60);
    // The right password after the lock runs out signs in, and the count starts again.
    clock = new Date(clock.getTime() + second * 1000 + 1000);
    expect((await attempt('slow', PASSWORD, '10.4.4.4')).statusCode).toBe(200);
  });
});
