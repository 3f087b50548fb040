import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { badInputs, type BadInput } from '../reliability/bad-input.ts';

// The bad input corpus (tests/reliability/bad-input.ts): every case gets a 4xx problem+json, the
// database is exactly as before, and the server goes on answering. Zip bombs (declared, lying
// headers, thousands of entries, overlapping entries, zips in zips) are refused with the limit
// named. WANGGE_RELIABILITY_HEAVY=1 makes the bombs inflate to 4 GiB instead of 1 GiB.

let t: TestApp;
let planner: Headers;
let cases: BadInput[];

const TABLES = ['cells', 'cell_versions', 'reports', 'report_events', 'report_intake_keys', 'report_photos', 'cell_imports', 'people', 'units'];

/** Row counts of the tables a request could write, and the sum of cell versions. */
async function snapshot() {
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
  counts.cellVersions = (await t.db.query<{ n: number }>('SELECT coalesce(sum(version), 0)::int AS n FROM cells')).rows[0]!.n;
  return counts;
}

beforeAll(async () => {
  t = await testApp();
  const ids = await twoStreets(t.db);
  await createUser(t.db, 'corpusPlanner', 'planner');
  planner = await signIn(t.app, 'corpusPlanner');
  cases = badInputs({ heavy: process.env.WANGGE_RELIABILITY_HEAVY === '1', cellId: ids.west });
});

afterAll(async () => {
  await t.app.close();
});

async function send(list: BadInput[]) {
  const answers: { name: string; status: number; type: string | undefined; detail: unknown }[] = [];
  for (const c of list) {
    const res = await t.app.inject({
      method: c.method, url: c.url, payload: c.body,
      headers: { 'content-type': c.contentType, ...(c.staff ? planner : {}), ...c.headers },
    });
    const type = res.headers['content-type'] as string | undefined;
    answers.push({ name: c.name, status: res.statusCode, type, detail: type?.includes('json') ? res.json().detail : res.body.slice(0, 100) });
  }
  if (process.env.WANGGE_RELIABILITY_VERBOSE) console.table(answers);
  return answers;
}

describe(`the bad input corpus (${TEST_DB})`, () => {
  it('answers every malformed request with a 4xx problem+json and changes nothing', async () => {
    const before = await snapshot();
    const answers = await send(cases);
    const wrong = answers.filter((a) => a.status < 400 || a.status >= 500 || !a.type?.startsWith('application/problem+json'));
    expect(wrong).toEqual([]);
    for (const a of answers) expect(typeof a.detail, a.name).toBe('string');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses every zip bomb with the limit it passed, storing nothing', async () => {
    const bombs = cases.filter((c) => c.expect);
    expect(bombs.length).toBeGreaterThanOrEqual(8);
    const before = await snapshot();
    const answers = await send(bombs);
    expect(answers.map((a) => ({ name: a.name, status: a.status, type: a.type?.split(';')[0] })))
      .toEqual(bombs.map((c) => ({ name: c.name, status: c.expect!.status, type: 'application/problem+json' })));
    for (const [i, a] of answers.entries()) expect(a.detail, a.name).toMatch(bombs[i]!.expect!.detail);
    expect(await snapshot()).toEqual(before);
  });

  it('still works afterwards: health is ok and a good report is filed', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(health.statusCode).toBe(200);
    const res = await t.app.inject({
      method: 'POST', url: '/api/reports',
      payload: { location: { type: 'Point', coordinates: [107.01, 34.01] }, category: 'fire', severity: 'ordinary', description: '语料之后的正常举报' },
    });
    expect(res.statusCode, res.body).toBe(201);
  });
});
