import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { booleanPointInPolygon, centerOfMass, pointOnFeature } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import { launchBrowser, startServer, type RunningServer } from '../helpers/e2e.ts';

/** The planner sees a cell's units with counts by type, and the units on the map, clustered when zoomed out. */

type Cell = Feature<MultiPolygon, { name: string; level: number }> & { id: number };

let server: RunningServer;
let browser: Browser;
let page: Page;
let cell: Cell;
let at: [number, number];

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
  await page.goto(server.url);
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
  await page.getByTestId('sign-in').click();
  await page.locator('dialog input[name=username]').fill('planner');
  await page.locator('dialog input[name=password]').fill('demo1234');
  await page.locator('dialog button[type=submit]').click();
  await page.getByTestId('user-menu').waitFor();
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
