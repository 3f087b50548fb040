import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { booleanPointInPolygon, centerOfMass, pointOnFeature } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import { launchBrowser, startServer, type RunningServer } from '../helpers/e2e.ts';

interface CellProps {
  code: string;
  name: string;
  level: number;
  parentId: number | null;
  areaM2: number;
}
type Cell = Feature<MultiPolygon, CellProps> & { id: number };

let server: RunningServer;
let browser: Browser;
let page: Page;
const problems: string[] = [];

async function cells(query: string): Promise<Cell[]> {
  const response = await fetch(`${server.url}/api/cells?${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as FeatureCollection<MultiPolygon, CellProps>).features as Cell[];
}

/** A point well inside the cell. */
function inside(cell: Cell): [number, number] {
  const centre = centerOfMass(cell);
  const point = booleanPointInPolygon(centre, cell) ? centre : pointOnFeature(cell);
  return point.geometry.coordinates as [number, number];
}

const detailsName = () => page.getByTestId('details-name');

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.goto(server.url);
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the map client', () => {
  it('draws the demo district from the vector tiles, with names', async () => {
    const rendered = await page.evaluate(() => {
      const map = window.__wanggeMap!;
      const ids = (prefix: string) => map.getStyle().layers.map((l) => l.id).filter((id) => id.startsWith(prefix));
      const fills = map.queryRenderedFeatures({ layers: ids('cells-fill-') });
      const labels = map.queryRenderedFeatures({ layers: ids('cells-label-') });
      return {
        cells: [...new Set(fills.map((f) => f.id))].length,
        unnamed: fills.filter((f) => typeof f.properties.name !== 'string' || !f.properties.name).length,
        levels: [...new Set(fills.map((f) => Number(f.properties.level)))].sort((a, b) => a - b),
        labels: labels.map((f) => String(f.properties.name)),
      };
    });
    expect(rendered.cells).toBeGreaterThan(100);
    expect(rendered.unnamed).toBe(0);
    expect(rendered.levels).toEqual([1, 2, 3, 4]);
    // Names are drawn without a glyph server, one label per cell.
    expect(rendered.labels).toContain('渭滨区');
    expect(rendered.labels.length).toBeGreaterThan(10);
    expect(new Set(rendered.labels).size).toBe(rendered.labels.length);
  });

  it('selects the cell clicked on the map, highlights it and opens the tree down to it', async () => {
    const all = await cells('level=4');
    const target = all.find((c) => c.properties.name === '清姜社区第一网格') ?? all[0]!;
    const [parent] = await cells(`level=3`).then((l) => l.filter((c) => c.id === target.properties.parentId));
    const pixel = await page.evaluate((lngLat) => window.__wanggeMap!.project(lngLat), inside(target));
    const canvas = (await page.locator('.map canvas').boundingBox())!;
    await page.mouse.click(canvas.x + pixel.x, canvas.y + pixel.y);

    await expect.poll(() => detailsName().textContent()).toBe(target.properties.name);
    const details = page.locator('.details-list');
    await expect.poll(() => details.textContent()).toContain(target.properties.code);
    expect(await details.textContent()).toContain(`${(target.properties.areaM2 / 1e6).toFixed(2)} 平方公里`);
    expect(await details.textContent()).toContain('片区');
    expect(await details.textContent()).toContain(parent!.properties.name);

    const selectedRow = page.locator('[role=treeitem][aria-selected=true] > .tree-row');
    await expect.poll(() => selectedRow.getAttribute('data-cell-id')).toBe(String(target.id));
    const filter = await page.evaluate(() => window.__wanggeMap!.getFilter('cells-selected-line'));
    expect(filter).toEqual(['==', ['id'], target.id]);
  });

  it('selects a cell in the tree and brings it into view; Escape clears the selection', async () => {
    const [street] = await cells('level=2').then((l) => l.filter((c) => c.properties.name === '桥南街道'));
    expect(street).toBeDefined();
    await page.locator(`.tree-row[data-cell-id="${street!.id}"] .tree-label`).click();
    await expect.poll(() => detailsName().textContent()).toBe('桥南街道');
    await expect.poll(() => page.evaluate(() => window.__wanggeMap!.getFilter('cells-selected-fill'))).toEqual(['==', ['id'], street!.id]);
    await page.waitForFunction(() => !window.__wanggeMap!.isMoving(), null, { timeout: 10_000 });
    const [west, south, east, north] = await page.evaluate(() => window.__wanggeMap!.getBounds().toArray().flat());
    const [lon, lat] = inside(street!);
    expect(lon).toBeGreaterThan(west!);
    expect(lon).toBeLessThan(east!);
    expect(lat).toBeGreaterThan(south!);
    expect(lat).toBeLessThan(north!);

    await page.keyboard.press('Escape');
    await expect.poll(() => detailsName().count()).toBe(0);
    expect(await page.locator('.details').textContent()).toContain('在地图或列表中点击一个网格');
    expect(await page.evaluate(() => window.__wanggeMap!.getFilter('cells-selected-line'))).toEqual(['==', ['id'], -1]);
  });

  it('switches the language and remembers it', async () => {
    await expect.poll(() => page.locator('#details-title').textContent()).toBe('网格详情');
    // The map's own controls speak the UI's language too.
    await expect(page.locator('.maplibregl-ctrl-zoom-in').getAttribute('title')).resolves.toBe('放大');
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await expect.poll(() => page.locator('#details-title').textContent()).toBe('Cell details');
    await expect.poll(() => page.locator('.maplibregl-ctrl-zoom-in').getAttribute('title')).toBe('Zoom in');
    expect(await page.locator('.tree-row').first().textContent()).toContain('District');
    expect(await page.evaluate(() => localStorage.getItem('wangge.lang'))).toBe('en');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
  });

  it('loads the public map without the staff views, precompressed and cached for good', async () => {
    const html = await (await fetch(server.url)).text();
    const main = /<script type="module"[^>]*src="([^"]+)"/.exec(html)?.[1];
    expect(main).toMatch(/^\/assets\/index-[\w-]+\.js$/);
    const res = await fetch(`${server.url}${main}`, { headers: { 'accept-encoding': 'br' } });
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('cache-control')).toContain('immutable');
    const code = await res.text(); // fetch decodes br
    // Drawing tools, the command view and the admin screens are separate chunks, fetched only when a staff view opens.
    expect(code).not.toContain('TerraDraw');
    const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
    expect(loaded.filter((u) => /PlanPanel|CommandPanel|AdminPanel|ReportsPanel/.test(u))).toEqual([]);
  });

  it('leaves a screenshot and no errors', async () => {
    const [street] = await cells('level=2').then((l) => l.filter((c) => c.properties.name === '桥南街道'));
    await page.locator(`.tree-row[data-cell-id="${street!.id}"] .tree-label`).click();
    await expect.poll(() => detailsName().textContent()).toBe('桥南街道');
    await page.waitForFunction(() => !window.__wanggeMap!.isMoving() && window.__wanggeMap!.loaded(), null, { timeout: 20_000 });
    await mkdir('test-results/e2e', { recursive: true });
    await page.screenshot({ path: 'test-results/e2e/map.png' });
    expect(problems).toEqual([]);
  });
});
