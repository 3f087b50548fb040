import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { booleanPointInPolygon, centerOfMass, pointOnFeature } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Position } from 'geojson';
import { launchBrowser, startServer, type RunningServer, signInApi, type Api } from '../helpers/e2e.ts';

interface CellProps {
  code: string;
  name: string;
  level: number;
  parentId: number | null;
}
type Cell = Feature<MultiPolygon, CellProps> & { id: number };

let server: RunningServer;
let browser: Browser;
let admin: Api;
let target: Cell;
let community: Cell;
const problems: string[] = [];

/** People on the card: full phones as stored, and how the public card shows them. */
const PEOPLE = [
  { name: '王建国', phone: '13812345678', masked: '138****5678', role: 'first_responsible', title: '党支部书记' },
  { name: '赵秀兰', phone: '13987654321', masked: '139****4321', role: 'supervisor', title: null },
  { name: '刘志强', phone: '15011112222', masked: '150****2222', role: 'chief', title: null },
];
const PARENT_CHIEF = { name: '陈社区', phone: '18600001234', masked: '186****1234' };

const apiAs = (username: string) => signInApi(server.url, username);

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  const body = await r.text();
  expect(r.ok, body).toBe(true);
  return JSON.parse(body) as T;
}

const cells = async (query: string) => (await json<FeatureCollection<MultiPolygon, CellProps>>(fetch(`${server.url}/api/cells?${query}`))).features as Cell[];

function inside(c: Feature<MultiPolygon>): Position {
  const centre = centerOfMass(c);
  return (booleanPointInPolygon(centre, c) ? centre : pointOnFeature(c)).geometry.coordinates;
}

async function signedOutPage(viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.goto(server.url);
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
  return page;
}

/** Clicks the map where the cell is, after bringing it into view at a zoom where its level is drawn. */
async function clickCell(page: Page, cell: Cell) {
  await page.evaluate((c) => {
    const map = window.__wanggeMap!;
    map.jumpTo({ center: c as [number, number], zoom: 15 });
  }, inside(cell));
  await page.waitForFunction(() => !window.__wanggeMap!.isMoving() && window.__wanggeMap!.loaded(), null, { timeout: 30_000 });
  const pixel = await page.evaluate((p) => window.__wanggeMap!.project(p as [number, number]), inside(cell));
  const canvas = (await page.locator('.map canvas').boundingBox())!;
  await page.mouse.click(canvas.x + pixel.x, canvas.y + pixel.y);
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  admin = await apiAs('admin');
  const grids = await cells('level=4');
  target = grids.find((c) => c.properties.name === '清姜社区第一网格') ?? grids[0]!;
  community = (await cells('level=3')).find((c) => c.id === target.properties.parentId)!;
  const ids: number[] = [];
  for (const p of [...PEOPLE, PARENT_CHIEF]) {
    const made = await json<{ id: number }>(admin('/api/people', { method: 'POST', body: JSON.stringify({ name: p.name, phone: p.phone, title: 'title' in p ? p.title : null }) }));
    ids.push(made.id);
  }
  // Stored out of role order: the card groups by role in the configured order.
  const list = [PEOPLE[2]!, PEOPLE[1]!, PEOPLE[0]!].map((p) => ({ personId: ids[PEOPLE.indexOf(p)]!, role: p.role }));
  await json(admin(`/api/cells/${target.id}/assignments`, { method: 'PUT', body: JSON.stringify(list) }));
  await json(admin(`/api/cells/${community.id}/assignments`, { method: 'PUT', body: JSON.stringify([{ personId: ids[3]!, role: 'chief' }]) }));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the public card (亮身份), signed out', () => {
  it('shows who answers for the clicked cell, by role, with masked phones, and its parents collapsed', async () => {
    const page = await signedOutPage({ width: 1400, height: 900 });
    expect(await page.getByTestId('sign-in').count()).toBe(1);
    await clickCell(page, target);

    const card = page.getByTestId('cell-card');
    await expect.poll(() => card.getByTestId('card-name').textContent(), { timeout: 15_000 }).toBe(target.properties.name);
    const text = (await card.textContent())!;
    expect(text).toContain(target.properties.code);
    expect(text).toContain('片区');
    expect(text).toMatch(/平方(千)?米/);
    // Roles in the configured order (第一责任人 before 网格长 before 监督员), whatever the stored order.
    expect(await card.locator('.card-role dt').allTextContents()).toEqual(['第一责任人', '网格长', '监督员']);
    const people = await card.getByTestId('card-person').allTextContents();
    expect(people[0]).toContain('王建国');
    expect(people[0]).toContain('党支部书记');
    for (const p of PEOPLE) {
      expect(text).toContain(p.name);
      expect(text).toContain(p.masked);
      expect(await page.content()).not.toContain(p.phone);
    }
    // A masked phone is not a link to call.
    expect(await card.locator('a.card-phone').count()).toBe(0);

    // Parents, nearest first, collapsed until opened: the district, street and community above.
    const parents = card.getByTestId('card-parent');
    expect(await parents.count()).toBe(3);
    expect(await parents.first().textContent()).toContain(community.properties.name);
    expect(await parents.evaluateAll((els) => els.map((e) => (e as HTMLDetailsElement).open))).toEqual([false, false, false]);
    expect(await parents.first().isVisible()).toBe(true);
    await parents.first().locator('summary').click();
    await expect.poll(() => parents.first().textContent()).toContain(PARENT_CHIEF.masked);
    expect(await parents.first().textContent()).toContain(PARENT_CHIEF.name);

    await page.waitForFunction(() => window.__wanggeMap!.loaded(), null, { timeout: 20_000 });
    await mkdir('test-results/e2e', { recursive: true });
    await page.screenshot({ path: 'test-results/e2e/card-desktop.png' });
    await page.context().close();
  });

  it('fits a phone screen (375 px): the card in the panel sheet, nothing wider than the screen', async () => {
    const page = await signedOutPage({ width: 375, height: 740 });
    await clickCell(page, target);
    await page.getByRole('button', { name: '显示网格列表' }).click();
    const card = page.getByTestId('cell-card');
    await expect.poll(() => card.getByTestId('card-name').textContent(), { timeout: 15_000 }).toBe(target.properties.name);
    await card.scrollIntoViewIfNeeded();
    const box = (await card.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(375);
    for (const person of await card.getByTestId('card-person').all()) {
      const b = (await person.boundingBox())!;
      expect(b.x + b.width).toBeLessThanOrEqual(375);
    }
    expect(await card.textContent()).toContain(PEOPLE[0]!.masked);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: 'test-results/e2e/card-mobile.png' });
    await page.context().close();
    expect(problems).toEqual([]);
  });
});
