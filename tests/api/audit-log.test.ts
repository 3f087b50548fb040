import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { insertCell, square, twoStreets } from '../helpers/cells.ts';
import { createUser, PASSWORD, signIn, type Headers } from '../helpers/auth.ts';
import { buildApp } from '../../server/app.ts';

// The audit log as an admin reads it: who by name and role, what with the object's current name
// (or that it is gone), when, from where; filtered, searched, paged and exported as CSV.

interface Entry {
  id: number; at: string; action: string; params: Record<string, unknown>; address: string | null;
  actor: { id: number | null; login: string | null; name: string | null; role: string | null } | null;
  object: { type: string; id: string; name: string | null; formerName: string | null; deleted: boolean; cellId: number | null } | null;
}

let t: TestApp;
const h = {} as Record<'admin' | 'planner' | 'commander', Headers>;
let plannerId: number;
let cellId: number;
let report: { id: number; trackingCode: string };
let goneUnit: number;
let evilUnit: number;

const EVIL = '=HYPERLINK("http://evil.example/","点我")';

async function log(query = ''): Promise<{ items: Entry[]; next: number | null }> {
  const res = await t.app.inject({ url: `/api/audit${query}`, headers: h.admin });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

beforeAll(async () => {
  t = await testApp();
  const ids = await twoStreets(t.db);
  cellId = await insertCell(t.db, { code: '610302001001', name: '和平社区', level: 3, parentId: ids.west, rings: square(107.01, 34.01, 0.02) });
  await createUser(t.db, 'root', 'admin');
  plannerId = await createUser(t.db, 'planner1', 'planner');
  await createUser(t.db, 'cmd', 'commander');
  await t.db.query("UPDATE users SET display_name = CASE username WHEN 'planner1' THEN '李规划' WHEN 'cmd' THEN '王指挥' ELSE '张管理' END");
  h.admin = await signIn(t.app, 'root');
  h.planner = await signIn(t.app, 'planner1');
  h.commander = await signIn(t.app, 'cmd');

  // The planner renames the cell from a given address: the entry keeps where it came from.
  const rename = await t.app.inject({
    // A forwarded address is not believed unless the proxy is trusted (WANGGE_TRUST_PROXY).
    method: 'PATCH', url: `/api/cells/${cellId}`, headers: { ...h.planner, 'if-match': '"1"', 'x-forwarded-for': '203.0.113.9' }, remoteAddress: '10.1.2.3',
    payload: { properties: { name: '和平社区第一网格' } },
  });
  expect(rename.statusCode, rename.body).toBe(200);

  // A resident reports (no one signed in); the commander verifies.
  const filed = await t.app.inject({
    method: 'POST', url: '/api/reports',
    payload: { location: { type: 'Point', coordinates: [107.02, 34.02] }, category: 'fire', severity: 'ordinary', description: '楼道堆放杂物' },
  });
  expect(filed.statusCode, filed.body).toBe(201);
  report = filed.json();
  const verify = await t.app.inject({ method: 'POST', url: `/api/reports/${report.id}/actions`, headers: h.commander, payload: { action: 'verify' } });
  expect(verify.statusCode, verify.body).toBe(200);

  // The admin creates a unit and deletes it; another unit's name is a spreadsheet formula.
  const unit = async (name: string) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/units', headers: h.admin, payload: { type: 'Feature', geometry: { type: 'Point', coordinates: [107.02, 34.02] }, properties: { type: 'company', name } } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as number;
  };
  goneUnit = await unit('幸福面馆');
  evilUnit = await unit(EVIL);
  expect((await t.app.inject({ method: 'DELETE', url: `/api/units/${goneUnit}`, headers: h.admin })).statusCode).toBe(204);
});

