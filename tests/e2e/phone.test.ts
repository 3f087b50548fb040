import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { booleanPointInPolygon, centerOfMass, pointOnFeature } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Position } from 'geojson';
import { launchBrowser, signInApi, startServer, type RunningServer } from '../helpers/e2e.ts';
import { drawnPixels, expectScreenshot } from '../helpers/screenshots.ts';

/**
 * The phone layout (390×844, touch, zh-CN): a tapped cell's card in a bottom sheet under the map,
 * the report button giving way to the menu, the map drawn above the report form while it scrolls,
 * the tab bar and the signed-in name reachable, the inbox usable; each screen compared with its
 * committed reference picture (tests/e2e/__screenshots__, the map canvas hidden).
 */

type Cell = Feature<MultiPolygon, { code: string; name: string; level: number; parentId: number | null }> & { id: number };

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
/** The plain map's background colour (client/map/style.ts): a blank canvas shows only this. */
const MAP_BACKGROUND = '#eef1f5';

let server: RunningServer;
let browser: Browser;
let target: Cell;
const problems: string[] = [];
const contexts: BrowserContext[] = [];

function inside(c: Feature<MultiPolygon>): Position {
  const centre = centerOfMass(c);
  return (booleanPointInPolygon(centre, c) ? centre : pointOnFeature(c)).geometry.coordinates;
}

async function phonePage(): Promise<Page> {
  const context = await browser.newContext(PHONE);
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return page;
}

async function open(page: Page, hash = '') {
  await page.goto(`${server.url}/${hash}`);
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 120_000 });
  // No easing: pictures are taken of a map at rest.
  await page.evaluate(() => window.__wanggeMap!.jumpTo({ center: window.__wanggeMap!.getCenter() }));
}

const settled = (page: Page) => page.evaluate(() => new Promise<void>((resolve) => {
  const map = window.__wanggeMap!;
  if (!map.isMoving() && map.loaded()) resolve();
  else map.once('idle', () => resolve());
}));

/** Whether the element is what a finger at its centre touches (nothing lies over it). */
async function onTop(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return r.width > 0 && r.height > 0 && !!hit && (hit === el || el.contains(hit));
  });
}

