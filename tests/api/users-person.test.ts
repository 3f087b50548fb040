import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

let t: TestApp;
let admin: Headers;
let personId: number;

beforeAll(async () => {
  t = await testApp();
  await createUser(t.db, 'root', 'admin');
  admin = await signIn(t.app, 'root');
  const made = await t.app.inject({ method: 'POST', url: '/api/people', headers: admin, payload: { name: '李四', phone: '13900001111' } });
  personId = made.json().id;
});

const newUser = (username: string, extra: Record<string, unknown>) => ({
  method: 'POST' as const, url: '/api/users', headers: admin,
  payload: { username, displayName: username, role: 'worker', password: 'long enough pw', ...extra },
});

describe(`an account's person link (${TEST_DB})`, () => {
  it('refuses a person that does not exist with 422 naming personId, and creates nothing', async () => {
    const res = await t.app.inject(newUser('ghost', { personId: 999_999 }));
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.json().detail).toMatch(/personId/);
    expect(res.json().errors).toEqual([{ field: 'body.personId', message: 'unknown person' }]);
    const users = (await t.app.inject({ url: '/api/users', headers: admin })).json() as { username: string }[];
    expect(users.map((u) => u.username)).not.toContain('ghost');
  });

  it('refuses the same on an edit, leaving the account unchanged', async () => {
    const id = (await t.app.inject(newUser('wang', {}))).json().id as number;
    const res = await t.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin, payload: { personId: 424_242, displayName: 'Wang' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].field).toBe('body.personId');
    const after = ((await t.app.inject({ url: '/api/users', headers: admin })).json() as { id: number; displayName: string; personId: number | null }[]).find((u) => u.id === id)!;
    expect(after).toMatchObject({ displayName: 'wang', personId: null });
  });

  it('links an existing person, and names the account when that person is already linked to another', async () => {
    const first = await t.app.inject(newUser('li', { personId }));
    expect(first.statusCode).toBe(201);
    expect(first.json().personId).toBe(personId);
    const second = await t.app.inject(newUser('li2', { personId }));
    expect(second.statusCode).toBe(409);
    expect(second.json().detail).toMatch(/personId.*already linked to the account "li"/);
    expect(second.json().errors[0].field).toBe('body.personId');
    // Re-saving an account with its own person is not a conflict.
    const same = await t.app.inject({ method: 'PATCH', url: `/api/users/${first.json().id}`, headers: admin, payload: { personId } });
    expect(same.statusCode).toBe(200);
  });
});