describe(`the audit log (${TEST_DB})`, () => {
  it('names who did it, with role, and the object by its current name, with where it came from', async () => {
    const { items } = await log();
    const edit = items.find((e) => e.action === 'cell.update')!;
    expect(edit.actor).toEqual({ id: plannerId, login: 'planner1', name: '李规划', role: 'planner' });
    expect(edit.object).toMatchObject({ type: 'cell', id: String(cellId), name: '和平社区第一网格', deleted: false, cellId });
    expect(edit.params).toEqual({ changed: ['name'] });
    expect(edit.address).toBe('10.1.2.3');

    const verified = items.find((e) => e.action === 'report.verify')!;
    expect(verified.actor?.name).toBe('王指挥');
    expect(verified.object).toMatchObject({ type: 'report', name: report.trackingCode, deleted: false });
    // A resident's report has no actor.
    expect(items.find((e) => e.action === 'report.create')!.actor).toBeNull();
  });

  it('says an object is gone, with the name it had', async () => {
    const { items } = await log(`?objectType=unit`);
    const deleted = items.filter((e) => e.object?.id === String(goneUnit));
    expect(deleted.map((e) => e.action).sort()).toEqual(['unit.create', 'unit.delete']);
    for (const e of deleted) expect(e.object).toMatchObject({ name: null, deleted: true, formerName: '幸福面馆' });
    expect(items.find((e) => e.object?.id === String(evilUnit))!.object).toMatchObject({ name: EVIL, deleted: false });
  });

  it('filters by actor, action kind, object type and searches names', async () => {
    const byPlanner = (await log(`?actor=${plannerId}`)).items;
    expect(byPlanner.length).toBeGreaterThan(0);
    expect(byPlanner.every((e) => e.actor?.id === plannerId)).toBe(true);

    const reports = (await log('?action=report')).items.map((e) => e.action);
    expect(reports.sort()).toEqual(['report.create', 'report.verify']);
    expect((await log('?action=report.verify')).items).toHaveLength(1);
    expect((await log('?objectType=cell')).items.every((e) => e.object?.type === 'cell')).toBe(true);

    // Search: the object's current name, a deleted object's former name, the actor's name; wildcards are literal.
    expect((await log(`?q=${encodeURIComponent('第一网格')}`)).items.map((e) => e.action)).toEqual(['cell.update']);
    expect((await log(`?q=${encodeURIComponent('面馆')}`)).items.map((e) => e.action).sort()).toEqual(['unit.create', 'unit.delete']);
    expect((await log(`?q=${encodeURIComponent('王指挥')}`)).items.every((e) => e.actor?.name === '王指挥')).toBe(true);
    expect((await log(`?q=${encodeURIComponent(report.trackingCode)}`)).items.map((e) => e.action).sort()).toEqual(['report.create', 'report.verify']);
    expect((await log('?q=%25')).items).toEqual([]);
  });

  it('takes days in the deployment time zone (Asia/Shanghai), not UTC', async () => {
    const { items } = await log('?action=cell.update');
    // 16:30 UTC on 1 January is 00:30 on 2 January in Shanghai.
    await t.db.query("UPDATE audit_log SET at = '2026-01-01T16:30:00Z' WHERE id = $1", [items[0]!.id]);
    expect((await log('?action=cell.update&from=2026-01-02&to=2026-01-02')).items).toHaveLength(1);
    expect((await log('?action=cell.update&from=2026-01-01&to=2026-01-01')).items).toHaveLength(0);
    expect((await log('?action=cell.update&from=2026-01-03')).items).toHaveLength(0);
    const reversed = await t.app.inject({ url: '/api/audit?from=2026-01-03&to=2026-01-02', headers: h.admin });
    expect(reversed.statusCode).toBe(422);
    expect(reversed.json().code).toBe('audit.range-reversed');
  });

  it('pages newest first without repeating or skipping an entry', async () => {
    const all = (await log('?limit=500')).items.map((e) => e.id);
    const seen: number[] = [];
    let next: number | null = null;
    do {
      const page: { items: Entry[]; next: number | null } = await log(`?limit=3${next ? `&before=${next}` : ''}`);
      seen.push(...page.items.map((e) => e.id));
      next = page.next;
    } while (next !== null);
    expect(seen).toEqual(all);
    expect([...all].sort((a, b) => b - a)).toEqual(all);
  });

  it('exports the same filter as CSV: Chinese headers and sentences, local times, formulas neutralised', async () => {
    const res = await t.app.inject({ url: '/api/audit.csv?lang=zh-CN&objectType=cell', headers: h.admin });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-log-\d{8}-\d{4}\.csv"$/);
    const rows = parse(res.body.replace(/^\uFEFF/, '')) as string[][];
    expect(rows[0]).toEqual(['时间（Asia/Shanghai）', '账号', '操作人', '角色', '操作', '操作代码', '对象类型', '对象编号', '对象名称', '来源地址', '参数']);
    const edit = rows.find((r) => r[5] === 'cell.update')!;
    expect(edit.slice(1, 5)).toEqual(['planner1', '李规划', '规划员', '李规划 修改了网格 和平社区第一网格的名称']);
    expect(edit.slice(6, 10)).toEqual(['网格', String(cellId), '和平社区第一网格', '10.1.2.3']);
    expect(edit[0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const { items } = await log('?action=cell.update');
    const shanghai = new Date(new Date(items[0]!.at).getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    expect(edit[0]).toBe(shanghai);
    expect(rows.slice(1).every((r) => r[6] === '网格')).toBe(true);

    const units = parse((await t.app.inject({ url: '/api/audit.csv?lang=en&objectType=unit', headers: h.admin })).body.replace(/^\uFEFF/, '')) as string[][];
    expect(units[0]![4]).toBe('what');
    expect(units.flat()).toContain(`'${EVIL}`);
    expect(units.flat().filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
    expect(units.find((r) => r[5] === 'unit.delete')![8]).toBe('幸福面馆 (deleted)');
  });

  it('records the forwarded client address behind a trusted proxy', async () => {
    const before = process.env.WANGGE_TRUST_PROXY;
    process.env.WANGGE_TRUST_PROXY = 'true';
    const proxied = await buildApp({ db: t.db, config: t.config, clientDir: '/nonexistent' });
    if (before === undefined) delete process.env.WANGGE_TRUST_PROXY;
    else process.env.WANGGE_TRUST_PROXY = before;
    try {
      const res = await proxied.inject({
        method: 'POST', url: '/api/session', payload: { username: 'cmd', password: PASSWORD }, remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '198.51.100.7' },
      });
      expect(res.statusCode, res.body).toBe(200);
    } finally {
      await proxied.close();
    }
    const signin = (await log('?action=session.signin')).items[0]!;
    expect(signin.actor?.login).toBe('cmd');
    expect(signin.address).toBe('198.51.100.7');
  });

  it('is for admins only, as before', async () => {
    for (const url of ['/api/audit', '/api/audit.csv']) {
      expect((await t.app.inject({ url, headers: h.planner })).statusCode).toBe(403);
      expect((await t.app.inject({ url, headers: h.commander })).statusCode).toBe(403);
      expect((await t.app.inject({ url })).statusCode).toBe(401);
    }
  });
});
