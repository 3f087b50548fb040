import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { booleanPointInPolygon, centerOfMass, pointOnFeature } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Position } from 'geojson';
import { launchBrowser, startServer, type RunningServer, signInApi, type Api } from '../helpers/e2e.ts';
import sharp from 'sharp';
import JSZip from 'jszip';

interface CellProps {
  code: string;
  name: string;
  level: number;
  parentId: number | null;
}
type Cell = Feature<MultiPolygon, CellProps> & { id: number };
interface Assignment { personId: number; role: string; name: string }

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let admin: Api;
let target: Cell;
let second: Cell;
const ids: Record<string, number> = {};
const problems: string[] = [];

const apiAs = (username: string) => signInApi(server.url, username);

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  const body = await r.text();
  expect(r.ok, body).toBe(true);
  return JSON.parse(body) as T;
}

const cells = async (query: string) => (await json<FeatureCollection<MultiPolygon, CellProps>>(fetch(`${server.url}/api/cells?${query}`))).features as Cell[];
const saved = async (cellId: number) => (await json<Assignment[]>(admin(`/api/cells/${cellId}/assignments`))).map((a) => `${a.name}/${a.role}`);

function inside(c: Feature<MultiPolygon>): Position {
  const centre = centerOfMass(c);
  return (booleanPointInPolygon(centre, c) ? centre : pointOnFeature(c)).geometry.coordinates;
}

async function clickCell(p: Page, cell: Cell) {
  await p.evaluate((c) => window.__wanggeMap!.jumpTo({ center: c as [number, number], zoom: 15 }), inside(cell));
  await p.waitForFunction(() => !window.__wanggeMap!.isMoving() && window.__wanggeMap!.loaded(), null, { timeout: 30_000 });
  const pixel = await p.evaluate((q) => window.__wanggeMap!.project(q as [number, number]), inside(cell));
  const canvas = (await p.locator('.map canvas').boundingBox())!;
  await p.mouse.click(canvas.x + pixel.x, canvas.y + pixel.y);
}

const editor = () => page.getByTestId('assignments');
const rows = () => editor().getByTestId('assignment-row');
const listed = () => rows().evaluateAll((els) => els.map((e) => `${e.querySelector('.people-name')!.textContent}/${(e as HTMLElement).dataset.role}`));

async function openPlan() {
  await page.goto(`${server.url}/#/plan`);
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
  await clickCell(page, target);
  await expect.poll(() => editor().locator('h3').textContent()).toBe('责任人');
  await expect.poll(() => editor().textContent(), { timeout: 15_000 }).not.toContain('正在读取');
}

