import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { booleanPointInPolygon, centerOfMass, point, pointOnFeature, pointToLineDistance, polygonToLine } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Position } from 'geojson';
import { launchBrowser, startServer, type RunningServer } from '../helpers/e2e.ts';

type Cell = Feature<MultiPolygon, { name: string; level: number; parentId: number | null }> & { id: number };

let server: RunningServer;
let browser: Browser;
let page: Page;
let target: Cell;
let csrf: string;
const problems: string[] = [];

const cells = async (query: string) => ((await (await fetch(`${server.url}/api/cells?${query}`)).json()) as FeatureCollection<MultiPolygon>).features as Cell[];

function inside(c: Feature<MultiPolygon>): Position {
  const centre = centerOfMass(c);
  return (booleanPointInPolygon(centre, c) ? centre : pointOnFeature(c)).geometry.coordinates;
}

async function fitTo(c: Feature<MultiPolygon>, padding = 120) {
  const ring = c.geometry.coordinates.flat(2);
  const xs = ring.map((p) => p[0]!);
  const ys = ring.map((p) => p[1]!);
  const bounds = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  await page.evaluate(([b, pad]) => window.__wanggeMap!.fitBounds(b as [number, number, number, number], { padding: pad as number, duration: 0 }), [bounds, padding] as const);
  await page.waitForFunction(() => !window.__wanggeMap!.isMoving() && window.__wanggeMap!.loaded(), null, { timeout: 30_000 });
}

async function toScreen(lngLat: Position): Promise<[number, number]> {
  const pixel = await page.evaluate((p) => window.__wanggeMap!.project(p as [number, number]), lngLat);
  const box = (await page.locator('.map canvas').boundingBox())!;
  return [box.x + pixel.x, box.y + pixel.y];
}

async function clickMap(lngLat: Position) {
  const [x, y] = await toScreen(lngLat);
  await page.mouse.click(x, y);
}

