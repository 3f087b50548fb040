import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { insertCell, square, twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
let planner: Headers;
let worker: Headers;
let plannerWest: Headers;
let community: number;

beforeAll(async () => {
  t = await testApp();
  ids = await twoStreets(t.db);
  community = await insertCell(t.db, { code: '610302001001', name: '西一社区', level: 3, parentId: ids.west, rings: square(107.01, 34.01, 0.02) });
  await createUser(t.db, 'pat', 'planner');
  await createUser(t.db, 'wes', 'worker', [ids.west]);
  await createUser(t.db, 'pw', 'planner', [ids.west]);
  planner = await signIn(t.app, 'pat');
  worker = await signIn(t.app, 'wes');
  plannerWest = await signIn(t.app, 'pw');
});

const addPerson = async (name: string, phone: string | null, extra: Record<string, string> = {}) => {
  const res = await t.app.inject({ method: 'POST', url: '/api/people', headers: planner, payload: { name, phone, ...extra } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: number; phone: string | null; version: number }>();
};
const put = (cellId: number, list: { personId: number; role: string }[], headers = planner) =>
  t.app.inject({ method: 'PUT', url: `/api/cells/${cellId}/assignments`, headers, payload: list });
const assignmentCount = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cell_assignments')).rows[0]!.n;

describe(`people (${TEST_DB})`, () => {
  it('adds, finds by name or phone, edits with a version and deletes people; phones are normalised', async () => {
    const a = await addPerson('张伟', '138-0013-8000', { organisation: '西街道办', title: '主任' });
    expect(a.phone).toBe('13800138000');
    await addPerson('李娜', '+86 139 0000 1111');
    await addPerson('王张', null);

    const search = async (q: string, headers = planner) => (await t.app.inject({ url: `/api/people?q=${encodeURIComponent(q)}`, headers })).json<{ name: string }[]>().map((p) => p.name);
    expect(await search('张', worker)).toEqual(['张伟', '王张']);
    expect(await search('139 0000')).toEqual(['李娜']);
    expect(await search('13800138000')).toEqual(['张伟']);
    // A worker of one street sees these people (assigned nowhere yet) with masked phones, and cannot find them by phone.
    expect(await search('13800138000', worker)).toEqual([]);
    expect((await t.app.inject({ url: `/api/people/${a.id}`, headers: worker })).json().phone).toBe('138****8000');

    const dup = await t.app.inject({ method: 'POST', url: '/api/people', headers: planner, payload: { name: '别人', phone: '13800138000' } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().detail).toMatch(/13800138000 already belongs to person \d+ \(张伟\)/);
    const bad = await t.app.inject({ method: 'POST', url: '/api/people', headers: planner, payload: { name: '坏号', phone: 'call me' } });
    expect(bad.statusCode).toBe(422);

    const url = `/api/people/${a.id}`;
    expect((await t.app.inject({ method: 'PATCH', url, headers: planner, payload: { title: '书记' } })).statusCode).toBe(428);
    const edited = await t.app.inject({ method: 'PATCH', url, headers: { ...planner, 'if-match': '"1"' }, payload: { title: '书记' } });
    expect(edited.json()).toMatchObject({ title: '书记', organisation: '西街道办', version: 2 });
    const stale = await t.app.inject({ method: 'PATCH', url, headers: { ...planner, 'if-match': '"1"' }, payload: { title: '旧' } });
    expect(stale.statusCode).toBe(409);

    const gone = await addPerson('临时', '13700000000');
    expect((await t.app.inject({ method: 'DELETE', url: `/api/people/${gone.id}`, headers: planner })).statusCode).toBe(204);
    expect((await t.app.inject({ url: `/api/people/${gone.id}`, headers: planner })).statusCode).toBe(404);
  });

  it('keeps the list from the public, and edits from roles without people.edit', async () => {
    expect((await t.app.inject('/api/people')).statusCode).toBe(401);
    const res = await t.app.inject({ method: 'POST', url: '/api/people', headers: worker, payload: { name: '某人' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/people\.edit/);
  });
});

describe(`assignments and their rules (${TEST_DB})`, () => {
  it('replaces the ordered list; a second first-responsible is refused naming the rule, and nothing changes', async () => {
    const [a, b, c] = [await addPerson('甲', '13100000001'), await addPerson('乙', '13100000002'), await addPerson('丙', '13100000003')];
    const ok = await put(community, [{ personId: b.id, role: 'supervisor' }, { personId: a.id, role: 'first_responsible' }, { personId: c.id, role: 'info_officer' }]);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().map((x: { position: number; name: string; role: string }) => [x.position, x.name, x.role])).toEqual([[1, '乙', 'supervisor'], [2, '甲', 'first_responsible'], [3, '丙', 'info_officer']]);
    expect(ok.json()[1].roleName).toEqual({ code: 'first_responsible', zh: '第一责任人', en: 'First responsible' });

    // Drag to reorder is a PUT of the same people in a new order.
    const reordered = await put(community, [{ personId: a.id, role: 'first_responsible' }, { personId: b.id, role: 'supervisor' }, { personId: c.id, role: 'info_officer' }]);
    expect(reordered.json().map((x: { name: string }) => x.name)).toEqual(['甲', '乙', '丙']);

    const two = await put(community, [{ personId: a.id, role: 'first_responsible' }, { personId: b.id, role: 'first_responsible' }]);
    expect(two.statusCode).toBe(422);
    expect(two.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(two.json().detail).toBe('At most 1 第一责任人 (first_responsible) per cell: 2 given');
    expect(two.json().rules).toEqual([{ role: 'first_responsible', rule: 'maxPerCell', max: 1, given: 2 }]);
    const now = (await t.app.inject({ url: `/api/cells/${community}/assignments`, headers: worker })).json();
    expect(now.map((x: { name: string }) => x.name)).toEqual(['甲', '乙', '丙']);
  });

  it('allows five supervisors and refuses six', async () => {
    const people = [];
    for (let i = 0; i < 6; i++) people.push(await addPerson(`监督${i}`, `1320000000${i}`));
    const sup = people.map((p) => ({ personId: p.id, role: 'supervisor' }));
    expect((await put(ids.east, sup.slice(0, 5))).statusCode).toBe(200);
    const six = await put(ids.east, sup);
    expect(six.statusCode).toBe(422);
    expect(six.json().detail).toBe('At most 5 监督员 (supervisor) per cell: 6 given');
    expect((await t.app.inject({ url: `/api/cells/${ids.east}/assignments`, headers: worker })).json()).toHaveLength(5);
  });

  it('refuses unknown people, unknown roles and duplicates with the item at fault', async () => {
    const before = await assignmentCount();
    const p = await addPerson('丁', '13100000004');
    const unknown = await put(ids.west, [{ personId: 999999, role: 'supervisor' }]);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors).toEqual([{ field: 'body.0.personId', message: 'person 999999 does not exist' }]);
    const role = await put(ids.west, [{ personId: p.id, role: 'mayor' }]);
    expect(role.statusCode).toBe(400);
    expect(role.json().detail).toMatch(/body\.0\.role must be equal to one of the allowed values/);
    const dup = await put(ids.west, [{ personId: p.id, role: 'assistant' }, { personId: p.id, role: 'assistant' }]);
    expect(dup.statusCode).toBe(422);
    expect(await assignmentCount()).toBe(before);
  });

  it('needs assignments.edit and the cell in scope', async () => {
    const p = await addPerson('戊', '13100000005');
    expect((await put(ids.west, [{ personId: p.id, role: 'assistant' }], worker)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'PUT', url: `/api/cells/${ids.west}/assignments`, payload: [] })).statusCode).toBe(401);
    const outside = await put(ids.east, [{ personId: p.id, role: 'assistant' }], plannerWest);
    expect(outside.statusCode).toBe(403);
    expect(outside.json().detail).toMatch(/outside your scope/);
    expect((await put(community, [{ personId: p.id, role: 'assistant' }], plannerWest)).statusCode).toBe(200);
    const cells = (await t.app.inject({ url: `/api/people/${p.id}/cells`, headers: worker })).json();
    expect(cells).toEqual([{ cellId: community, code: '610302001001', name: '西一社区', level: 3, role: 'assistant', roleName: { code: 'assistant', zh: '协管员', en: 'Assistant' }, position: 1 }]);
    // An assigned person cannot be deleted from under the cell.
    const del = await t.app.inject({ method: 'DELETE', url: `/api/people/${p.id}`, headers: planner });
    expect(del.statusCode).toBe(409);
    expect(del.json().detail).toMatch(/610302001001/);
  });

  it('lists people gaps: cells without a first responsible or short of supervisors', async () => {
    const sup = await addPerson('己', '13100000006');
    const first = await addPerson('庚', '13100000007');
    await put(ids.west, [{ personId: sup.id, role: 'supervisor' }]);
    await put(ids.east, [{ personId: first.id, role: 'first_responsible' }]);
    const res = await t.app.inject({ url: '/api/people-gaps?level=2', headers: worker });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual([
      { cellId: ids.west, code: '610302001', name: '西街道', level: 2, missing: [{ role: 'first_responsible', zh: '第一责任人', en: 'First responsible', needed: 1, have: 0 }] },
      { cellId: ids.east, code: '610302002', name: '东街道', level: 2, missing: [{ role: 'supervisor', zh: '监督员', en: 'Supervisor', needed: 1, have: 0 }] },
    ]);
    await put(ids.west, [{ personId: sup.id, role: 'supervisor' }, { personId: first.id, role: 'first_responsible' }]);
    const after = (await t.app.inject({ url: `/api/people-gaps?parentId=${ids.district}`, headers: worker })).json();
    expect(after.map((g: { cellId: number }) => g.cellId)).toEqual([ids.east]);
    expect((await t.app.inject('/api/people-gaps')).statusCode).toBe(401);
  });
});

describe(`the public card (${TEST_DB})`, () => {
  let card: number;
  let eastFirst: number;
  let westSecond: number;
  beforeAll(async () => {
    // Two areas sharing the border lon 107.02; the eastern one is created first, so it has the lower id.
    eastFirst = await insertCell(t.db, { code: '610302001001001', name: '东片', level: 4, parentId: community, rings: square(107.02, 34.01, 0.01) });
    westSecond = await insertCell(t.db, { code: '610302001001002', name: '西片', level: 4, parentId: community, rings: square(107.01, 34.01, 0.01) });
    card = westSecond;
    const p = await addPerson('赵六', '13812345678', { organisation: '西一社区居委会', title: '网格员' });
    const q = await addPerson('钱七', '0917-3214567');
    expect((await put(card, [{ personId: p.id, role: 'first_responsible' }, { personId: q.id, role: 'supervisor' }])).statusCode).toBe(200);
  });

  it('shows name, code, level, area, parents and responsible people with masked phones, without an account', async () => {
    const res = await t.app.inject(`/api/cells/${card}/card`);
    expect(res.statusCode, res.body).toBe(200);
    const c = res.json();
    expect(c).toMatchObject({ id: card, name: '西片', code: '610302001001002', level: 4, levelName: { zh: '片区', en: 'Area' } });
    expect(c.areaM2).toBeGreaterThan(900_000);
    expect(c.areaM2).toBeLessThan(1_100_000);
    expect(c.parents.map((p: { name: string; level: number }) => [p.level, p.name])).toEqual([[1, '渭滨区'], [2, '西街道'], [3, '西一社区']]);
    expect(c.parents[1].levelName).toEqual({ zh: '街道', en: 'Street' });
    expect(c.people).toEqual([
      { name: '赵六', role: 'first_responsible', roleName: { code: 'first_responsible', zh: '第一责任人', en: 'First responsible' }, phone: '138****5678', organisation: '西一社区居委会', title: '网格员', photoUrl: null },
      { name: '钱七', role: 'supervisor', roleName: { code: 'supervisor', zh: '监督员', en: 'Supervisor' }, phone: '091****4567', organisation: null, title: null, photoUrl: null },
    ]);
    expect(res.body).not.toContain('13812345678');
    expect((await t.app.inject('/api/cells/999999/card')).statusCode).toBe(404);
  });

  it('shows full phones when the deployment turns masking off', async () => {
    const open = await buildApp({ db: t.db, config: { ...t.config, card: { maskPhones: false } }, clientDir: '/nonexistent' });
    const c = (await open.inject(`/api/cells/${card}/card`)).json();
    await open.close();
    expect(c.people.map((p: { phone: string }) => p.phone)).toEqual(['13812345678', '09173214567']);
  });

  it('finds the card of the smallest cell at a point, deterministically on a shared border, 404 outside', async () => {
    const at = async (lon: number, lat: number) => t.app.inject(`/api/cards/at?lon=${lon}&lat=${lat}`);
    const inside = (await at(107.015, 34.015)).json();
    expect(inside.id).toBe(westSecond);
    expect(inside.parents.map((p: { code: string }) => p.code)).toEqual(['610302', '610302001', '610302001001']);
    expect((await at(107.025, 34.015)).json().id).toBe(eastFirst);
    // In the community but in neither area: the community itself; in the street only: the street.
    expect((await at(107.015, 34.025)).json().id).toBe(community);
    expect((await at(107.04, 34.08)).json().id).toBe(ids.west);
    // Exactly on the border of the two areas: the lower id, every time.
    for (let i = 0; i < 3; i++) expect((await at(107.02, 34.015)).json().id).toBe(Math.min(eastFirst, westSecond));
    // On the border between the streets (no deeper cell there): the lower id of the two streets.
    expect((await at(107.05, 34.08)).json().id).toBe(Math.min(ids.west, ids.east));
    // On the outer edge of an area: boundary inclusive, the area (deeper) wins over the community.
    expect((await at(107.01, 34.015)).json().id).toBe(westSecond);
    const outside = await at(100, 30);
    expect(outside.statusCode).toBe(404);
    expect(outside.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(outside.json().detail).toBe('No cell contains the point (100, 30)');
    expect((await at(200, 30)).statusCode).toBe(400);
  });
});
