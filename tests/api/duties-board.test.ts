import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { insertCell, square, twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { loadConfig } from '../../server/config.ts';
import { DEFAULT_TEMPLATES } from '../../server/duties/config.ts';
import { encodeQr } from '../../server/duties/qr.ts';
import { scanQrSvg } from '../helpers/qr.ts';

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
let community: number;
let planner: Headers;
let plannerWest: Headers;
let worker: Headers;
const PUBLIC = 'https://grid.example.gov.cn';
const HOTLINE = '0917-12345';

beforeAll(async () => {
  const base = loadConfig({});
  t = await testApp({ config: { publicUrl: PUBLIC, board: { ...base.board, hotline: HOTLINE } } });
  ids = await twoStreets(t.db);
  community = await insertCell(t.db, { code: '610302001001', name: '西一社区', level: 3, parentId: ids.west, rings: square(107.01, 34.01, 0.02) });
  await insertCell(t.db, { code: '610302001002', name: '西二社区', level: 3, parentId: ids.west, rings: square(107.01, 34.03, 0.02) });
  await createUser(t.db, 'pat', 'planner');
  await createUser(t.db, 'pw', 'planner', [ids.west]);
  await createUser(t.db, 'wk', 'worker', [ids.west]);
  planner = await signIn(t.app, 'pat');
  plannerWest = await signIn(t.app, 'pw');
  worker = await signIn(t.app, 'wk');
  const person = async (name: string, phone: string) => (await t.app.inject({ method: 'POST', url: '/api/people', headers: planner, payload: { name, phone, title: '主任' } })).json<{ id: number }>().id;
  const zhang = await person('张伟', '13800138000');
  const li = await person('李娜', '13900001111');
  const res = await t.app.inject({ method: 'PUT', url: `/api/cells/${community}/assignments`, headers: planner, payload: [{ personId: zhang, role: 'first_responsible' }, { personId: li, role: 'supervisor' }] });
  expect(res.statusCode, res.body).toBe(200);
});

const card = async (id: number) => (await t.app.inject({ url: `/api/cells/${id}/card` })).json<{ duties: { domain: string; text: string }[]; tasks: { domain: string; text: string }[]; rewardRules: string; pointInside: [number, number] }>();
const put = (id: number, payload: unknown, headers = planner) => t.app.inject({ method: 'PUT', url: `/api/cells/${id}/duties`, headers, payload: payload as object });

describe(`五定: duties and tasks per cell (${TEST_DB})`, () => {
  it("a cell's card carries its level's template until a planner changes it; restoring brings the template back", async () => {
    const before = await card(community);
    expect(before.duties).toEqual(DEFAULT_TEMPLATES[3]!.duties);
    expect(before.tasks).toEqual(DEFAULT_TEMPLATES[3]!.tasks);
    expect(before.rewardRules).toBe(DEFAULT_TEMPLATES[3]!.rewardRules);
    expect((await card(ids.west)).duties).toEqual(DEFAULT_TEMPLATES[2]!.duties);
    expect(before.duties.map((d) => d.domain)).toEqual(expect.arrayContaining(['fire', 'environment', 'work_safety', 'food_drug', 'price']));

    const own = [{ domain: 'fire', text: '  每周检查一次消防通道  ' }, { domain: 'general', text: '每月走访辖区商户' }];
    const res = await put(community, { duties: own });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ dutiesInherited: false, tasksInherited: true });
    const after = await card(community);
    expect(after.duties).toEqual([{ domain: 'fire', text: '每周检查一次消防通道' }, { domain: 'general', text: '每月走访辖区商户' }]);
    // Tasks were not sent: still the template; the sibling keeps the template too.
    expect(after.tasks).toEqual(DEFAULT_TEMPLATES[3]!.tasks);
    const sibling = (await t.db.query<{ id: number }>("SELECT id FROM cells WHERE code = '610302001002'")).rows[0]!.id;
    expect((await card(sibling)).duties).toEqual(DEFAULT_TEMPLATES[3]!.duties);

    expect((await put(community, { tasks: [{ domain: 'price', text: '每月收集一次菜价' }] })).statusCode).toBe(200);
    expect((await card(community)).tasks).toEqual([{ domain: 'price', text: '每月收集一次菜价' }]);
    expect((await card(community)).duties).toHaveLength(2);

    const restored = await put(community, { duties: null });
    expect(restored.json()).toMatchObject({ dutiesInherited: true, tasksInherited: false });
    expect((await card(community)).duties).toEqual(DEFAULT_TEMPLATES[3]!.duties);
    await put(community, { tasks: null });
    expect((await card(community)).tasks).toEqual(DEFAULT_TEMPLATES[3]!.tasks);
    // Nothing left to store once both lists are the template again.
    expect((await t.db.query('SELECT 1 FROM cell_duties WHERE cell_id = $1', [community])).rowCount).toBe(0);

    const { rows: audit } = await t.db.query<{ action: string; username: string; detail: { changed: string[]; restored: string[] } }>(
      "SELECT action, username, detail FROM audit_log WHERE action = 'cell.duties' AND target = $1 ORDER BY id", [`cell:${community}`]);
    expect(audit.map((a) => [a.username, a.detail.changed, a.detail.restored])).toEqual([
      ['pat', ['duties'], []], ['pat', ['tasks'], []], ['pat', ['duties'], ['duties']], ['pat', ['tasks'], ['tasks']],
    ]);
  });

  it('GET shows the template beside the own list; anyone may read it', async () => {
    await put(community, { duties: [{ domain: 'environment', text: '巡查河道' }] });
    const res = await t.app.inject({ url: `/api/cells/${community}/duties` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ cellId: community, level: 3, duties: [{ domain: 'environment', text: '巡查河道' }], template: { duties: DEFAULT_TEMPLATES[3]!.duties } });
    await put(community, { duties: null });
  });

  it('only planners change them, in their scope; bad items are refused and nothing changes', async () => {
    const list = { duties: [{ domain: 'fire', text: '检查灭火器' }] };
    expect((await put(community, list, {})).statusCode).toBe(401);
    expect((await put(community, list, worker)).statusCode).toBe(403);
    expect((await put(ids.east, list, plannerWest)).statusCode).toBe(403);
    expect((await put(community, list, plannerWest)).statusCode).toBe(200);
    expect((await put(community, { duties: [{ domain: 'astrology', text: 'x' }] })).statusCode).toBe(400);
    expect((await put(community, { duties: [{ domain: 'fire', text: '   ' }] })).statusCode).toBe(400);
    expect((await put(community, {})).statusCode).toBe(400);
    expect((await put(999999, list)).statusCode).toBe(404);
    expect((await card(community)).duties).toEqual([{ domain: 'fire', text: '检查灭火器' }]);
    await put(community, { duties: null });
  });
});

