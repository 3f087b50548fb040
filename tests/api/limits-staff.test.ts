import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { buildApp } from '../../server/app.ts';

// Staff intake has its own limit (per account), and a unit's free attributes have a depth and size.

let t: TestApp;
let planner: Headers;

beforeAll(async () => {
  t = await testApp();
  await twoStreets(t.db);
  await createUser(t.db, 'pat', 'planner');
  await createUser(t.db, 'wes', 'worker');
  planner = await signIn(t.app, 'pat');
});

const point = { type: 'Point', coordinates: [107.02, 34.02] };

describe(`limits (${TEST_DB})`, () => {
  it("does not let the public's per-address intake limit stop staff at the same address", async () => {
    const limit = 3;
    const app = await buildApp({ db: t.db, config: { ...t.config, security: { ...t.config.security, reportsPerMinute: limit } }, clientDir: '/nonexistent' });
    const worker = await signIn(app, 'wes');
    const report = { location: point, category: 'fire', severity: 'ordinary', description: '楼道堆物' };
    const send = (headers: Headers = {}) => app.inject({ method: 'POST', url: '/api/reports', remoteAddress: '10.7.7.7', headers, payload: report });
    for (let i = 0; i < limit; i++) expect((await send()).statusCode).toBe(201);
    expect((await send()).statusCode).toBe(429);
    expect((await send(worker)).statusCode).toBe(201);
    await app.close();
  });

  it('refuses unit attributes nested too deep or too large, on filing, editing and import', async () => {
    let deep: Record<string, unknown> = { x: 1 };
    for (let i = 0; i < 50; i++) deep = { a: deep };
    const unit = (attributes: unknown) => ({ type: 'Feature', geometry: point, properties: { type: 'company', name: '厂', attributes } });
    const tooDeep = await t.app.inject({ method: 'POST', url: '/api/units', headers: planner, payload: unit(deep) });
    expect(tooDeep.statusCode).toBe(422);
    expect(tooDeep.json().code).toBe('units.attributes-too-large');
    const tooBig = await t.app.inject({ method: 'POST', url: '/api/units', headers: planner, payload: unit({ note: 'x'.repeat(20_000) }) });
    expect(tooBig.json().code).toBe('units.attributes-too-large');
    const tooMany = await t.app.inject({ method: 'POST', url: '/api/units', headers: planner, payload: unit(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i]))) });
    expect(tooMany.json().code).toBe('units.attributes-too-large');
    const fine = await t.app.inject({ method: 'POST', url: '/api/units', headers: planner, payload: unit({ 级别: '一级', 检查: { 日期: '2026-03-01', 结果: ['合格'] } }) });
    expect(fine.statusCode, fine.body).toBe(201);
    const edit = await t.app.inject({ method: 'PATCH', url: `/api/units/${fine.json().id}`, headers: { ...planner, 'if-match': '"1"' }, payload: { properties: { attributes: deep } } });
    expect(edit.json().code).toBe('units.attributes-too-large');
    const imported = await t.app.inject({ method: 'POST', url: '/api/units/import', headers: planner, payload: { type: 'FeatureCollection', features: [unit(deep)] } });
    expect(imported.statusCode).toBe(422);
    expect(imported.json().errors.some((e: { message: string }) => /too deep or too large/.test(e.message))).toBe(true);
  });
});
