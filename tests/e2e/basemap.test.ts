import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { launchBrowser, signInApi, startServer, type RunningServer } from '../helpers/e2e.ts';
import { pmtilesOneTile } from '../fixtures/pmtiles.ts';

// The admin sets a basemap in the UI; the next page load draws it under the grid.

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;

async function page(): Promise<Page> {
  const p = await context.newPage();
  await p.goto(server.url);
  await p.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
  return p;
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await mkdir(path.join(server.dataDir, 'basemaps'), { recursive: true });
  const png = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#9ecae1' } }).png().toBuffer();
  await writeFile(path.join(server.dataDir, 'basemaps', 'offline-city.pmtiles'), pmtilesOneTile(png, 'png'));
  context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  const login = await context.request.post(`${server.url}/api/session`, { data: { username: 'admin', password: 'demo1234' } });
  expect(login.status()).toBe(200);
}, 300_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

describe('the basemap setting', () => {
  it('is set by the admin in the UI (a local PMTiles file) and drawn under the grid after a reload', async () => {
    const p = await page();
    await p.goto(`${server.url}/#/admin`);
    const form = p.getByTestId('basemap-settings');
    await form.getByTestId('basemap-kind-none').waitFor();
    await expect(form.getByTestId('basemap-kind-none').isChecked()).resolves.toBe(true);
    // A GCJ-02 tile URL is refused with the reason, in Chinese.
    await form.getByTestId('basemap-kind-raster').check();
    await form.getByTestId('basemap-tiles').fill('https://webrd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=8');
    await form.getByTestId('basemap-save').click();
    await expect(form.getByRole('alert').textContent()).resolves.toContain('GCJ-02');
    await form.getByTestId('basemap-kind-local').check();
    await form.getByTestId('basemap-local').selectOption('offline-city.pmtiles');
    await form.getByTestId('basemap-save').click();
    await form.getByRole('status').waitFor();

    const fresh = await page();
    const tiles: string[] = [];
    fresh.on('request', (r) => {
      if (r.url().includes('/basemap/local/')) tiles.push(r.url());
    });
    await fresh.reload();
    await fresh.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
    await expect(fresh.evaluate(() => window.__wanggeMap!.getStyle().layers.map((l) => l.id).slice(0, 2))).resolves.toEqual(['background', 'basemap']);
    await expect.poll(() => tiles.length).toBeGreaterThan(0);
    await fresh.screenshot({ path: 'test-results/e2e/basemap-local.png' });
  });

  it('offers the satellite view with Tianditu, switching layers without reloading the grid', async () => {
    const admin = await signInApi(server.url, 'admin');
    const res = await admin('/api/settings/basemap', { method: 'PUT', body: JSON.stringify({ kind: 'tianditu', tiandituKey: '0123456789abcdef0123456789abcdef' }) });
    expect(res.status).toBe(200);
    // The CSP allows Tianditu now; the tiles themselves cannot load here (no internet).
    const p = await page();
    const visibility = () => p.evaluate(() => ['basemap', 'satellite'].map((id) => window.__wanggeMap!.getLayoutProperty(id, 'visibility')));
    await expect(visibility()).resolves.toEqual(['visible', 'none']);
    await p.getByTestId('basemap-satellite').click();
    await expect.poll(visibility).toEqual(['none', 'visible']);
    await expect(p.getByTestId('basemap-satellite').textContent()).resolves.toBe('矢量地图');
    const cellLayers = await p.evaluate(() => window.__wanggeMap!.getStyle().layers.filter((l) => l.id.startsWith('cells-fill-')).length);
    expect(cellLayers).toBeGreaterThan(0);
    await admin('/api/settings/basemap', { method: 'PUT', body: JSON.stringify({ kind: 'none' }) });
  });
});
