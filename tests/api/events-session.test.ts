import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

// A live event stream carries full reports only while the session or token it was opened with is
// valid: signing out, revoking the token or deactivating the account ends it.

let t: TestApp;
let address: string;
let admin: Headers;

beforeAll(async () => {
  t = await testApp();
  await twoStreets(t.db);
  await createUser(t.db, 'boss', 'admin');
  await createUser(t.db, 'cmd', 'commander');
  await createUser(t.db, 'leaver', 'commander');
  admin = await signIn(t.app, 'boss');
  address = await t.app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await t.app.close();
});

async function open(headers: Record<string, string>) {
  const res = await fetch(`${address}/api/events`, { headers });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let ended = false;
  const until = async (pred: (s: string) => boolean) => {
    while (!pred(buffer) && !ended) {
      const { value, done } = await reader.read();
      if (done) ended = true;
      else buffer += decoder.decode(value, { stream: true });
    }
    return { text: buffer, ended };
  };
  await until((s) => s.includes(': connected'));
  return { until, close: () => reader.cancel() };
}

const fileReport = async (description: string) => {
  const res = await t.app.inject({
    method: 'POST', url: '/api/reports',
    payload: { location: { type: 'Point', coordinates: [107.02, 34.05] }, category: 'fire', severity: 'ordinary', description },
  });
  expect(res.statusCode, res.body).toBe(201);
};

describe(`live events end with the session (${TEST_DB})`, () => {
  it('ends a stream when its session is signed out, before any further full report', async () => {
    const session = await signIn(t.app, 'cmd');
    const stream = await open({ cookie: session.cookie! });
    await fileReport('第一条：楼道堆物');
    expect((await stream.until((s) => s.includes('第一条'))).text).toContain('"description":"第一条');
    expect((await t.app.inject({ method: 'DELETE', url: '/api/session', headers: session })).statusCode).toBe(204);
    await fileReport('第二条：私拉电线');
    const { text, ended } = await stream.until(() => false);
    expect(ended).toBe(true);
    expect(text).toContain('event: signed-out');
    expect(text).not.toContain('第二条');
  });

  it('ends a stream opened with an API token when the account is deactivated', async () => {
    const session = await signIn(t.app, 'leaver');
    const token = (await t.app.inject({ method: 'POST', url: '/api/tokens', headers: session, payload: { name: 'wall screen' } })).json().token as string;
    const stream = await open({ authorization: `Bearer ${token}` });
    const { rows } = await t.db.query<{ id: number }>("SELECT id FROM users WHERE username = 'leaver'");
    const off = await t.app.inject({ method: 'PATCH', url: `/api/users/${rows[0]!.id}`, headers: admin, payload: { active: false } });
    expect(off.statusCode, off.body).toBe(200);
    await fileReport('第三条：油烟扰民');
    const { text, ended } = await stream.until(() => false);
    expect(ended).toBe(true);
    expect(text).not.toContain('第三条');
  });
});

describe(`a reconnecting stream catches up (${TEST_DB})`, () => {
  it('names each event; with Last-Event-ID (or ?lastEventId=) it is sent every report changed since', async () => {
    const session = await signIn(t.app, 'cmd');
    const first = await open({ cookie: session.cookie! });
    await fileReport('断线前：消防栓损坏');
    const { text } = await first.until((s) => s.includes('断线前'));
    const lastId = /event: report\nid: (\d+)\ndata: [^\n]*断线前/.exec(text)?.[1];
    expect(lastId).toMatch(/^\d+$/);
    await first.close();
    // Filed while the browser was away.
    await fileReport('断线中一：电动车楼道充电');
    await fileReport('断线中二：油烟管道积油');
    const ways: [string, Record<string, string>][] = [['', { cookie: session.cookie!, 'last-event-id': lastId! }], [`?lastEventId=${lastId}`, { cookie: session.cookie! }]];
    for (const [url, headers] of ways) {
      const res = await fetch(`${address}/api/events${url}`, { headers });
      const reader = res.body!.getReader();
      let seen = '';
      while (!(seen.includes('断线中一') && seen.includes('断线中二'))) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += new TextDecoder().decode(value);
      }
      await reader.cancel();
      expect(seen).toContain('断线中一');
      expect(seen).toContain('断线中二');
      expect(seen).not.toContain('断线前');
      // Full reports (the commander's scope), each with its id.
      expect(seen).toMatch(/event: report\nid: \d+\ndata: \{"type":"created","report":\{[^\n]*"allowedActions"/);
    }
  });
});