const box = async (locator: Locator) => (await locator.boundingBox())!;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const res = await fetch(`${server.url}/api/cells?level=4`);
  const grids = ((await res.json()) as FeatureCollection<MultiPolygon>).features as Cell[];
  target = grids.find((c) => c.properties.name === '清姜社区第一网格') ?? grids[0]!;
  // A person on the card, and enough open reports for the inbox to scroll.
  const admin = await signInApi(server.url, 'admin');
  const person = (await (await admin('/api/people', { method: 'POST', body: JSON.stringify({ name: '王建国', phone: '13812345678' }) })).json()) as { id: number };
  expect((await admin(`/api/cells/${target.id}/assignments`, { method: 'PUT', body: JSON.stringify([{ personId: person.id, role: 'chief' }]) })).status).toBe(200);
  const at = inside(target);
  for (let i = 0; i < 14; i++) {
    const filed = await fetch(`${server.url}/api/reports`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `phone-test-${i}-${Date.now()}` },
      body: JSON.stringify({ location: { type: 'Point', coordinates: [at[0]! + i * 1e-5, at[1]!] }, category: 'fire', severity: 'ordinary', description: `楼道堆放杂物 ${i + 1}` }),
    });
    expect(filed.status, await filed.text()).toBe(201);
  }
}, 300_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('the public map on a phone', () => {
  let page: Page;

  it('shows the map under the header, the report button on top', async () => {
    page = await phonePage();
    await open(page);
    await expect(onTop(page.getByTestId('report-fab'))).resolves.toBe(true);
    await expectScreenshot(page, 'phone-map', { docImage: 'phone-map.png' });
  });

  it('opens a tapped cell\'s card in a bottom sheet under the map, which expands, collapses and closes', async () => {
    await page.evaluate((c) => window.__wanggeMap!.jumpTo({ center: c as [number, number], zoom: 15 }), inside(target));
    await settled(page);
    const pixel = await page.evaluate((p) => window.__wanggeMap!.project(p as [number, number]), inside(target));
    const canvas = await box(page.locator('.map canvas'));
    await page.touchscreen.tap(canvas.x + pixel.x, canvas.y + pixel.y);

    const sheet = page.getByTestId('cell-sheet');
    await expect.poll(() => sheet.getByTestId('card-name').textContent(), { timeout: 15_000 }).toBe(target.properties.name);
    expect(await sheet.textContent()).toContain('138****5678');
    // The map stays visible above the sheet, the sheet on screen, its controls on top.
    const mapBox = await box(page.locator('.map-wrap'));
    const collapsed = await box(sheet);
    expect(mapBox.y + mapBox.height).toBeLessThanOrEqual(collapsed.y + 1);
    expect(mapBox.height).toBeGreaterThan(844 * 0.4);
    expect(collapsed.y + collapsed.height).toBeLessThanOrEqual(844);
    await expect(onTop(page.getByTestId('cell-sheet-close'))).resolves.toBe(true);
    await expect(onTop(page.getByTestId('cell-sheet-handle'))).resolves.toBe(true);
    // The report button gives way to the card.
    expect(await page.getByTestId('report-fab').isVisible()).toBe(false);
    await settled(page);
    await expectScreenshot(page, 'phone-card', { docImage: 'phone-card.png' });

    // Tap the handle: expanded; swipe it down: collapsed again.
    await page.getByTestId('cell-sheet-handle').click();
    await expect.poll(() => page.getByTestId('cell-sheet-handle').getAttribute('aria-expanded')).toBe('true');
    expect((await box(sheet)).height).toBeGreaterThanOrEqual(collapsed.height);
    const handle = await box(page.getByTestId('cell-sheet-handle'));
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2 + 120, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('cell-sheet-handle').getAttribute('aria-expanded')).toBe('false');

    await page.getByTestId('cell-sheet-close').click();
    await expect.poll(() => sheet.count()).toBe(0);
    await expect(onTop(page.getByTestId('report-fab'))).resolves.toBe(true);
  });

  it('keeps the report button off the open menu', async () => {
    const fab = await box(page.getByTestId('report-fab'));
    await page.locator('.panel-toggle').click();
    await page.locator('#side-panel').waitFor();
    expect(await page.getByTestId('report-fab').isVisible()).toBe(false);
    // The button overlapped the menu's edge: what a finger there touches is now the menu.
    const panel = await box(page.locator('#side-panel'));
    expect(fab.x).toBeLessThan(panel.x + panel.width - 8);
    const hit = await page.evaluate(([x, y]) => !!document.elementFromPoint(x!, y!)?.closest('#side-panel'), [fab.x + 6, fab.y + fab.height / 2]);
    expect(hit).toBe(true);
    await expectScreenshot(page, 'phone-menu', { docImage: 'phone-menu.png' });
    await page.locator('.panel-toggle').click();
    await expect(onTop(page.getByTestId('report-fab'))).resolves.toBe(true);
  });

  it('keeps the map drawn above the report form while the form scrolls', async () => {
    await page.evaluate(() => window.__wanggeMap!.jumpTo({ center: window.__wanggeMap!.getCenter(), zoom: 11 }));
    await settled(page);
    await page.getByTestId('report-fab').click();
    const form = page.getByTestId('report-form');
    await form.waitFor();
    const mapBox = await box(page.locator('.map-wrap'));
    const formBox = await box(form);
    expect(mapBox.y + mapBox.height).toBeLessThanOrEqual(formBox.y + 1);
    // The part of the map above the form, left of the zoom buttons.
    const clip = { x: 0, y: mapBox.y, width: mapBox.width - 60, height: mapBox.height - 30 };
    const area = clip.width * clip.height;
    await settled(page);
    let resizes = 0;
    await page.exposeFunction('__phoneResized', () => resizes++);
    await page.evaluate(() => window.__wanggeMap!.on('resize', () => void (window as unknown as { __phoneResized: () => void }).__phoneResized()));
    expect(await drawnPixels(page, clip, MAP_BACKGROUND)).toBeGreaterThan(area * 0.05);
    for (const top of [120, 260, 10_000]) {
      await form.evaluate((el, y) => el.scrollTo({ top: y }), top);
      await page.waitForTimeout(100);
      expect(await drawnPixels(page, clip, MAP_BACKGROUND)).toBeGreaterThan(area * 0.05);
    }
    // Scrolling the form is not a size change of the map.
    expect(resizes).toBe(0);
    await form.evaluate((el) => el.scrollTo({ top: 0 }));
    await expect(onTop(page.getByTestId('report-form-close'))).resolves.toBe(true);
    await expectScreenshot(page, 'phone-report-form', { docImage: 'phone-report-form.png' });
    await page.getByTestId('report-form-close').click();
  });
});

describe('the inbox on a phone, signed in', () => {
  it('shows the signed-in name, keeps the tab bar reachable over the open inbox, and every report reachable', async () => {
    const page = await phonePage();
    const res = await page.request.post(`${server.url}/api/session`, { data: { username: 'commander', password: 'demo1234' } });
    expect(res.status()).toBe(200);
    await open(page, '#/reports');

    const name = page.locator('.header .user-name');
    expect(await name.isVisible()).toBe(true);
    expect(await name.evaluate((el) => el.firstChild?.textContent)).toBe('指挥中心值班员');
    expect((await box(name)).width).toBeGreaterThan(30);
    await expect(onTop(name)).resolves.toBe(true);

    await page.locator('.panel-toggle').click();
    const items = page.locator('.report-item');
    await expect.poll(() => items.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(14);
    // The tab bar stays on top of the open inbox.
    for (const tab of ['nav-map', 'nav-reports', 'nav-command']) await expect(onTop(page.getByTestId(tab))).resolves.toBe(true);
    // The last report scrolls into view above the tab bar and takes the tap.
    const last = items.last();
    await last.scrollIntoViewIfNeeded();
    const tabs = await box(page.locator('.views'));
    const lastBox = await box(last);
    expect(lastBox.y + lastBox.height).toBeLessThanOrEqual(tabs.y + 1);
    await expect(onTop(last.locator('button').first())).resolves.toBe(true);
    await page.locator('#side-panel .view-panel, #side-panel').first().evaluate((el) => el.scrollTo({ top: 0 }));
    await page.evaluate(() => document.querySelectorAll('#side-panel, #side-panel *').forEach((el) => (el.scrollTop = 0)));
    await expectScreenshot(page, 'phone-inbox', { docImage: 'phone-inbox.png', hide: ['.report-item-meta'] });
    await page.getByTestId('nav-map').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/map');
  });

  it('raised no page errors', () => {
    expect(problems).toEqual([]);
  });
});