describe(`网格公示牌: the printed board (${TEST_DB})`, () => {
  const board = (url: string) => t.app.inject({ url });

  it('is public HTML with the cell, its people with masked phones, duties, hotline, an SVG map and an SVG QR code of its card URL', async () => {
    await put(community, { duties: [{ domain: 'fire', text: '检查楼道消防通道' }] });
    const res = await board(`/cells/${community}/board`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
    const html = res.body;
    expect(html).toContain('网格公示牌');
    expect(html).toContain('西一社区');
    expect(html).toContain('610302001001');
    expect(html).toContain('张伟');
    expect(html).toContain('第一责任人');
    expect(html).toContain('138****8000');
    expect(html).toContain('139****1111');
    expect(html).not.toContain('13800138000');
    expect(html).not.toContain('13900001111');
    expect(html).toContain('检查楼道消防通道');
    expect(html).toContain(DEFAULT_TEMPLATES[3]!.tasks[0]!.text);
    expect(html).toContain(HOTLINE);
    expect(html).toContain('size: A4 portrait');
    // The map: the cell's outline and its neighbour, labelled, as vector.
    const map = /<svg[^>]*class="board-map"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(map).toContain('class="self"');
    expect(map).toContain('class="neighbour"');
    expect(map).toContain('>西二社区</text>');
    // The QR code: an SVG of the modules of the URL that opens the card and the report form in this cell.
    const url = `${PUBLIC}/#/map?cell=${community}&report=1`;
    const qr = /<svg[^>]*class="qr"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(qr).toContain(`data-qr-text="${url.replace(/&/g, '&amp;')}"`);
    const modules = encodeQr(url);
    const dark = modules.flatMap((row, y) => row.map((d, x) => (d ? `M${x + 4} ${y + 4}h1v1h-1z` : ''))).join('');
    expect(qr).toContain(`d="${dark}"`);
    // And read back as a phone would, where this machine has a QR reader (zbarimg).
    const read = await scanQrSvg(qr);
    if (read !== null) expect(read).toBe(url);
    await put(community, { duties: null });
  });

  it('A3 landscape with ?paper=a3; ?children=1 prints one board per child with page breaks', async () => {
    const a3 = await board(`/cells/${community}/board?paper=a3`);
    expect(a3.body).toContain('size: A3 landscape');
    const batch = await board(`/cells/${ids.west}/board?children=1`);
    expect(batch.statusCode).toBe(200);
    const boards = batch.body.match(/<article class="board" data-cell-id="(\d+)"/g) ?? [];
    expect(boards).toHaveLength(2);
    expect(batch.body.indexOf('西一社区')).toBeLessThan(batch.body.indexOf('西二社区'));
    expect(batch.body).toMatch(/break-after: page/);
    expect((await board('/cells/999999/board')).statusCode).toBe(404);
    expect((await board(`/cells/${community}/board?paper=letter`)).statusCode).toBe(400);
  });

  it('prints full phones only where the deployment publishes them on the card', async () => {
    const base = loadConfig({});
    const open = await testApp({ config: { card: { maskPhones: false }, board: base.board } });
    const streets = await twoStreets(open.db);
    await createUser(open.db, 'p2', 'planner');
    const pl = await signIn(open.app, 'p2');
    const p = (await open.app.inject({ method: 'POST', url: '/api/people', headers: pl, payload: { name: '王芳', phone: '13700001234' } })).json<{ id: number }>();
    await open.app.inject({ method: 'PUT', url: `/api/cells/${streets.west}/assignments`, headers: pl, payload: [{ personId: p.id, role: 'chief' }] });
    const html = (await open.app.inject({ url: `/cells/${streets.west}/board` })).body;
    expect(html).toContain('13700001234');
    await open.app.close();
    // (Last in the file: that app reset the database this file's fixtures were in.)
  });
});
