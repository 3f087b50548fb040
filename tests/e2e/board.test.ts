import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { booleanPointInPolygon, point } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import { scanQrSvg } from '../helpers/qr.ts';
import { launchBrowser, startServer, signInApi, type Api, type RunningServer } from '../helpers/e2e.ts';

interface CellProps { code: string; name: string; level: number; parentId: number | null }
type Cell = Feature<MultiPolygon, CellProps> & { id: number };

let server: RunningServer;
let browser: Browser;
let admin: Api;
let target: Cell;
let siblings: Cell[];
const problems: string[] = [];
const PEOPLE = [
  { name: '孙海燕', phone: '13612345678', masked: '136****5678', role: 'first_responsible' },
  { name: '周立新', phone: '13787654321', masked: '137****4321', role: 'chief' },
  { name: '吴晓梅', phone: '15800001111', masked: '158****1111', role: 'info_officer' },
  { name: '郑国强', phone: '18900002222', masked: '189****2222', role: 'supervisor' },
];
const DUTY = '每周检查一次楼道消防通道';

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  const body = await r.text();
  expect(r.ok, body).toBe(true);
  return JSON.parse(body) as T;
}
const cells = async (query: string) => (await json<FeatureCollection<MultiPolygon, CellProps>>(fetch(`${server.url}/api/cells?${query}`))).features as Cell[];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  admin = await signInApi(server.url, 'admin');
  const grids = await cells('level=4');
  target = grids.find((c) => c.properties.name === '清姜社区第一网格') ?? grids[0]!;
  siblings = grids.filter((c) => c.properties.parentId === target.properties.parentId);
  const ids: number[] = [];
  for (const p of PEOPLE) ids.push((await json<{ id: number }>(admin('/api/people', { method: 'POST', body: JSON.stringify({ name: p.name, phone: p.phone }) }))).id);
  await json(admin(`/api/cells/${target.id}/assignments`, { method: 'PUT', body: JSON.stringify(PEOPLE.map((p, i) => ({ personId: ids[i], role: p.role }))) }));
  // The level's duties and one of the cell's own.
  const { template } = await json<{ template: { duties: { domain: string; text: string }[] } }>(fetch(`${server.url}/api/cells/${target.id}/duties`));
  await json(admin(`/api/cells/${target.id}/duties`, { method: 'PUT', body: JSON.stringify({ duties: [...template.duties, { domain: 'fire', text: DUTY }] }) }));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the notice board (网格公示牌)', () => {
  let qrUrl = '';

  it('renders for print: name, code, people with masked phones, duties, hotline, an SVG map and an SVG QR code; prints to PDF on A4 and A3', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 1200 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(`${server.url}/cells/${target.id}/board`);
    const board = page.locator('article.board');
    await expect(board.locator('h2').textContent()).resolves.toBe(target.properties.name);
    const text = (await board.textContent())!;
    expect(text).toContain(target.properties.code);
    for (const p of PEOPLE) {
      expect(text).toContain(p.name);
      expect(text).toContain(p.masked);
    }
    expect(await page.content()).not.toContain(PEOPLE[0]!.phone);
    expect(text).toContain(DUTY);
    expect(text).toContain('监督电话');
    const map = board.locator('svg.board-map');
    expect((await map.boundingBox())!.width).toBeGreaterThan(200);
    expect(await map.locator('path.self').count()).toBe(1);
    expect(await map.locator('path.neighbour').count()).toBeGreaterThan(0);
    const qr = board.locator('svg.qr');
    expect((await qr.boundingBox())!.width).toBeGreaterThan(80);

    // The QR code read as a phone would (or, without a reader here, the text it was drawn from).
    const svg = await qr.evaluate((el) => el.outerHTML);
    const read = await scanQrSvg(svg);
    qrUrl = read ?? (await qr.getAttribute('data-qr-text'))!;
    expect(qrUrl).toBe(`${server.url}/#/map?cell=${target.id}&report=1`);

    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)).toHaveLength(1);
    // The picture of a printed board in docs/guide/planner.md: the page as print media.
    await page.emulateMedia({ media: 'print' });
    mkdirSync('docs/images', { recursive: true });
    if (process.env.UPDATE_SCREENSHOTS === '1') await board.screenshot({ path: 'docs/images/notice-board.png' });
    mkdirSync('test-results/e2e', { recursive: true });
    await board.screenshot({ path: 'test-results/e2e/notice-board.png' });

    // Back to the default: page.pdf() prints with print media unless screen media is being emulated.
    await page.emulateMedia({ media: null });
    await page.goto(`${server.url}/cells/${target.properties.parentId}/board?children=1&paper=a3`);
    expect(await page.locator('article.board').count()).toBe(siblings.length);
    const batch = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    expect(batch.toString('latin1').match(/\/Type\s*\/Page\b/g)).toHaveLength(siblings.length);
    await context.close();
  }, 300_000);

  it("the QR code's URL opens, at phone size, the cell's card and the report form placed inside the cell", async () => {
    expect(qrUrl).not.toBe('');
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(qrUrl);
    await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
    const sheet = page.getByTestId('cell-sheet');
    await expect.poll(() => sheet.getByTestId('card-name').textContent(), { timeout: 20_000 }).toBe(target.properties.name);
    expect(await sheet.isVisible()).toBe(true);
    const form = page.getByTestId('report-form');
    await form.waitFor();
    await expect(form.getByTestId('report-start-cell').textContent()).resolves.toContain(target.properties.name);
    const where = (await form.getByTestId('report-point').textContent())!;
    const [lon, lat] = (/(\d+\.\d+), (\d+\.\d+)/.exec(where) ?? []).slice(1).map(Number);
    expect(booleanPointInPolygon(point([lon!, lat!]), target)).toBe(true);
    // Both fit the phone's width, the card above the form.
    const sheetBox = (await sheet.boundingBox())!;
    const formBox = (await form.boundingBox())!;
    expect(sheetBox.y + sheetBox.height).toBeLessThanOrEqual(formBox.y + 1);
    expect(formBox.x + formBox.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: 'test-results/e2e/board-qr-phone.png' });

    await form.locator('textarea[name=description]').fill('楼道堆放杂物');
    await form.getByTestId('report-submit').click();
    await expect(page.getByTestId('report-routed').textContent()).resolves.toContain(target.properties.name);
    await context.close();
  }, 300_000);

  it("a planner edits a cell's tasks on its card and restores the level's template", async () => {
    const cell = siblings.find((c) => c.id !== target.id)!;
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    expect((await page.request.post(`${server.url}/api/session`, { data: { username: 'planner', password: 'demo1234' } })).status()).toBe(200);
    const { template } = await json<{ template: { tasks: { domain: string; text: string }[] } }>(fetch(`${server.url}/api/cells/${cell.id}/duties`));
    // A link to the cell (no report) opens its card.
    await page.goto(`${server.url}/#/map?cell=${cell.id}`);
    const card = page.getByTestId('cell-card');
    await expect.poll(() => card.getByTestId('card-name').textContent(), { timeout: 60_000 }).toBe(cell.properties.name);
    const five = card.getByTestId('card-duties');
    await expect.poll(() => five.getByTestId('card-task-list').textContent()).toContain(template.tasks[0]!.text);
    expect(await five.textContent()).toContain('沿用层级模板');
    expect(await page.getByTestId('report-form').count()).toBe(0);

    await five.getByTestId('duties-edit').click();
    const tasks = five.getByTestId('duty-editor-tasks');
    await tasks.getByRole('button', { name: '添加一条' }).click();
    const row = tasks.locator('.duty-row').last();
    await row.locator('select').selectOption('environment');
    await row.locator('input').fill('每周巡查河道两岸');
    await five.getByTestId('duties-save').click();
    await expect.poll(() => five.getByTestId('card-task-list').textContent()).toContain('每周巡查河道两岸');
    expect(await five.getByTestId('card-task-list').textContent()).toContain('环境');
    const saved = await json<{ tasks: { domain: string; text: string }[] }>(fetch(`${server.url}/api/cells/${cell.id}/card`));
    expect(saved.tasks).toEqual([...template.tasks, { domain: 'environment', text: '每周巡查河道两岸' }]);

    await five.getByTestId('duties-edit').click();
    await five.getByTestId('duty-restore-tasks').click();
    await five.getByTestId('duties-save').click();
    await expect.poll(() => five.getByTestId('card-task-list').textContent()).not.toContain('每周巡查河道两岸');
    expect((await json<{ tasks: unknown[] }>(fetch(`${server.url}/api/cells/${cell.id}/card`))).tasks).toEqual(template.tasks);
    await context.close();
  }, 300_000);

  it('raised no page errors', () => {
    expect(problems).toEqual([]);
  });
});
