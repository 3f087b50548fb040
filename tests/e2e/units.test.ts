import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { booleanPointInPolygon, centerOfMass, pointOnFeature } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import { launchBrowser, startServer, type RunningServer, openSignedIn } from '../helpers/e2e.ts';

/** The planner sees a cell's units with counts by type, and the units on the map, clustered when zoomed out. */

type Cell = Feature<MultiPolygon, { name: string; code: string; level: number }> & { id: number };

let server: RunningServer;
let browser: Browser;
let page: Page;
let cell: Cell;
let at: [number, number];
let other: [number, number];
let otherCell: Cell;
let api: (method: string, url: string, body?: unknown) => Promise<Response>;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const signIn = await fetch(`${server.url}/api/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'demo1234' }),
  });
  const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  const fc = (await (await fetch(`${server.url}/api/cells?level=4`)).json()) as FeatureCollection<MultiPolygon, Cell['properties']>;
  cell = fc.features[10] as Cell;
  const centre = centerOfMass(cell);
  at = (booleanPointInPolygon(centre, cell) ? centre : pointOnFeature(cell)).geometry.coordinates as [number, number];
  // The nearest other cell of the level, to move a unit there.
  const d2 = (f: Cell) => { const [x, y] = pointOnFeature(f).geometry.coordinates as [number, number]; return (x - at[0]) ** 2 + (y - at[1]) ** 2; };
  otherCell = (fc.features as Cell[]).filter((f) => f.id !== cell.id).sort((a, b) => d2(a) - d2(b))[0]!;
  other = pointOnFeature(otherCell).geometry.coordinates as [number, number];
  api = (method, url, body) => fetch(`${server.url}${url}`, {
    method, headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const units: [string, string][] = [['company', '宏达机械厂'], ['company', '渭滨印刷厂'], ['small_place', '小吃店'], ['key_fire_a', '金台商场']];
  for (const [i, [type, name]] of units.entries()) {
    const res = await fetch(`${server.url}/api/units`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: [at[0] + i * 0.00005, at[1]] }, properties: { type, name } }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
  }

  page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });
  await openSignedIn(page, server.url, 'planner');
  await page.getByTestId('nav-plan').click();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('units in the planner view', () => {
  it('lists the selected cell\'s units with counts by type', async () => {
    await page.evaluate((c) => window.__wanggeMap!.jumpTo({ center: c, zoom: 16 }), at);
    await page.waitForFunction(() => !window.__wanggeMap!.isMoving() && window.__wanggeMap!.loaded(), null, { timeout: 30_000 });
    const pixel = await page.evaluate((c) => window.__wanggeMap!.project(c), [at[0], at[1] - 0.0003] as [number, number]);
    const canvas = (await page.locator('.map canvas').boundingBox())!;
    await page.mouse.click(canvas.x + pixel.x, canvas.y + pixel.y);
    const counts = page.getByTestId('unit-counts');
    await counts.waitFor({ timeout: 15_000 });
    await expect(counts.textContent()).resolves.toMatch(/Company or institution\s*2/);
    await expect(counts.textContent()).resolves.toMatch(/Small place \(nine kinds\)\s*1/);
    await expect(page.getByTestId('units').textContent()).resolves.toContain('金台商场');
  });

  it('draws the units on the map, one by one up close and as a cluster from afar', async () => {
    await expect.poll(() => page.evaluate(() => window.__wanggeMap!.queryRenderedFeatures({ layers: ['units-points'] }).length), { timeout: 10_000 })
      .toBe(4);
    await page.evaluate((c) => window.__wanggeMap!.jumpTo({ center: c, zoom: 11 }), at);
    await expect.poll(() => page.evaluate(() => window.__wanggeMap!.queryRenderedFeatures({ layers: ['units-clusters'] })
      .map((f) => Number(f.properties.point_count))), { timeout: 10_000 }).toEqual([4]);
  });
});

/** Clicks the map at a position (the map is first brought there, so the point is on screen). */
async function clickMapAt(p: Page, lonLat: [number, number], zoom = 16) {
  await p.evaluate(([c, z]) => window.__wanggeMap!.jumpTo({ center: c, zoom: z }), [lonLat, zoom] as const);
  await p.waitForFunction(() => !window.__wanggeMap!.isMoving() && window.__wanggeMap!.loaded(), null, { timeout: 30_000 });
  const pixel = await p.evaluate((c) => window.__wanggeMap!.project(c), lonLat);
  const canvas = (await p.locator('.map canvas').boundingBox())!;
  await p.mouse.click(canvas.x + pixel.x, canvas.y + pixel.y);
}

const rowNames = () => page.getByTestId('unit-row').locator('.unit-row-name').allTextContents();
const shots = process.env.WANGGE_SCREENSHOTS;

describe('the units view (一户一档)', () => {
  beforeAll(async () => {
    // A patrol of the cell checks in at 金台商场 and files a finding: the unit's page shows both.
    const list = (await (await api('GET', `/api/units?cellId=${cell.id}`)).json()) as { features: { id: number; properties: { name: string } }[] };
    const mall = list.features.find((f) => f.properties.name === '金台商场')!;
    const patrol = (await (await api('POST', '/api/inspections', { cellId: cell.id })).json()) as { id: number };
    expect((await api('POST', `/api/inspections/${patrol.id}/visits`, { unitId: mall.id })).status).toBe(201);
    expect((await api('POST', `/api/inspections/${patrol.id}/findings`, { unitId: mall.id, category: 'fire', severity: 'ordinary', description: '疏散通道堆放货物' })).status).toBe(201);
    expect((await api('POST', `/api/units/${mall.id}/records`, { kind: 'note', text: '消防设施年检合格' })).status).toBe(201);
    page.on('dialog', (d) => void d.accept());
    await page.getByTestId('nav-units').click();
    await page.getByTestId('units-list').waitFor();
  }, 120_000);

  it('lists units, searches them, and filters them by cell (clicked on the map) and by type', async () => {
    await page.getByTestId('units-search').fill('金台');
    await expect.poll(rowNames).toEqual(['金台商场']);
    await page.getByTestId('units-search').fill('');
    await clickMapAt(page, [at[0], at[1] - 0.0003]);
    await expect.poll(() => page.getByTestId('units-cell-filter').textContent()).toContain(cell.properties.name);
    await expect.poll(async () => (await rowNames()).filter((n) => ['宏达机械厂', '渭滨印刷厂', '小吃店', '金台商场'].includes(n)).sort())
      .toEqual(['宏达机械厂', '小吃店', '渭滨印刷厂', '金台商场'].sort());
    await page.getByTestId('units-type').selectOption('company');
    await expect.poll(async () => { const n = await rowNames(); return n.includes('宏达机械厂') && n.includes('渭滨印刷厂') && !n.includes('小吃店') && !n.includes('金台商场'); }).toBe(true);
    await page.getByTestId('units-type').selectOption('');
    await expect.poll(async () => (await rowNames()).includes('小吃店')).toBe(true);
    if (shots) await page.screenshot({ path: `${shots}/units-list.png` });
  });

  it('files a new unit where the map is clicked, edits it, and moves it: the server re-files it in its new cell', async () => {
    await page.getByTestId('unit-new').click();
    const form = page.getByTestId('unit-form');
    await form.locator('select[name=type]').selectOption('small_place');
    await form.locator('input[name=name]').fill('新华书店');
    await form.locator('input[name=contact]').fill('刘店长 13700137000');
    const spot: [number, number] = [at[0] + 0.0002, at[1] + 0.0001];
    await clickMapAt(page, spot);
    // Placed where clicked, to the pixel.
    await expect.poll(async () => {
      const [lon, lat] = ((await page.getByTestId('unit-where').textContent()) ?? '').match(/-?\d+\.\d+/g)?.map(Number) ?? [NaN, NaN];
      return Math.abs(lon! - spot[0]) < 2e-5 && Math.abs(lat! - spot[1]) < 2e-5;
    }).toBe(true);
    await page.getByTestId('unit-save').click();
    const unitPage = page.getByTestId('unit-page');
    await unitPage.waitFor();
    await expect.poll(() => unitPage.locator('.unit-title').textContent()).toContain('新华书店');
    await expect.poll(() => page.getByTestId('unit-cell').textContent()).toBe(cell.properties.code);

    await page.getByTestId('unit-edit').click();
    await page.getByTestId('unit-form').locator('input[name=address]').fill('经二路 88 号');
    await page.getByTestId('unit-save').click();
    await expect.poll(() => page.getByTestId('unit-page').textContent()).toContain('经二路 88 号');

    await page.getByTestId('unit-move-start').click();
    await clickMapAt(page, other);
    await page.getByTestId('unit-save-position').click();
    await expect.poll(() => page.getByTestId('unit-cell').textContent()).toBe(otherCell.properties.code);
    await expect.poll(() => page.getByTestId('unit-notice').textContent()).toContain(otherCell.properties.code);
  });

  it("opens a unit's page with its records over time and its contacts, and adds a record", async () => {
    await page.getByTestId('unit-back').click();
    await page.getByTestId('units-search').fill('金台商场');
    await page.getByTestId('unit-row').first().click();
    const timeline = page.getByTestId('unit-timeline');
    await timeline.waitFor();
    await expect.poll(() => timeline.locator('li').evaluateAll((li) => li.map((x) => (x as HTMLElement).dataset.kind)))
      .toEqual(['note', 'hazard', 'visit']);
    await expect(timeline.textContent()).resolves.toContain('疏散通道堆放货物');
    await expect(page.getByTestId('unit-summary').textContent()).resolves.toMatch(/Hazards: 1\s*Open: 1/);
    await expect(page.getByTestId('hazard-state').textContent()).resolves.toBe('Reported');
    const add = page.getByTestId('unit-add-record');
    await add.locator('input[name=text]').fill('灭火器已更换');
    await add.locator('button[type=submit]').click();
    // The newest first: a record written today goes on top.
    await expect.poll(() => timeline.locator('li').first().textContent()).toContain('灭火器已更换');
    if (shots) await page.screenshot({ path: `${shots}/unit-page.png` });
  });

  it('imports units from CSV after a preview that shows the cell of each row and the rows in error', async () => {
    await page.getByTestId('unit-back').click();
    await page.getByTestId('units-import-open').click();
    const dialog = page.getByTestId('units-import');
    const csv = `类型,名称,地址,经度,纬度\n九小场所,导入面馆,经二路1号,${at[0] + 0.0001},${at[1] - 0.0001}\n企事业单位,导入工厂,,${at[0] - 0.0001},${at[1] + 0.0001}\ncasino,坏行,,${at[0]},${at[1]}\n`;
    await dialog.locator('textarea[name=csv]').fill(csv);
    await page.getByTestId('import-preview-button').click();
    const preview = page.getByTestId('import-preview-rows');
    await preview.waitFor();
    await expect(preview.locator('tbody tr').allTextContents()).resolves.toEqual([
      expect.stringContaining('导入面馆'), expect.stringContaining('导入工厂'),
    ]);
    await expect(preview.textContent()).resolves.toContain(cell.properties.code);
    await expect(page.getByTestId('import-errors').textContent()).resolves.toContain('casino');
    // Nothing is written by the preview.
    expect(((await (await api('GET', `/api/units?cellId=${cell.id}`)).json()) as { features: { properties: { name: string } }[] }).features.some((f) => f.properties.name === '导入面馆')).toBe(false);
    if (shots) await page.screenshot({ path: `${shots}/units-import.png` });
    await page.getByTestId('import-run').click();
    await expect.poll(() => page.getByTestId('import-done').textContent()).toContain('2');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('units-search').fill('导入');
    await expect.poll(async () => (await rowNames()).sort()).toEqual(['导入工厂', '导入面馆']);
  });

  it('archives a unit: it leaves the list and the map, and shows again with archived units included', async () => {
    await page.getByTestId('units-search').fill('导入面馆');
    await page.getByTestId('unit-row').first().click();
    await page.getByTestId('unit-archive').click();
    await page.getByTestId('unit-archived').waitFor();
    await page.getByTestId('unit-back').click();
    await expect.poll(rowNames).toEqual([]);
    await page.getByTestId('units-archived').check();
    await expect.poll(rowNames).toEqual(['导入面馆 Archived']);
  });

  it('works on a phone: the list is a bottom sheet under the map', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
    await phone.goto(server.url);
    await phone.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
    await phone.evaluate(async () => {
      const s = await (await fetch('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'worker', password: 'demo1234' }) })).json();
      return s;
    });
    await phone.goto(`${server.url}/#/units`);
    await phone.reload();
    await phone.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
    // On a phone the panel opens from the menu button.
    await phone.locator('.panel-toggle').click();
    await phone.getByTestId('units-list').waitFor({ timeout: 30_000 });
    const sheet = (await phone.locator('aside.panel').boundingBox())!;
    expect(sheet.width).toBe(390);
    expect(sheet.y).toBeGreaterThan(844 * 0.3);
    if (shots) await phone.screenshot({ path: `${shots}/units-phone.png` });
    await phone.close();
  });
});
