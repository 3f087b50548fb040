import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
let planner: Headers;
let plannerWest: Headers;

beforeAll(async () => {
  t = await testApp();
  ids = await twoStreets(t.db);
  await createUser(t.db, 'pat', 'planner');
  await createUser(t.db, 'pw', 'planner', [ids.west]);
  planner = await signIn(t.app, 'pat');
  plannerWest = await signIn(t.app, 'pw');
});

const importCsv = (csv: string, headers = planner, query = '') =>
  t.app.inject({ method: 'POST', url: `/api/assignments/import${query}`, headers: { ...headers, 'content-type': 'text/csv' }, payload: csv });
const counts = async () => {
  const { rows } = await t.db.query<{ people: number; assignments: number }>(
    'SELECT (SELECT count(*)::int FROM people) AS people, (SELECT count(*)::int FROM cell_assignments) AS assignments');
  return rows[0]!;
};
const listOf = async (cellId: number) =>
  (await t.app.inject({ url: `/api/cells/${cellId}/assignments`, headers: planner })).json<{ name: string; role: string; phone: string }[]>()
    .map((a) => `${a.name}/${a.role}/${a.phone}`);

describe(`CSV assignment import (${TEST_DB})`, () => {
  it('imports good rows: people matched by phone or created, roles by code or Chinese name', async () => {
    const existing = await t.app.inject({ method: 'POST', url: '/api/people', headers: planner, payload: { name: '张伟', phone: '13800138000' } });
    expect(existing.statusCode).toBe(201);
    const csv = [
      '网格编码,姓名,角色,电话,单位',
      '610302001,张伟,第一责任人,138 0013 8000,',
      '610302001,李娜,supervisor,13900001111,西街道办',
      '610302002,李娜,监督员,+86 139-0000-1111,',
    ].join('\n');
    const res = await importCsv(csv);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ rows: 3, assigned: 3, unchanged: 0, peopleCreated: 1, skipped: 0, errors: [] });
    expect(await listOf(ids.west)).toEqual(['张伟/first_responsible/13800138000', '李娜/supervisor/13900001111']);
    expect(await listOf(ids.east)).toEqual(['李娜/supervisor/13900001111']);
    const lina = (await t.app.inject({ url: '/api/people?q=李娜', headers: planner })).json();
    expect(lina).toHaveLength(1);
    expect(lina[0].organisation).toBe('西街道办');
    // Importing the same file again changes nothing.
    const again = await t.app.inject({ method: 'POST', url: '/api/assignments/import', headers: planner, payload: { csv } });
    expect(again.json()).toMatchObject({ assigned: 0, unchanged: 3, peopleCreated: 0 });
    expect(await listOf(ids.west)).toHaveLength(2);
  });

  it('writes nothing when any row is invalid, and reports every bad row with its line and field', async () => {
    const before = await counts();
    const csv = [
      'cell_code,name,role,phone',
      '610302002,王五,info_officer,13700000001',
      '999999999,赵六,supervisor,13700000002',
      '610302002,孙七,mayor,13700000003',
      '610302002,周八,assistant,',
      '610302002,冒名,assistant,13800138000',
      '610302001,吴九,first_responsible,13700000004',
    ].join('\n');
    const res = await importCsv(csv);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body.detail).toBe('5 of 6 rows are invalid; nothing was imported (fix them, or import with skipInvalid to skip them)');
    expect(body.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([[3, 'cellCode'], [4, 'role'], [5, 'phone'], [6, 'name'], [7, 'role']]);
    expect(body.errors[0].message).toBe('no cell has the code 999999999');
    expect(body.errors[3].message).toMatch(/13800138000 belongs to 张伟 \(person \d+\), not 冒名/);
    // 610302001 already has its first responsible (张伟): a second one breaks the rule.
    expect(body.errors[4].message).toBe('At most 1 第一责任人 (first_responsible) per cell: cell 610302001 would have 2');
    expect(await counts()).toEqual(before);
  });

  it('imports the valid rows and reports the others with skipInvalid', async () => {
    const before = await counts();
    const csv = 'cell_code,name,role,phone\n610302002,王五,info_officer,13700000001\n999999999,赵六,supervisor,13700000002\n';
    const res = await t.app.inject({ method: 'POST', url: '/api/assignments/import', headers: planner, payload: { csv, skipInvalid: true } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ rows: 2, assigned: 1, peopleCreated: 1, skipped: 1, errors: [{ row: 3, field: 'cellCode' }] });
    expect(await counts()).toEqual({ people: before.people + 1, assignments: before.assignments + 1 });
    expect((await listOf(ids.east)).at(-1)).toBe('王五/info_officer/13700000001');
  });

  it('counts rows within the file against the role rules, and keeps scoped planners in their cells', async () => {
    const six = ['cell_code,name,role,phone', ...[1, 2, 3, 4, 5, 6].map((i) => `610302001,督${i},supervisor,1360000000${i}`)].join('\n');
    const res = await importCsv(six);
    expect(res.statusCode).toBe(422);
    // The street has one supervisor already: rows 2-5 bring it to 5, rows 6 and 7 would exceed it.
    expect(res.json().errors.map((e: { row: number }) => e.row)).toEqual([6, 7]);
    const scoped = await importCsv('cell_code,name,role,phone\n610302002,钱二,assistant,13500000001\n', plannerWest);
    expect(scoped.statusCode).toBe(422);
    expect(scoped.json().errors[0].message).toBe('cell 610302002 is outside your scope');
  });

  it('rejects a file without the required columns, or not CSV at all', async () => {
    const noPhone = await importCsv('cell_code,name,role\n610302001,某,assistant\n');
    expect(noPhone.statusCode).toBe(422);
    expect(noPhone.json().detail).toMatch(/lacks the column\(s\) phone/);
    const broken = await importCsv('cell_code,name,role,phone\n"610302001,某,assistant,1\n');
    expect(broken.statusCode).toBe(422);
    expect(broken.json().detail).toMatch(/not valid CSV/);
    expect((await t.app.inject({ method: 'POST', url: '/api/assignments/import', headers: { 'content-type': 'text/csv' }, payload: 'x' })).statusCode).toBe(401);
  });
});
