import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';

// Every class of bad value is a 400 problem with its code before it reaches SQL (server/input-guard.ts),
// on every route, and nothing is stored.

let t: TestApp;
let cell: number;

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const report = (description: unknown, coordinates: unknown = [107.01, 34.01]) =>
  JSON.stringify({ location: { type: 'Point', coordinates }, category: 'fire', severity: 'ordinary', description });

beforeAll(async () => {
  t = await testApp();
  cell = (await twoStreets(t.db)).west;
});
afterAll(async () => t.app.close());

const counts = async () => (await t.db.query<{ r: number; c: number; v: number }>(
  'SELECT (SELECT count(*) FROM reports)::int AS r, (SELECT count(*) FROM cells)::int AS c, (SELECT coalesce(sum(version), 0) FROM cells)::int AS v')).rows[0];

describe(`bad input is refused before SQL (${TEST_DB})`, () => {
  const cases: { name: string; method: 'GET' | 'POST'; url: string | (() => string); body?: string; code: string | RegExp; headers?: Record<string, string> }[] = [
    { name: 'parentId=1e309', method: 'GET', url: '/api/cells?parentId=1e309', code: /^(input\.number|request\.invalid)$/ },
    { name: 'parentId=-0', method: 'GET', url: '/api/cells?parentId=-0', code: /^(input\.number|request\.invalid)$/ },
    { name: 'parentId=2^63', method: 'GET', url: '/api/cells?parentId=9223372036854775808', code: /^(input\.number|request\.invalid)$/ },
    { name: 'level=Infinity', method: 'GET', url: '/api/cells?level=Infinity', code: /^(input\.number|request\.invalid)$/ },
    { name: 'cell id 1e309', method: 'GET', url: '/api/cells/1e309', code: /^(input\.number|request\.invalid)$/ },
    { name: 'tile z 1e309', method: 'GET', url: '/tiles/cells/1e309/0/0.mvt', code: /^(input\.number|request\.invalid)$/ },
    { name: 'NUL in query', method: 'GET', url: '/api/cells?bbox=%00', code: 'input.text' },
    { name: 'NUL in OGC collection id', method: 'GET', url: '/ogc/collections/a%00b/items', code: 'input.text' },
    { name: 'NUL in tracking code', method: 'GET', url: '/api/reports/track/AB%00CD', code: 'input.text' },
    { name: 'NUL in report text', method: 'POST', url: '/api/reports', body: report('火\u0000灾'), code: 'input.text' },
    { name: 'lone surrogate in report text', method: 'POST', url: '/api/reports', body: report('a\ud800b'), code: 'input.text' },
    { name: 'lone surrogate as JSON escape', method: 'POST', url: '/api/reports', body: report('x').replace('"x"', '"a\\udc00"'), code: 'input.text' },
    { name: 'NUL in a key', method: 'POST', url: '/api/reports', body: report('x').replace('"category"', '"a\\u0000","category"').replace('"a\\u0000",', '"a\\u0000":1,'), code: 'input.text' },
    { name: '1e309 coordinate', method: 'POST', url: '/api/reports', body: report('x', [107.01, 34.01]).replace('34.01', '1e309'), code: 'input.number' },
    { name: '-0 coordinate', method: 'POST', url: '/api/reports', body: report('x', [107.01, 34.01]).replace('107.01', '-0'), code: 'input.number' },
    { name: '2^63 coordinate', method: 'POST', url: '/api/reports', body: report('x', [107.01, 34.01]).replace('107.01', '9223372036854775808'), code: 'input.number' },
    { name: '50,000-deep JSON', method: 'POST', url: '/api/reports', body: deep(50_000), code: 'input.too-deep' },
    { name: 'NUL in Idempotency-Key', method: 'POST', url: '/api/reports', body: report('x'), headers: { 'idempotency-key': 'a\u0000b' }, code: /./ },
  ];

  it('answers each class with a 400 problem naming it, and stores nothing', async () => {
    const before = await counts();
    const got: { name: string; status: number; code: string }[] = [];
    for (const c of cases) {
      let res;
      try {
        res = await t.app.inject({ method: c.method, url: typeof c.url === 'string' ? c.url.replace(':cell', String(cell)) : c.url(), payload: c.body, headers: { 'content-type': 'application/json', ...c.headers } });
      } catch {
        got.push({ name: c.name, status: 400, code: 'refused by HTTP parser' });
        continue;
      }
      const body = res.json() as { code: string };
      got.push({ name: c.name, status: res.statusCode, code: body.code });
      expect(res.headers['content-type'], c.name).toContain('application/problem+json');
    }
    expect(got.filter((g, i) => g.status !== 400 || !(typeof cases[i]!.code === 'string' ? g.code === cases[i]!.code : (cases[i]!.code as RegExp).test(g.code)))).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('still takes good input: a report with ordinary text and negative or zero numbers', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/reports', headers: { 'content-type': 'application/json' }, payload: report('正常举报 🙂 with emoji (a surrogate pair)') });
    expect(res.statusCode, res.body).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: `/api/cells?parentId=${cell}` })).statusCode).toBe(200);
  });
});