beforeAll(async () => {
  // The living demo: the cells hold units with households, so workloads differ from place to place.
  server = await startServer({ living: true });
  browser = await launchBrowser();
  // A level-4 cell (of 5) with no children yet: it is divided into level-5 cells.
  for (const c of await cells('level=4')) {
    if ((await cells(`parentId=${c.id}`)).length === 0) {
      target = c;
      break;
    }
  }
  page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  const signIn = await page.request.post(`${server.url}/api/session`, { data: { username: 'planner', password: 'demo1234' } });
  expect(signIn.status()).toBe(200);
  csrf = (await signIn.json()).csrfToken;
  await page.goto(`${server.url}/#/plan`);
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('balanced division in the plan view', () => {
  it('divides the selected cell: preview coloured by workload with its balance, regenerate, adjust a border by hand, commit; the children tile it', async () => {
    expect(target, 'a level-4 cell without children in the demo').toBeDefined();
    await fitTo(target);
    await clickMap(inside(target));
    const panel = page.getByTestId('divide');
    await expect.poll(() => page.getByTestId('plan-tools').textContent()).toContain(target.properties.name);

    await panel.locator('input[name=divide-count]').fill('3');
    await panel.getByRole('button', { name: '预览划分' }).click();
    const summary = panel.getByTestId('divide-summary');
    await expect.poll(() => summary.textContent().catch(() => ''), { timeout: 30_000 }).toMatch(/划分方案：3 个网格，CV 0\.\d{3}/);
    const first = await summary.textContent();
    // The preview is on the map: three parts, coloured by their share of the mean workload.
    const previewed = () => page.evaluate(() => window.__wanggeMap!.querySourceFeatures('plan-divide').map((f) => f.properties.index as number));
    await expect.poll(async () => new Set(await previewed()).size).toBe(3);
    expect(await panel.locator('[data-testid=divide-proposal] tbody tr').count()).toBe(3);
    // WANGGE_SHOTS=1 refreshes the picture in docs/guide/planner.md.
    if (process.env.WANGGE_SHOTS) await page.screenshot({ path: 'docs/divide-preview.png' });

    await panel.getByRole('button', { name: '重新生成' }).click();
    await expect.poll(() => panel.locator('input[name=divide-seed]').inputValue()).toBe('2');
    await expect.poll(() => summary.textContent()).toMatch(/划分方案：3 个网格/);
    expect(first).toBeTruthy();

    // Adjust by hand: drag a vertex of the border between parts 1 and 2 (the same proposal, asked of
    // the API with the panel's weights and seed); both parts follow and are measured again.
    const shown = await (await page.request.post(`${server.url}/api/cells/${target.id}/partition`, {
      headers: { 'x-csrf-token': csrf }, data: { count: 3, seed: 2, weights: { households: 1, units: 10, areaKm2: 20, reports: 2, patrolHours: 1 } },
    })).json() as FeatureCollection<MultiPolygon, { index: number }>;
    const [one, two] = [shown.features[0]!, shown.features[1]!];
    const key = (p: Position) => `${p[0]!.toFixed(9)},${p[1]!.toFixed(9)}`;
    const inTwo = new Set(two.geometry.coordinates.flat(2).map(key));
    const outline = polygonToLine(target as Feature<MultiPolygon>);
    const lines = (outline.type === 'FeatureCollection' ? outline.features : [outline]);
    const shared = one.geometry.coordinates.flat(2).filter((p) => inTwo.has(key(p)))
      .map((p) => ({ p, inland: Math.min(...lines.map((l) => pointToLineDistance(point(p), l as Feature<never>))) }))
      .sort((a, b) => b.inland - a.inland)[0]!.p;
    const workloads = () => panel.locator('[data-testid=divide-proposal] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-workload')));
    const before = await workloads();
    await panel.getByRole('button', { name: '手动调整' }).click();
    await clickMap(pointOnFeature(one).geometry.coordinates);
    const [sx, sy] = await toScreen(shared);
    await page.mouse.move(sx, sy, { steps: 2 });
    await page.mouse.down();
    await page.mouse.move(sx + 12, sy + 9, { steps: 8 });
    await page.mouse.up();
    await expect.poll(workloads, { timeout: 20_000 }).not.toEqual(before);
    const moved = await page.evaluate(([x, y]) => window.__wanggeMap!.unproject([x, y] as [number, number]).toArray(), [sx + 12 - (await page.locator('.map canvas').boundingBox())!.x, sy + 9 - (await page.locator('.map canvas').boundingBox())!.y]);

    await panel.getByRole('button', { name: '提交划分' }).click();
    await expect.poll(() => panel.locator('[role=status], [role=alert]').first().textContent().catch(() => ''), { timeout: 30_000 }).toContain('已创建 3 个网格');
    const children = await cells(`parentId=${target.id}`);
    expect(children).toHaveLength(3);
    // The adjusted border was committed: two children have a vertex where it was dragged to (within a few pixels' snapping).
    const near = (p: Position) => Math.hypot(p[0]! - moved[0]!, p[1]! - moved[1]!) < 1e-4;
    expect(children.filter((c) => c.geometry.coordinates.flat(2).some(near))).toHaveLength(2);
    const coverage = await (await page.request.get(`${server.url}/api/coverage?parentId=${target.id}`)).json();
    expect(coverage).toMatchObject({ childCount: 3, overlaps: [], gaps: [], strays: [] });
    // The workload table of the new children, with the balance.
    await expect.poll(() => panel.getByTestId('workload-table').locator('tbody tr').count()).toBe(3);
    await expect.poll(() => panel.getByTestId('workload-balance').textContent()).toMatch(/变异系数 CV \d/);
    expect(problems).toEqual([]);
  });

  it('rebalances the children when the weights change: the preview, then the borders moved in one reshape', async () => {
    const panel = page.getByTestId('divide');
    // Area now outweighs everything else: the cells, even by their units, are uneven by area.
    await panel.locator('summary').click();
    await panel.locator('input[name=weight-areaKm2]').fill('100000');
    await panel.getByRole('button', { name: '均衡调整边界' }).click();
    const plan = panel.getByTestId('rebalance-plan');
    await expect.poll(() => plan.textContent().catch(() => ''), { timeout: 30_000 }).toMatch(/调整 \d+ 个网格的边界.*CV \d\.\d{3} → \d\.\d{3}/);
    const versions = new Map((await cells(`parentId=${target.id}`)).map((c) => [c.id, (c.properties as unknown as { version: number }).version]));
    await panel.getByRole('button', { name: '应用调整' }).click();
    await expect.poll(() => panel.locator('[role=status], [role=alert]').first().textContent().catch(() => ''), { timeout: 30_000 }).toMatch(/已调整 \d+ 个网格的边界/);
    const after = await cells(`parentId=${target.id}`);
    expect(after.some((c) => (c.properties as unknown as { version: number }).version > versions.get(c.id)!)).toBe(true);
    const coverage = await (await page.request.get(`${server.url}/api/coverage?parentId=${target.id}`)).json();
    expect(coverage).toMatchObject({ childCount: 3, overlaps: [], gaps: [], strays: [] });
    expect(problems).toEqual([]);
  });
});
