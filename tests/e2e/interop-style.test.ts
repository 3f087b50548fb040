import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startServer, type RunningServer, signInUi } from '../helpers/e2e.ts';
import { levelColors } from '../../core/map/cell-layers.ts';

// Another web map adds the grid by one URL: MapLibre (the npm package, not the app) opens
// /styles/cells.json and draws the cells from the tiles the TileJSON points at.

const MAPLIBRE = path.resolve('node_modules/maplibre-gl/dist');
let server: RunningServer;
let browser: Browser;
let page: Page;

declare global {
  interface Window {
    __styleMap?: import('maplibre-gl').Map;
    __styleError?: string;
  }
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  // A page of "another site" with MapLibre from node_modules: served from files, no app code.
  await page.route(`${server.url}/__other-site/**`, async (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop()!;
    if (name === 'map.html') {
      return route.fulfill({ contentType: 'text/html', body: `<!doctype html><html><head><link rel="stylesheet" href="maplibre-gl.css"></head>
<body style="margin:0"><div id="map" style="width:1000px;height:700px"></div>
<script type="module">
import { Map, setWorkerUrl } from './maplibre-gl.mjs';
const worker = await (await fetch('./maplibre-gl-worker.mjs')).text();
setWorkerUrl(URL.createObjectURL(new Blob([worker], { type: 'text/javascript' })));
const map = new Map({ container: 'map', style: '${server.url}/styles/cells.json', attributionControl: false });
map.on('error', (e) => { window.__styleError = String(e.error?.message ?? e.error); });
window.__styleMap = map;
</script></body></html>` });
    }
    return route.fulfill({ contentType: name.endsWith('.css') ? 'text/css' : 'text/javascript', body: await readFile(path.join(MAPLIBRE, name)) });
  });
}, 300_000);

afterAll(async () => {
  await page?.close();
  await browser?.close();
  await server?.stop();
});

describe('/styles/cells.json in MapLibre', () => {
  it('draws the cells of every level at the style\'s own view, coloured as in the app', async () => {
    await page.goto(`${server.url}/__other-site/map.html`);
    await page.waitForFunction(() => window.__styleError !== undefined || (window.__styleMap?.loaded() && window.__styleMap.areTilesLoaded()), null, { timeout: 120_000 });
    expect(await page.evaluate(() => window.__styleError)).toBeUndefined();
    const style = (await (await fetch(`${server.url}/styles/cells.json`)).json()) as { center: number[]; zoom: number };
    const rendered = await page.evaluate(() => {
      const map = window.__styleMap!;
      return {
        center: map.getCenter().toArray(),
        zoom: map.getZoom(),
        features: map.queryRenderedFeatures().map((f) => ({ layer: f.layer.id, source: f.source, sourceLayer: f.sourceLayer, code: f.properties.code, level: f.properties.level, fill: f.layer.type === 'fill' ? String(f.layer.paint?.['fill-color']) : null })),
      };
    });
    expect(rendered.center[0]).toBeCloseTo(style.center[0]!, 4);
    expect(rendered.zoom).toBe(style.zoom);
    const fills = rendered.features.filter((f) => f.layer.startsWith('cells-fill-'));
    expect(fills.length).toBeGreaterThan(0);
    expect(fills.every((f) => f.source === 'cells' && f.sourceLayer === 'cells' && /^\d+$/.test(String(f.code)))).toBe(true);
    // The top level is drawn at the style's view, in the app's colour for it.
    const top = fills.find((f) => f.level === 1);
    expect(top).toBeDefined();
    expect(top!.layer).toBe('cells-fill-1');
    const labels = rendered.features.filter((f) => f.layer.startsWith('cells-label-'));
    expect(labels.every((f) => f.sourceLayer === 'labels')).toBe(true);
    const fillColor = await page.evaluate(() => window.__styleMap!.getPaintProperty('cells-fill-1', 'fill-color'));
    expect(fillColor).toBe(levelColors(0).fill);
  });

  it('draws the finer levels when zoomed in', async () => {
    await page.evaluate(() => window.__styleMap!.jumpTo({ zoom: window.__styleMap!.getZoom() + 3 }));
    await page.waitForFunction(() => window.__styleMap!.loaded() && window.__styleMap!.areTilesLoaded(), null, { timeout: 120_000 });
    const levels = await page.evaluate(() => [...new Set(window.__styleMap!.queryRenderedFeatures().filter((f) => f.layer.id.startsWith('cells-fill-')).map((f) => f.properties.level as number))].sort());
    expect(levels.length).toBeGreaterThan(1);
  });
});

describe('the QGIS project from the app', () => {
  it('the token dialog downloads a project with the new token by POST (never in a URL), and the export menu links the project', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en-US', acceptDownloads: true });
    try {
      const app = await context.newPage();
      const projectRequests: { method: string; url: string; body: string | null }[] = [];
      app.on('request', (r) => {
        if (r.url().includes('/api/export/project.qgs')) projectRequests.push({ method: r.method(), url: r.url(), body: r.postData() });
      });
      await app.goto(`${server.url}/#/plan`);
      await app.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 });
      await signInUi(app, 'planner');
      await expect.poll(() => app.getByTestId('qgis-project').count(), { timeout: 30_000 }).toBe(1);
      expect(await app.getByTestId('qgis-project').getAttribute('href')).toBe('/api/export/project.qgs');

      await app.locator('.tokens-button').click();
      await app.locator('dialog input[aria-label="Token name"]').fill('QGIS e2e');
      await app.locator('dialog button[type=submit]').click();
      const token = (await app.getByTestId('new-token').textContent())!.trim();
      const [download] = await Promise.all([app.waitForEvent('download'), app.getByTestId('token-qgis').click()]);
      expect(download.suggestedFilename()).toBe('wangge.qgs');
      const project = await readFile((await download.path())!, 'utf8');
      expect(project).toContain(`typename=&apos;units&apos; username=&apos;planner&apos; password=&apos;${token}&apos;`);
      expect(projectRequests).toHaveLength(1);
      expect(projectRequests[0]).toMatchObject({ method: 'POST', url: `${server.url}/api/export/project.qgs` });
      expect(JSON.parse(projectRequests[0]!.body!)).toEqual({ token });
    } finally {
      await context.close();
    }
  });
});