/** Searches, waits for the person among the options, and picks them in the given role. */
async function addBySearch(term: string, name: string, role: string) {
  await editor().getByTestId('add-role').selectOption(role);
  const search = editor().getByTestId('person-search');
  await search.fill(term);
  const option = editor().getByRole('option', { name: new RegExp(name) });
  await option.first().waitFor({ timeout: 10_000 });
  await option.first().click();
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  admin = await apiAs('admin');
  const grids = await cells('level=4');
  target = grids.find((c) => c.properties.name !== '清姜社区第一网格')!;
  second = grids.find((c) => c.id !== target.id)!;
  for (const [name, phone] of [['张伟', '13700001111'], ['李娜', '13700002222']] as const) {
    ids[name] = (await json<{ id: number }>(admin('/api/people', { method: 'POST', body: JSON.stringify({ name, phone, organisation: '清姜路街道办事处' }) }))).id;
  }
  await json(admin(`/api/cells/${target.id}/assignments`, { method: 'PUT', body: JSON.stringify([{ personId: ids['李娜'], role: 'supervisor' }]) }));

  context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A refused save is the server's 422: the browser logs the failed request, the test checks the message shown.
    if (m.type() === 'error' && !/status of 422/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  const signIn = await page.request.post(`${server.url}/api/session`, { data: { username: 'planner', password: 'demo1234' } });
  expect(signIn.status()).toBe(200);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('assigning responsible people in the planner view', () => {
  it('adds a person found by search and one created inline, reorders by keyboard and by drag, saves, and keeps it after a reload', async () => {
    await openPlan();
    expect(await listed()).toEqual(['李娜/supervisor']);
    // The cell lacks its first responsible: the editor says so and offers that role first.
    expect(await editor().getByTestId('cell-gaps').textContent()).toContain('第一责任人');
    expect(await editor().getByTestId('add-role').inputValue()).toBe('first_responsible');

    await addBySearch('张', '张伟', 'first_responsible');
    await expect.poll(listed).toEqual(['李娜/supervisor', '张伟/first_responsible']);

    // Not found → created inline, then added in the chosen role.
    await editor().getByTestId('add-role').selectOption('chief');
    await editor().getByTestId('person-search').fill('王芳');
    const create = editor().getByRole('option', { name: /新建人员“王芳”/ });
    await create.waitFor();
    await create.click();
    const form = editor().getByTestId('new-person');
    expect(await form.locator('input[name=name]').inputValue()).toBe('王芳');
    await form.locator('input[name=phone]').fill('138 0000 3333');
    await form.getByRole('button', { name: '新建并添加' }).click();
    await expect.poll(listed).toEqual(['李娜/supervisor', '张伟/first_responsible', '王芳/chief']);

    // Keyboard: Alt+↑ on 张伟's handle moves him to the top, and the focus stays with him.
    const zhangHandle = editor().getByRole('button', { name: /拖动 张伟/ });
    await zhangHandle.focus();
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(listed).toEqual(['张伟/first_responsible', '李娜/supervisor', '王芳/chief']);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/张伟/);
    // Drag and drop: 王芳 onto 李娜's place.
    await rows().nth(2).locator('.people-handle').dragTo(rows().nth(1));
    await expect.poll(listed).toEqual(['张伟/first_responsible', '王芳/chief', '李娜/supervisor']);
    // Buttons: down, then up again.
    await editor().getByRole('button', { name: '下移 王芳' }).click();
    await expect.poll(listed).toEqual(['张伟/first_responsible', '李娜/supervisor', '王芳/chief']);
    await editor().getByRole('button', { name: '上移 王芳' }).click();
    await expect.poll(listed).toEqual(['张伟/first_responsible', '王芳/chief', '李娜/supervisor']);

    expect(await saved(target.id)).toEqual(['李娜/supervisor']);
    await editor().getByTestId('assignments-save').click();
    await expect.poll(() => editor().getByTestId('assignments-notice').textContent()).toContain('已保存：3 位责任人');
    expect(await saved(target.id)).toEqual(['张伟/first_responsible', '王芳/chief', '李娜/supervisor']);
    expect(await editor().getByTestId('cell-gaps').textContent()).toContain('必需的角色均已配备');

    await page.reload();
    await openPlan();
    await expect.poll(listed).toEqual(['张伟/first_responsible', '王芳/chief', '李娜/supervisor']);
    await mkdir('test-results/e2e', { recursive: true });
    await page.screenshot({ path: 'test-results/e2e/people-editor.png' });
  });

  it("uploads a person's photo from the list (亮身份), for the public card and the board", async () => {
    const photo = await sharp({ create: { width: 60, height: 80, channels: 3, background: '#c44' } }).jpeg().toBuffer();
    const row = editor().locator('[data-testid=assignment-row]').filter({ hasText: '张伟' });
    await row.getByTestId('person-photo').locator('input[type=file]').setInputFiles({ name: 'zhangwei.jpg', mimeType: 'image/jpeg', buffer: photo });
    await expect.poll(() => editor().getByTestId('assignments-notice').textContent()).toContain('已更新 张伟 的照片');
    const card = await json<{ people: { name: string; photoUrl: string | null }[] }>(admin(`/api/cells/${target.id}/card`));
    expect(card.people.find((p) => p.name === '张伟')!.photoUrl).toMatch(/^\/api\/people\/\d+\/photo\?size=thumb$/);
  });

  it("refuses a second first responsible with the server's message naming the rule, and changes nothing", async () => {
    await addBySearch('李', '李娜', 'first_responsible');
    await expect.poll(listed).toEqual(['张伟/first_responsible', '王芳/chief', '李娜/supervisor', '李娜/first_responsible']);
    await editor().getByTestId('assignments-save').click();
    const notice = editor().getByTestId('assignments-notice');
    await expect.poll(() => notice.textContent()).toContain('每个网格最多 1 名第一责任人，现有 2 名');
    expect(await notice.getAttribute('role')).toBe('alert');
    expect(await saved(target.id)).toEqual(['张伟/first_responsible', '王芳/chief', '李娜/supervisor']);
    await page.screenshot({ path: 'test-results/e2e/people-rule.png' });
    // Removing the extra row makes the list savable again (nothing to save: it equals the stored one).
    await editor().getByRole('button', { name: '移除 李娜' }).nth(1).click();
    await expect.poll(listed).toEqual(['张伟/first_responsible', '王芳/chief', '李娜/supervisor']);
    expect(await editor().getByTestId('assignments-save').isDisabled()).toBe(true);
  });

  it('imports a CSV: a bad row blocks everything until the planner chooses to skip it', async () => {
    await editor().getByRole('button', { name: '批量导入 CSV…' }).click();
    const dialog = page.getByTestId('assignments-import');
    await dialog.locator('textarea').fill([
      'cell_code,person,role,phone',
      `${second.properties.code},周杰,监督员,13600004444`,
      `NO-SUCH-CELL,吴敏,supervisor,13600005555`,
      `${second.properties.code},吴敏,nobody,13600005555`,
    ].join('\n'));
    await dialog.getByRole('button', { name: '导入', exact: true }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('2 行有误（共 3 行），未写入任何数据');
    const report = await dialog.getByTestId('import-errors').locator('tbody tr').allTextContents();
    expect(report.some((r) => r.startsWith('3') && r.includes('没有编码为 NO-SUCH-CELL 的网格'))).toBe(true);
    expect(report.some((r) => r.startsWith('4') && r.includes('未知的岗位“nobody”'))).toBe(true);
    expect(await saved(second.id)).toEqual([]);
    await page.screenshot({ path: 'test-results/e2e/people-import.png' });

    await dialog.getByTestId('import-skip').click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toContain('新增 1 条指派');
    expect(await saved(second.id)).toEqual(['周杰/supervisor']);
    await dialog.getByRole('button', { name: '关闭' }).click();
  });

  it('refuses a zip or an .xlsx chosen as the CSV file with a message in Chinese, and still reads a real CSV (GBK too)', async () => {
    await editor().getByRole('button', { name: '批量导入 CSV…' }).click();
    const dialog = page.getByTestId('assignments-import');
    const box = dialog.locator('textarea');
    const file = dialog.locator('input[type=file]');
    const csv = `cell_code,person,role,phone\n${second.properties.code},郑洁,监督员,13600006666\n`;
    const zip = await new JSZip().file('people.csv', csv).generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    await file.setInputFiles({ name: 'people.zip', mimeType: 'application/zip', buffer: zip });
    const error = dialog.getByTestId('import-file-error');
    await expect.poll(() => error.textContent()).toBe('“people.zip”不是文本文件（是 ZIP 压缩包），不能作为 CSV 导入。请选择 CSV 文件。');
    expect(await error.getAttribute('role')).toBe('alert');
    expect(await box.inputValue()).toBe('');
    expect(await dialog.getByRole('button', { name: '导入', exact: true }).isDisabled()).toBe(true);

    const { default: writeXlsxFile } = await import('write-excel-file/node');
    const xlsx = await writeXlsxFile([[{ value: 'cell_code' }, { value: 'person' }], [{ value: second.properties.code }, { value: '郑洁' }]]).toBuffer();
    await file.setInputFiles({ name: '责任人.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: xlsx });
    await expect.poll(() => error.textContent()).toMatch(/^“责任人\.xlsx”是 Excel 工作簿（\.xlsx），不是 CSV，不能直接导入。请在 Excel 或 WPS 中“另存为”CSV 格式/);
    expect(await box.inputValue()).toBe('');
    await page.screenshot({ path: 'test-results/e2e/people-import-not-text.png' });

    await file.setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect.poll(() => box.inputValue()).toBe(csv);
    expect(await error.count()).toBe(0);
    // Excel's "CSV" on Chinese Windows is GBK: 郑洁 is D6A3 BDE0, 监督员 BCE0 B6BD D4B1.
    const gbk = Buffer.concat([
      Buffer.from(`cell_code,person,role,phone\n${second.properties.code},`),
      Buffer.from([0xd6, 0xa3, 0xbd, 0xe0, 0x2c, 0xbc, 0xe0, 0xb6, 0xbd, 0xd4, 0xb1]),
      Buffer.from(',13600006666\n'),
    ]);
    await box.fill('');
    await file.setInputFiles({ name: 'people-gbk.csv', mimeType: 'text/csv', buffer: gbk });
    await expect.poll(() => box.inputValue()).toBe(csv);
    await dialog.getByRole('button', { name: '关闭' }).click();
    expect(await saved(second.id)).toEqual(['周杰/supervisor']);
  });

  it('lists the cells below the selected one that miss a required role, and shades them on the map', async () => {
    const parentId = target.properties.parentId!;
    const siblings = (await cells(`parentId=${parentId}`)).filter((c) => c.id !== target.id);
    // Just below the zoom where the finest level is drawn, a click selects the community.
    const zoom = await page.evaluate(() => window.__wanggeMap!.getLayer('cells-fill-4')!.minzoom - 0.3);
    await page.evaluate(([c, z]) => window.__wanggeMap!.jumpTo({ center: c as [number, number], zoom: z as number }), [inside(target), zoom] as const);
    await page.waitForFunction(() => !window.__wanggeMap!.isMoving() && window.__wanggeMap!.loaded(), null, { timeout: 30_000 });
    const pixel = await page.evaluate((q) => window.__wanggeMap!.project(q as [number, number]), inside(target));
    const canvas = (await page.locator('.map canvas').boundingBox())!;
    await page.mouse.click(canvas.x + pixel.x, canvas.y + pixel.y);
    const gaps = editor().getByTestId('people-gaps');
    await expect.poll(() => gaps.locator('li').count(), { timeout: 15_000 }).toBe(siblings.length);
    const text = (await gaps.textContent())!;
    expect(text).not.toContain(target.properties.name);
    for (const c of siblings) expect(text).toContain(c.properties.code);
    expect(text).toContain('第一责任人 0/1');
    await gaps.getByRole('checkbox', { name: '在地图上标出' }).check();
    const filter = await page.evaluate(() => window.__wanggeMap!.getFilter('people-gaps-fill'));
    expect(filter).toEqual(['in', ['id'], ['literal', expect.arrayContaining(siblings.map((c) => c.id))]]);
    await page.waitForFunction(() => window.__wanggeMap!.loaded(), null, { timeout: 20_000 });
    await page.screenshot({ path: 'test-results/e2e/people-gaps.png' });
    await gaps.getByRole('checkbox', { name: '在地图上标出' }).uncheck();
    expect(await page.evaluate(() => window.__wanggeMap!.getLayer('people-gaps-fill') ?? null)).toBeNull();
  });

  it('shows the person assigned in the UI on the public card, phone masked, to someone signed out', async () => {
    await context.close();
    const publicContext = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    const visitor = await publicContext.newPage();
    await visitor.goto(server.url);
    await visitor.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
    await clickCell(visitor, target);
    const card = visitor.getByTestId('cell-card');
    await expect.poll(() => card.getByTestId('card-name').textContent(), { timeout: 15_000 }).toBe(target.properties.name);
    const text = (await card.textContent())!;
    expect(text).toContain('张伟');
    expect(text).toContain('137****1111');
    expect(text).toContain('王芳');
    expect(text).toContain('138****3333');
    expect(text).not.toContain('13700001111');
    // The photo uploaded above shows beside the name, loaded without an account.
    const img = card.getByTestId('card-person-photo');
    await expect(img.getAttribute('alt')).resolves.toBe('张伟');
    await visitor.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await img.elementHandle());
    await publicContext.close();
    expect(problems).toEqual([]);
  });
});
