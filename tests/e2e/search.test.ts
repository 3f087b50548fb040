import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pointOnFeature } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import { launchBrowser, signInApi, startServer, type RunningServer } from '../helpers/e2e.ts';

// The search box as people use it: a name typed on the desktop, a coordinate pasted, "which grid am
// I in" on a phone, a unit found by a signed-in worker.

type Cell = Feature<MultiPolygon, { code: string; name: string; level: number }> & { id: number };

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let community: Cell;
let leaf: Cell;
const problems: string[] = [];

async function open(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(server.url);
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
  return page;
}

const newContext = async (options: Parameters<Browser['newContext']>[0]) => {
  const context = await browser.newContext({ locale: 'zh-CN', ...options });
  contexts.push(context);
  return context;
};

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await mkdir('test-results/e2e', { recursive: true });
  const cells = async (q: string) => ((await (await fetch(`${server.url}/api/cells?${q}`)).json()) as FeatureCollection<MultiPolygon>).features as Cell[];
  community = (await cells('level=3'))[0]!;
  let cell = community;
  for (;;) {
    const children = await cells(`parentId=${cell.id}`);
    if (!children.length) break;
    cell = children[0]!;
  }
  leaf = cell;
}, 300_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('the search box', () => {
  it('finds a community by part of its name, flies there and opens its card', async () => {
    const page = await open(await newContext({ viewport: { width: 1400, height: 900 } }));
    await page.getByTestId('search-input').fill(community.properties.name.slice(0, 2));
    const hit = page.getByTestId('search-hit-cell').filter({ hasText: community.properties.name }).first();
    await hit.click();
    await expect.poll(() => page.getByTestId('details-name').textContent()).toBe(community.properties.name);
    // The map now shows the community: its centre is inside the view.
    const [lon, lat] = pointOnFeature(community).geometry.coordinates as [number, number];
    await expect.poll(() => page.evaluate(([x, y]) => window.__wanggeMap!.getBounds().contains([x!, y!]), [lon, lat])).toBe(true);
  });

  it('reads a pasted coordinate (latitude first, as map apps copy it) and opens the cell there', async () => {
    const page = await open(await newContext({ viewport: { width: 1400, height: 900 } }));
    const [lon, lat] = pointOnFeature(leaf).geometry.coordinates as [number, number];
    await page.getByTestId('search-input').fill(`${lat.toFixed(6)}, ${lon.toFixed(6)}`);
    await page.getByTestId('search-hit-point').filter({ hasText: leaf.properties.name }).waitFor();
    await page.getByTestId('search-input').press('Enter');
    await expect.poll(() => page.getByTestId('details-name').textContent()).toBe(leaf.properties.name);
  });

  it('answers "which grid am I in" on a phone from its position', async () => {
    const [lon, lat] = pointOnFeature(leaf).geometry.coordinates as [number, number];
    const context = await newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, geolocation: { longitude: lon, latitude: lat }, permissions: ['geolocation'] });
    const page = await open(context);
    await page.getByTestId('search').getByRole('button', { name: '搜索' }).click();
    await expect(page.getByTestId('search-input').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: 'test-results/e2e/search-phone.png' });
    await page.getByTestId('search-locate').click();
    await page.locator('.panel-toggle').click();
    await expect.poll(() => page.getByTestId('details-name').textContent()).toBe(leaf.properties.name);
  });

  it('finds a unit for a signed-in worker, not for the public', async () => {
    const admin = await signInApi(server.url, 'admin');
    const [lon, lat] = pointOnFeature(leaf).geometry.coordinates as [number, number];
    const res = await admin('/api/units', { method: 'POST', body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { type: 'small_place', name: '搜索测试五金店', address: '测试路 8 号' } }) });
    expect(res.status).toBe(201);

    const pub = await open(await newContext({ viewport: { width: 1400, height: 900 } }));
    await pub.getByTestId('search-input').fill('搜索测试');
    await pub.getByTestId('search-results').getByText('没有找到').waitFor();

    const context = await newContext({ viewport: { width: 1400, height: 900 } });
    const login = await context.request.post(`${server.url}/api/session`, { data: { username: 'admin', password: 'demo1234' } });
    expect(login.status()).toBe(200);
    const page = await open(context);
    await page.getByTestId('search-input').fill('测试路');
    await page.getByTestId('search-hit-unit').filter({ hasText: '搜索测试五金店' }).click();
    await expect.poll(() => page.getByTestId('details-name').textContent()).toBe(leaf.properties.name);
    await page.getByTestId('search-pin').waitFor();
    await page.screenshot({ path: 'test-results/e2e/search-unit.png' });
    expect(problems).toEqual([]);
  });
});
