import { beforeAll, describe, expect, it } from 'vitest';
import type { CoverageReport } from '../../core/coverage/engine.ts';
import { analyseInput, type CoverageInput } from '../../client/coverage/instant.ts';
import { compareReports } from '../../client/coverage/model.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { CASES, rect } from '../fixtures/coverage/cases.ts';
import { loadCase } from '../fixtures/coverage/load.ts';

let t: TestApp;
let planner: Headers;
let commander: Headers;

beforeAll(async () => {
  t = await testApp();
  await createUser(t.db, 'pat', 'planner');
  await createUser(t.db, 'viv', 'commander');
  planner = await signIn(t.app, 'pat');
  commander = await signIn(t.app, 'viv');
});

const caseNamed = (name: string) => CASES.find((c) => c.name === name)!;
const coverage = async (parentId: number, extra = ''): Promise<CoverageReport> => {
  const res = await t.app.inject({ method: 'GET', url: `/api/coverage?parentId=${parentId}${extra}`, headers: planner });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const fix = (payload: object, headers = planner) => t.app.inject({ method: 'POST', url: '/api/coverage/fix', headers, payload });
const versions = async (id: number) => (await t.db.query<{ version: number; changed_by: string | null; changed: string[] }>(
  'SELECT version, changed_by, changed FROM cell_versions WHERE cell_id = $1 ORDER BY version', [id])).rows;
const areaOf = async (id: number) => (await t.db.query<{ a: number }>('SELECT ST_Area(geom::geography) AS a FROM cells WHERE id = $1', [id])).rows[0]!.a;
const snapshot = async () => (await t.db.query('SELECT id, version, ST_AsText(geom) AS g FROM cells ORDER BY id')).rows;

describe(`reading coverage (${TEST_DB})`, () => {
  it('answers for one parent, and says when it is not subdivided', async () => {
    const { parentId } = await loadCase(t.db, caseNamed('not subdivided'));
    expect(await coverage(parentId)).toMatchObject({ parentId, notSubdivided: true, coveredRatio: null, gaps: [], tolerance: { minAreaM2: 1, sliverWidthM: null } });
  });

  it('refuses unclear or unknown requests with a problem naming the field', async () => {
    const get = (q: string, headers: Headers | undefined = planner) => t.app.inject({ method: 'GET', url: `/api/coverage${q}`, headers });
    const both = await get('?parentId=1&level=1');
    expect(both.statusCode).toBe(400);
    expect(both.headers['content-type']).toMatch(/problem\+json/);
    expect(both.json().detail).toMatch(/either parentId .* or level/);
    expect((await get('')).statusCode).toBe(400);
    expect((await get('?parentId=999999')).statusCode).toBe(404);
    const neg = await get('?level=1&minAreaM2=-1');
    expect(neg.statusCode).toBe(400);
    expect(neg.json().errors[0].field).toBe('querystring.minAreaM2');
    expect((await get('?level=1', {})).statusCode).toBe(401);
  });

  it('gives the browser the cells an analysis reads, unrounded, for one parent or a whole level', async () => {
    // A border 5e-9° (0.5 mm) off the other cell's: /api/cells (7 decimals) would round it away.
    const fine = 5e-9;
    const { parentId, ids } = await loadCase(t.db, { parent: rect(0, 0, 10, 10), children: [
      { key: 'A', geometry: { type: 'Polygon', coordinates: [[[107, 34], [107.005 + fine, 34], [107.005 + fine, 34.01], [107, 34.01], [107, 34]]] } },
      { key: 'B', geometry: rect(5, 0, 10, 10) },
    ] });
    const get = (q: string, headers: Headers | undefined = planner) => t.app.inject({ method: 'GET', url: `/api/coverage/cells${q}`, headers });
    const one = await get(`?parentId=${parentId}`);
    expect(one.statusCode, one.body).toBe(200);
    const body = one.json() as { parents: { id: number; geometry: { coordinates: number[][][][] } }[]; children: { id: number; parentId: number; geometry: { coordinates: number[][][][] } }[] };
    expect(body.parents.map((p) => p.id)).toEqual([parentId]);
    expect(body.children.map((c) => [c.id, c.parentId])).toEqual([[ids.get('A'), parentId], [ids.get('B'), parentId]]);
    expect(body.children[0]!.geometry.coordinates[0]![0]![1]![0]).toBeCloseTo(107.005 + fine, 12);
    // The browser's engine on this answer finds what the server finds: the 0.5 mm overlap sliver.
    const server = await coverage(parentId);
    expect(server.slivers.map((x) => x.kind)).toEqual(['overlap']);
    const [instant] = analyseInput(body as unknown as CoverageInput, { minAreaM2: 1, sliverWidthM: null });
    expect(compareReports([instant!], [server])).toEqual([]);

    const level = await get('?level=1');
    expect(level.statusCode).toBe(200);
    const all = level.json() as { parents: { id: number }[]; children: { parentId: number }[] };
    const { rows } = await t.db.query<{ n: number; kids: number }>('SELECT (SELECT count(*)::int FROM cells WHERE level = 1) AS n, (SELECT count(*)::int FROM cells c JOIN cells p ON p.id = c.parent_id WHERE p.level = 1) AS kids');
    expect(all.parents).toHaveLength(rows[0]!.n);
    expect(all.children).toHaveLength(rows[0]!.kids);
    expect((await get('?parentId=1&level=1')).statusCode).toBe(400);
    expect((await get('?parentId=999999')).statusCode).toBe(404);
    expect((await get(`?parentId=${parentId}`, {})).statusCode).toBe(401);
  });
});

describe(`fixing coverage (${TEST_DB})`, () => {
  it('clips an overlap from the cell not kept, recorded in its history and the audit log', async () => {
    const { parentId, ids } = await loadCase(t.db, caseNamed('overlap of two halves'));
    const a = ids.get('A')!, b = ids.get('B')!;
    const before = await coverage(parentId);
    expect(before.overlaps).toHaveLength(1);
    const areaA = await areaOf(a);
    const res = await fix({ kind: 'overlap', a, b, keep: 'a' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'overlap', changed: [b], report: { overlaps: [], gaps: [], strays: [], slivers: [] } });
    expect((await coverage(parentId)).overlaps).toEqual([]);
    expect(await areaOf(a)).toBeCloseTo(areaA, 3);
    expect(await versions(b)).toMatchObject([{ version: 1 }, { version: 2, changed_by: 'pat', changed: ['geometry'] }]);
    const { rows } = await t.db.query<{ action: string; username: string }>("SELECT action, username FROM audit_log WHERE action LIKE 'coverage.fix%'");
    expect(rows).toContainEqual({ action: 'coverage.fix.overlap', username: 'pat' });
  });

  it('fills a gap into the neighbour sharing the longest border, or into a new cell', async () => {
    const moved = await loadCase(t.db, { parent: rect(0, 0, 10, 10), children: [
      { key: 'A', geometry: rect(0, 0, 4, 10) }, { key: 'B', geometry: rect(6, 0, 10, 6) }, { key: 'C', geometry: rect(6, 6, 10, 10) },
    ] });
    const before = await coverage(moved.parentId);
    expect(before.gaps).toHaveLength(1);
    expect(before.gaps[0]!.neighbours[0]).toBe(moved.ids.get('A'));
    const res = await fix({ kind: 'gap', parentId: moved.parentId, index: 0 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ changed: [moved.ids.get('A')], created: null, report: { gaps: [], overlaps: [], slivers: [], coveredRatio: 1 } });

    const other = await loadCase(t.db, caseNamed('gap between two halves'));
    const gap = (await coverage(other.parentId)).gaps[0]!;
    const created = await fix({ kind: 'gap', parentId: other.parentId, gapGeometry: gap.geometry, into: 'new', name: '补充网格' });
    expect(created.statusCode, created.body).toBe(200);
    const newId = created.json().created as number;
    expect(created.json().report).toMatchObject({ gaps: [], overlaps: [], slivers: [], childCount: 3 });
    const cell = await t.app.inject({ method: 'GET', url: `/api/cells/${newId}` });
    expect(cell.json().properties).toMatchObject({ name: '补充网格', level: 2, parentId: other.parentId });
    expect(cell.json().properties.areaM2).toBeCloseTo(gap.areaM2, 0);
  });

  it('refuses to fill a gap into a cell that does not border it, and changes nothing', async () => {
    const { parentId, ids } = await loadCase(t.db, { parent: rect(0, 0, 10, 10), children: [
      { key: 'A', geometry: rect(0, 0, 4, 10) }, { key: 'B', geometry: rect(6, 0, 10, 10) }, { key: 'C', geometry: rect(4, 8, 6, 10) },
    ] });
    const far = await loadCase(t.db, caseNamed('clean 2×2 tiling'));
    const before = await snapshot();
    const res = await fix({ kind: 'gap', parentId, index: 0, into: far.ids.get('A') });
    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toMatch(/does not border this gap; its neighbours are/);
    expect((await fix({ kind: 'gap', parentId, index: 5 })).json().detail).toMatch(/has 1 gap\(s\): there is no gap number 5/);
    expect(await snapshot()).toEqual(before);
    expect(ids.size).toBe(3);
  });

  it('cuts a stray part off at the parent boundary', async () => {
    const { parentId, ids } = await loadCase(t.db, caseNamed('stray beyond the parent'));
    const res = await fix({ kind: 'stray', cellId: ids.get('B')! });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().report).toMatchObject({ strays: [], gaps: [], overlaps: [], slivers: [] });
    expect((await coverage(parentId)).strays).toEqual([]);
    const again = await fix({ kind: 'stray', cellId: ids.get('B')! });
    expect(again.statusCode).toBe(422);
    expect(again.json().detail).toMatch(/lies inside its parent: nothing to cut off/);
  });

  it('cleans every sliver of a parent in one go, leaving the faults alone', async () => {
    const c = caseNamed('slivers of digitising noise');
    const { parentId } = await loadCase(t.db, { parent: c.parent, children: [...c.children, { key: 'E', geometry: rect(10, 0, 11, 10) }] });
    const before = await coverage(parentId);
    expect(before.slivers.map((s) => s.kind).sort()).toEqual(['gap', 'overlap', 'stray']);
    expect(before.strays).toHaveLength(1);
    const res = await fix({ kind: 'slivers', parentId });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().changed).toHaveLength(3);
    const after = await coverage(parentId);
    expect(after.slivers).toEqual([]);
    expect(after.overlaps).toEqual([]);
    expect(after.gaps).toEqual([]);
    expect(after.strays.map((s) => s.cellId)).toEqual(before.strays.map((s) => s.cellId));
    expect(after.coveredRatio).toBeCloseTo(1, 9);
  });

  it('repairs an invalid (bow-tie) cell on the way instead of crashing', async () => {
    const c = caseNamed('an invalid (bow-tie) child');
    const { parentId, ids } = await loadCase(t.db, c);
    const before = await coverage(parentId);
    expect(before.invalid).toMatchObject([{ cellId: ids.get('B'), reason: expect.stringMatching(/Self-intersection/), code: 'cells.geometry-self-intersection',
      params: { whose: '', at: { en: expect.stringMatching(/^ at \[[\d.-]+, [\d.-]+\]$/), zh: expect.stringMatching(/^（位置 \[[\d.-]+, [\d.-]+\]）$/) } } }]);
    expect(before.gaps).toHaveLength(2);
    for (let i = 0; i < 2; i++) expect((await fix({ kind: 'gap', parentId, index: 0, into: ids.get('B') })).statusCode).toBe(200);
    const after = await coverage(parentId);
    expect(after).toMatchObject({ invalid: [], gaps: [], overlaps: [], slivers: [] });
  });

  it('needs the cells.edit permission, the cells in scope, and a well-formed request', async () => {
    const { parentId, ids } = await loadCase(t.db, caseNamed('overlap of two halves'));
    const other = await loadCase(t.db, caseNamed('clean 2×2 tiling'));
    await createUser(t.db, 'sam', 'planner', [other.parentId]);
    const scoped = await signIn(t.app, 'sam');
    const a = ids.get('A')!, b = ids.get('B')!;
    const before = await snapshot();
    expect((await fix({ kind: 'overlap', a, b, keep: 'a' }, commander)).statusCode).toBe(403);
    const out = await fix({ kind: 'overlap', a, b, keep: 'a' }, scoped);
    expect(out.statusCode).toBe(403);
    expect(out.json().detail).toMatch(/outside your scope/);
    expect((await fix({ kind: 'overlap', a, b, keep: 'a' }, { cookie: planner.cookie! })).statusCode).toBe(403);
    expect((await fix({ kind: 'overlap', a, b: a, keep: 'a' })).json().detail).toMatch(/two different cells/);
    expect((await fix({ kind: 'overlap', a, b: other.ids.get('A')!, keep: 'a' })).json().detail).toMatch(/different parents/);
    const missing = await fix({ kind: 'overlap', a, b });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors).toEqual([{ field: 'body.keep', message: 'required' }]);
    expect((await fix({ kind: 'stray', cellId: 999999 })).statusCode).toBe(404);
    const unknown = await fix({ kind: 'teleport', parentId });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0].field).toBe('body.kind');
    expect(await snapshot()).toEqual(before);
  });
});
