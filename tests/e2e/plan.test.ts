import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { area, booleanPointInPolygon, centerOfMass, featureCollection, intersect, pointOnFeature, union } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Position } from 'geojson';
import { launchBrowser, startServer, type RunningServer, signInApi, type Api } from '../helpers/e2e.ts';

interface CellProps {
  code: string;
  name: string;
  level: number;
  parentId: number | null;
  version: number;
  areaM2: number;
}
type Cell = Feature<MultiPolygon, CellProps> & { id: number };

let server: RunningServer;
let browser: Browser;
let page: Page;
let planner: Api;
const problems: string[] = [];

let community: Cell; // the grid cell's parent
let grid: Cell; // the selected cell: the new cell's parent, whose vertex it snaps to
let corner: Position; // the parent's vertex the new cell shares
let created: Cell;

const apiAs = (username: string) => signInApi(server.url, username);

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  const body = await r.text();
  expect(r.ok, body).toBe(true);
  return JSON.parse(body) as T;
}

const cells = async (query: string) => (await json<FeatureCollection<MultiPolygon, CellProps>>(fetch(`${server.url}/api/cells?${query}`))).features as Cell[];
const cell = (id: number) => json<Cell>(fetch(`${server.url}/api/cells/${id}`));

function inside(c: Feature<MultiPolygon>): Position {
  const centre = centerOfMass(c);
  return (booleanPointInPolygon(centre, c) ? centre : pointOnFeature(c)).geometry.coordinates;
}

/** Area in degrees² (shoelace): exactly additive over the parts of a split, unlike the geodesic area. */
function planarArea(c: Feature<MultiPolygon>): number {
  let sum = 0;
  for (const polygon of c.geometry.coordinates) {
    polygon.forEach((ring, i) => {
      let a = 0;
      for (let k = 0; k < ring.length - 1; k++) a += ring[k]![0]! * ring[k + 1]![1]! - ring[k + 1]![0]! * ring[k]![1]!;
      sum += (i === 0 ? 1 : -1) * Math.abs(a / 2);
    });
  }
  return sum;
}

/** Screen position (page pixels) of a lon/lat on the map canvas. */
async function toScreen(lngLat: Position, dx = 0, dy = 0): Promise<[number, number]> {
  const pixel = await page.evaluate((p) => window.__wanggeMap!.project(p as [number, number]), lngLat);
  const box = (await page.locator('.map canvas').boundingBox())!;
  return [box.x + pixel.x + dx, box.y + pixel.y + dy];
}

async function clickMap(lngLat: Position, dx = 0, dy = 0) {
  const [x, y] = await toScreen(lngLat, dx, dy);
  await page.mouse.move(x, y, { steps: 3 });
  await page.mouse.click(x, y);
}

async function fitTo(c: Feature<MultiPolygon>, padding = 120) {
  const ring = c.geometry.coordinates.flat(2);
  const xs = ring.map((p) => p[0]!);
  const ys = ring.map((p) => p[1]!);
  const bounds = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  await page.evaluate(([b, pad]) => window.__wanggeMap!.fitBounds(b as [number, number, number, number], { padding: pad as number, duration: 0 }), [bounds, padding] as const);
  await page.waitForFunction(() => !window.__wanggeMap!.isMoving() && window.__wanggeMap!.loaded(), null, { timeout: 30_000 });
}

const tools = () => page.getByTestId('plan-tools');
/** The outcome line: the success note, or the error (so a failing poll shows the server's reason). */
const status = () => tools().locator('[role=status], [role=alert]').first();
const vertices = () => page.getByTestId('plan-vertices');

/** Whether the map draws the cell (its tiles reloaded after the edit). */
const rendered = (id: number) =>
  page.evaluate((cellId) => {
    const map = window.__wanggeMap!;
    return map.queryRenderedFeatures().some((f) => f.source === 'cells' && f.id === cellId);
  }, id);

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  planner = await apiAs('planner');
  // A level-4 cell (of 5 levels): the new cell is drawn inside it.
  const grids = await cells('level=4');
  grid = grids.find((g) => g.properties.name === '清姜社区第一网格') ?? grids[0]!;
  community = await cell(grid.properties.parentId!);

  page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  const signIn = await page.request.post(`${server.url}/api/session`, { data: { username: 'planner', password: 'demo1234' } });
  expect(signIn.status()).toBe(200);
  await page.goto(`${server.url}/#/plan`);
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the planner's drawing tools", () => {
  it('draws a new cell with clicks, snapping to a neighbour, undoing a vertex; the server stores it and the map draws it', async () => {
    await fitTo(community, 60);
    // Select a cell on the map (level 4 of 5): the new cell becomes its child.
    await clickMap(inside(grid));
    await expect.poll(() => tools().textContent()).toContain(grid.properties.name);
    await fitTo(grid, 160);

    // A vertex of the parent with no other cell's vertex near it (the nearest vertex wins), and a point well inside.
    const ring = grid.geometry.coordinates[0]![0]!;
    const p = inside(grid);
    const xs = ring.map((v) => v[0]!);
    const ys = ring.map((v) => v[1]!);
    const around = await cells(`bbox=${[Math.min(...xs) - 0.01, Math.min(...ys) - 0.01, Math.max(...xs) + 0.01, Math.max(...ys) + 0.01].join(',')}`);
    const others = around.flatMap((c) => c.geometry.coordinates.flat(2));
    const loneliness = (v: Position) => Math.min(...others.filter((o) => o[0] !== v[0] || o[1] !== v[1]).map((o) => Math.hypot(o[0]! - v[0]!, o[1]! - v[1]!)));
    corner = ring.slice(0, -1).reduce((best, v) => (loneliness(v) > loneliness(best) ? v : best));
    const [cx, cy] = await toScreen(corner);
    const [px, py] = await toScreen(p);
    const towards = (f: number, side: number): [number, number] => {
      // A point between the corner and the inside point, pushed sideways.
      const dx = px - cx;
      const dy = py - cy;
      const len = Math.hypot(dx, dy);
      return [cx + dx * f - (dy / len) * side * len, cy + dy * f + (dx / len) * side * len];
    };
    const unproject = (xy: [number, number]) => page.evaluate(async ([x, y]) => {
      const box = document.querySelector('.map canvas')!.getBoundingClientRect();
      return window.__wanggeMap!.unproject([x! - box.x, y! - box.y]).toArray();
    }, xy);
    for (const xy of [towards(0.8, 0.2), towards(0.8, -0.2)]) expect(booleanPointInPolygon(await unproject(xy), grid), 'the test drawing lies inside the parent').toBe(true);

    await page.getByTestId('plan-draw').click();
    await expect.poll(() => tools().getAttribute('data-tool')).toBe('draw');
    expect(await page.locator('select[name=parent]').inputValue()).toBe(String(grid.id));
    // The cells in view are loaded for snapping.
    await expect.poll(() => tools().getAttribute('data-neighbours').then(Number)).toBeGreaterThan(0);

    // First click 4 px off the parent's corner: it snaps onto it.
    await page.mouse.move(cx + 3, cy - 3, { steps: 3 });
    await page.mouse.click(cx + 3, cy - 3);
    for (const [x, y] of [towards(0.8, 0.2), towards(0.8, -0.2)]) {
      await page.mouse.move(x, y, { steps: 3 });
      await page.mouse.click(x, y);
    }
    await expect.poll(() => vertices().textContent()).toBe('3 个顶点');
    // One vertex too many, then undone (Ctrl+Z) and redone and undone again with the buttons.
    const [ex, ey] = towards(1.1, 0);
    await page.mouse.move(ex, ey, { steps: 3 });
    await page.mouse.click(ex, ey);
    await expect.poll(() => vertices().textContent()).toBe('4 个顶点');
    await page.keyboard.press('Control+z');
    await expect.poll(() => vertices().textContent()).toBe('3 个顶点');
    await page.getByTestId('plan-redo').click();
    await expect.poll(() => vertices().textContent()).toBe('4 个顶点');
    await page.getByTestId('plan-undo').click();
    await expect.poll(() => vertices().textContent()).toBe('3 个顶点');
    // Finish with Enter: the polygon stays editable, the panel shows its area.
    await page.locator('.map canvas').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('plan-stats').textContent()).toMatch(/面积：\d+/);

    // Saving without a name names the fault and keeps the drawing.
    await page.getByTestId('plan-save').click();
    await expect.poll(() => tools().locator('[role=alert]').textContent()).toBe('请填写名称。');
    await page.locator('input[name=cell-name]').fill('测试新网格');
    await page.getByTestId('plan-save').click();
    await expect.poll(() => status().textContent(), { timeout: 15_000 }).toMatch(/^已创建 测试新网格（\d+）。$/);
    expect(await tools().getAttribute('data-tool')).toBe('idle');

    const children = await cells(`parentId=${grid.id}`);
    created = children.find((c) => c.properties.name === '测试新网格')!;
    expect(created).toBeDefined();
    expect(created.properties.level).toBe(5);
    expect(created.geometry.coordinates[0]![0]).toHaveLength(4);
    // The snapped vertex is the parent's, exactly.
    expect(created.geometry.coordinates[0]![0]).toContainEqual(corner);
    // The new cell is selected and drawn.
    await expect.poll(() => tools().textContent()).toContain('测试新网格');
    await fitTo(created, 200);
    await expect.poll(() => rendered(created.id), { timeout: 20_000 }).toBe(true);

    // After a reload the cell is there and drawn (its corner is the parent's, checked above from the API).
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
    await fitTo(created, 200);
    await expect.poll(() => rendered(created.id), { timeout: 20_000 }).toBe(true);
    await clickMap(inside(created));
    await expect.poll(() => tools().textContent(), { timeout: 10_000 }).toContain('测试新网格');
  });

  it('shows the server\'s reason when an edit is invalid, and keeps the drawing', async () => {
    await page.getByTestId('plan-draw').click();
    // A polygon far outside the parent (but on screen).
    const box = (await page.locator('.map canvas').boundingBox())!;
    for (const [x, y] of [[box.x + 40, box.y + 40], [box.x + 90, box.y + 40], [box.x + 60, box.y + 90]] as const) {
      await page.mouse.move(x, y, { steps: 2 });
      await page.mouse.click(x, y);
    }
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('plan-stats').textContent()).toContain('超出上级');
    await page.locator('input[name=cell-name]').fill('越界网格');
    await page.getByTestId('plan-save').click();
    await expect.poll(() => tools().locator('[role=alert]').textContent()).toMatch(/该网格不在上级网格内：有 [\d.]+ m² 位于上级之外/);
    expect(await tools().getAttribute('data-tool')).toBe('draw');
    expect(await vertices().textContent()).toBe('3 个顶点');
    // Esc cancels the drawing and keeps the selection.
    await page.locator('.map canvas').focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => tools().getAttribute('data-tool')).toBe('idle');
    expect(await tools().textContent()).toContain('测试新网格');
    expect((await cells(`parentId=${grid.id}`)).some((c) => c.properties.name === '越界网格')).toBe(false);

    // A bow-tie: PostGIS's reason by its code, in Chinese with where and what to do, not in English.
    await page.getByTestId('plan-draw').click();
    for (const [x, y] of [[box.x + 40, box.y + 40], [box.x + 100, box.y + 100], [box.x + 100, box.y + 40], [box.x + 40, box.y + 100]] as const) {
      await page.mouse.move(x, y, { steps: 2 });
      await page.mouse.click(x, y);
    }
    await page.keyboard.press('Enter');
    await page.locator('input[name=cell-name]').fill('蝴蝶网格');
    await page.getByTestId('plan-save').click();
    await expect.poll(() => tools().locator('[role=alert]').textContent()).toMatch(/^几何图形无效：边界自相交（位置 \[[\d.]+, [\d.]+\]）：出现“8”字形或交叉，请拖动顶点消除交叉。$/);
    expect(await tools().getAttribute('data-tool')).toBe('draw');
    await page.locator('.map canvas').focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => tools().getAttribute('data-tool')).toBe('idle');
  });

  it('reshapes the cell by dragging a vertex (undo, redo); a stale version gets "someone else changed this cell": reapply mine, or load theirs', async () => {
    await fitTo(created, 200);
    await page.getByTestId('plan-reshape').click();
    await expect.poll(() => tools().getAttribute('data-tool')).toBe('reshape');
    await expect.poll(() => vertices().textContent()).toBe('3 个顶点');

    // Someone else renames the cell meanwhile.
    const renamed = await json<Cell>(planner(`/api/cells/${created.id}`, { method: 'PATCH', headers: { 'if-match': `"${created.properties.version}"` }, body: JSON.stringify({ properties: { name: '别人改的名' } }) }));
    expect(renamed.properties.version).toBe(created.properties.version + 1);

    // Drag a vertex that is not the shared corner further into the parent: the cell grows.
    const ring = created.geometry.coordinates[0]![0]!;
    const moving = ring.slice(0, -1).find((v) => v[0] !== corner[0] || v[1] !== corner[1])!;
    const [vx, vy] = await toScreen(moving);
    const [gx, gy] = await toScreen(inside(grid));
    const stats = () => page.getByTestId('plan-stats').textContent();
    await expect.poll(stats).toMatch(/面积/);
    const before = await stats();
    await page.mouse.move(vx, vy, { steps: 2 });
    await page.mouse.down();
    await page.mouse.move(vx + (gx - vx) * 0.5, vy + (gy - vy) * 0.5, { steps: 8 });
    await page.mouse.up();
    await expect.poll(stats).not.toBe(before);
    const dragged = await stats();
    // The drag can be undone and redone.
    await page.keyboard.press('Control+z');
    await expect.poll(stats).toBe(before);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(stats).toBe(dragged);

    await page.getByTestId('plan-save').click();
    const conflict = page.getByTestId('plan-conflict');
    await expect.poll(() => conflict.textContent()).toContain('其他人修改了这个网格');
    expect(await conflict.textContent()).toContain(`版本 ${created.properties.version}，现在已是版本 ${renamed.properties.version}`);
    await mkdir('test-results/e2e', { recursive: true });
    await page.screenshot({ path: 'test-results/e2e/plan-conflict.png' });
    // Nothing was overwritten.
    expect((await cell(created.id)).geometry).toEqual(created.geometry);

    await page.getByTestId('plan-reapply').click();
    await expect.poll(() => status().textContent(), { timeout: 15_000 }).toContain('已保存 别人改的名 的新形状');
    const after = await cell(created.id);
    expect(after.properties.version).toBe(renamed.properties.version + 1);
    expect(after.properties.name).toBe('别人改的名');
    expect(after.geometry.coordinates[0]![0]).not.toContainEqual(moving);
    expect(after.properties.areaM2).not.toBe(created.properties.areaM2);
    // The shared corner stayed where it was.
    expect(after.geometry.coordinates[0]![0]).toContainEqual(corner);
    created = after;

    // Again, and this time the planner takes their version instead.
    await page.getByTestId('plan-reshape').click();
    await expect.poll(() => vertices().textContent()).toBe('3 个顶点');
    const theirs = await json<Cell>(planner(`/api/cells/${created.id}`, { method: 'PATCH', headers: { 'if-match': `"${after.properties.version}"` }, body: JSON.stringify({ properties: { name: '别人又改的名' } }) }));
    await page.getByTestId('plan-save').click();
    await expect.poll(() => page.getByTestId('plan-conflict').textContent()).toContain(`现在已是版本 ${theirs.properties.version}`);
    await page.getByTestId('plan-load-theirs').click();
    await expect.poll(() => page.getByTestId('plan-conflict').count()).toBe(0);
    await page.getByTestId('plan-save').click();
    await expect.poll(() => status().textContent(), { timeout: 15_000 }).toContain('已保存 别人又改的名 的新形状');
    const kept = await cell(created.id);
    expect(kept.properties.version).toBe(theirs.properties.version + 1);
    expect(kept.geometry).toEqual(theirs.geometry);
    // Back to the name the next steps expect.
    created = await json<Cell>(planner(`/api/cells/${created.id}`, { method: 'PATCH', headers: { 'if-match': `"${kept.properties.version}"` }, body: JSON.stringify({ properties: { name: '别人改的名' } }) }));
  });

  it('splits the cell along a drawn line into two cells whose areas sum to the original', async () => {
    await fitTo(created, 200);
    await page.getByTestId('plan-split').click();
    await expect.poll(() => tools().getAttribute('data-tool')).toBe('split');
    // A line across the middle, from outside to outside.
    const xs = created.geometry.coordinates[0]![0]!.map((p) => p[0]!);
    const [, midY] = inside(created);
    const west = await toScreen([Math.min(...xs), midY!], -40, 0);
    const east = await toScreen([Math.max(...xs), midY!], 40, 0);
    for (const [x, y] of [west, east]) {
      await page.mouse.move(x, y, { steps: 3 });
      await page.mouse.click(x, y);
    }
    await page.locator('.map canvas').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => status().textContent(), { timeout: 15_000 }).toBe('已拆分为 2 个网格。');
    const parts = (await cells(`parentId=${grid.id}`)).filter((c) => c.properties.name.startsWith('别人改的名'));
    expect(parts).toHaveLength(2);
    // In lon/lat the parts tile the cell (planar area, degrees²; the API rounds coordinates to 1 cm)...
    const planarSum = parts.reduce((a, c) => a + planarArea(c), 0);
    expect(Math.abs(planarSum / planarArea(created) - 1)).toBeLessThan(1e-5);
    // ...and their true areas add up too, up to the bend of geodesic edges cut at a slant (~1e-5).
    const sum = parts.reduce((a, c) => a + c.properties.areaM2, 0);
    expect(Math.abs(sum / created.properties.areaM2 - 1)).toBeLessThan(1e-4);
    for (const part of parts) await expect.poll(() => rendered(part.id), { timeout: 20_000 }).toBe(true);
  });

  it('drags a vertex the two parts share: both change in one save, with no overlap or gap between them (topological editing)', async () => {
    const [a, b] = await Promise.all([cell(created.id), (async () => (await cells(`parentId=${grid.id}`)).find((c) => c.properties.name.startsWith('别人改的名') && c.id !== created.id)!)()]);
    const key = (p: Position) => `${p[0]},${p[1]}`;
    const ringOf = (c: Cell) => c.geometry.coordinates[0]![0]!.slice(0, -1);
    const sharedOf = (x: Cell, y: Cell) => ringOf(x).filter((p) => ringOf(y).some((q) => key(q) === key(p)));
    const shared = sharedOf(a, b);
    expect(shared.length, 'the split parts share the ends of the split line').toBeGreaterThanOrEqual(2);
    const s = shared[0]!;
    await fitTo(a, 220);
    await page.getByTestId('plan-reshape').click();
    await expect.poll(() => tools().getAttribute('data-tool')).toBe('reshape');
    await expect.poll(() => tools().getAttribute('data-neighbours').then(Number)).toBeGreaterThan(0);
    expect(await page.getByTestId('plan-topology').isChecked()).toBe(true);

    // Drag the shared vertex a third of the way into the other part.
    const [sx, sy] = await toScreen(s);
    const [bx, by] = await toScreen(inside(b));
    const drag = async (fx: number, fy: number, tx: number, ty: number) => {
      await page.mouse.move(fx, fy, { steps: 2 });
      await page.mouse.down();
      await page.mouse.move(tx, ty, { steps: 8 });
      await page.mouse.up();
    };
    const [tx, ty] = [sx + (bx - sx) / 3, sy + (by - sy) / 3];
    await drag(sx, sy, tx, ty);
    const list = page.getByTestId('plan-topo-list');
    await expect.poll(() => list.getAttribute('data-ids')).toBe(String(b.id));
    expect(await list.textContent()).toContain(b.properties.name);
    // The neighbour's new outline is drawn dashed on the map.
    await expect.poll(() => page.evaluate(() => window.__wanggeMap!.querySourceFeatures('plan-topo').length)).toBeGreaterThan(0);
    await mkdir('test-results/e2e', { recursive: true });
    await page.mouse.move(10, 300);
    await page.screenshot({ path: 'test-results/e2e/plan-topology.png' });
    // Undo takes the neighbour back with the cell; redo moves both again.
    await page.keyboard.press('Control+z');
    await expect.poll(() => list.count()).toBe(0);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => list.getAttribute('data-ids')).toBe(String(b.id));

    await page.getByTestId('plan-save').click();
    await expect.poll(() => status().textContent(), { timeout: 15_000 }).toMatch(/已在一次保存中修改 .+ 及 1 个相邻网格/);
    const [a2, b2] = await Promise.all([cell(a.id), cell(b.id)]);
    expect([a2.properties.version, b2.properties.version]).toEqual([a.properties.version + 1, b.properties.version + 1]);
    // The vertex moved in both cells, to the same position; every vertex they shared is still shared.
    expect(ringOf(a2).map(key)).not.toContain(key(s));
    expect(ringOf(b2).map(key)).not.toContain(key(s));
    expect(sharedOf(a2, b2)).toHaveLength(shared.length);
    // No overlap and no gap between them: their union is one polygon without holes, as large as both together.
    const overlap = intersect(featureCollection([a2, b2]));
    expect(overlap ? area(overlap) : 0).toBeLessThan(0.01);
    const joined = union(featureCollection([a2, b2]))!;
    expect(joined.geometry.type).toBe('Polygon');
    expect(joined.geometry.coordinates).toHaveLength(1);
    expect(Math.abs(area(joined) / (area(a2) + area(b2)) - 1)).toBeLessThan(1e-6);

    // With topological editing off, a drag moves the cell alone.
    await page.getByTestId('plan-reshape').click();
    await expect.poll(() => tools().getAttribute('data-tool')).toBe('reshape');
    await page.getByTestId('plan-topology').uncheck();
    const moved = sharedOf(a2, b2).find((p) => key(p) !== key(shared[1]!)) ?? sharedOf(a2, b2)[0]!;
    const [mx, my] = await toScreen(moved);
    const stats = () => page.getByTestId('plan-stats').textContent();
    await expect.poll(stats).toMatch(/面积/);
    const before = await stats();
    await drag(mx, my, mx + 12, my + 12);
    await expect.poll(stats).not.toBe(before);
    expect(await list.count()).toBe(0);
    await page.locator('.map canvas').focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => tools().getAttribute('data-tool')).toBe('idle');
    created = a2;
    // Both parts in view again for the next step.
    await fitTo({ ...a2, geometry: { type: 'MultiPolygon', coordinates: [...a2.geometry.coordinates, ...b2.geometry.coordinates] } }, 200);
  });

  it('merges the two parts again by picking them on the map', async () => {
    const parts = (await cells(`parentId=${grid.id}`)).filter((c) => c.properties.name.startsWith('别人改的名'));
    const other = parts.find((c) => c.id !== created.id)!;
    await page.getByTestId('plan-merge').click();
    await clickMap(inside(other));
    await expect.poll(() => page.getByTestId('plan-merge-list').locator('li').count()).toBe(2);
    await page.locator('input[name=merge-name]').fill('合并后的网格');
    await page.getByTestId('plan-merge-go').click();
    await expect.poll(() => status().textContent(), { timeout: 15_000 }).toBe('已合并为 合并后的网格。');
    const merged = await cell(created.id);
    expect(Math.abs(merged.properties.areaM2 - parts.reduce((a, c) => a + c.properties.areaM2, 0))).toBeLessThan(0.05);
    expect((await fetch(`${server.url}/api/cells/${other.id}`)).status).toBe(404);
    created = merged;
  });

  it('lists the history with who and what, previews a version and restores it', async () => {
    await page.getByTestId('plan-history').click();
    const panel = page.getByTestId('plan-history-panel');
    await expect.poll(() => panel.locator('tbody tr').count()).toBeGreaterThanOrEqual(4);
    expect(await panel.textContent()).toContain('planner');
    expect(await panel.textContent()).toContain('形状');
    await panel.locator('tr[data-version="1"] button', { hasText: '预览' }).click();
    await expect.poll(() => page.evaluate(() => window.__wanggeMap!.querySourceFeatures('plan-preview').length)).toBeGreaterThan(0);
    await page.getByTestId('plan-restore-1').click();
    await expect.poll(() => status().textContent(), { timeout: 15_000 }).toMatch(/^已恢复到版本 1/);
    const restored = await cell(created.id);
    expect(restored.properties.name).toBe('测试新网格');
    expect(restored.geometry.coordinates[0]![0]).toContainEqual(corner);
    await page.getByTestId('plan-history').click();
  });

  it('deletes after confirmation; a cell with children is refused with the reason', async () => {
    // The parent has a child now: refused, with the server's explanation.
    await fitTo(grid, 160);
    await clickMap(inside(grid));
    await expect.poll(() => tools().textContent()).toContain(grid.properties.name);
    await page.getByTestId('plan-delete').click();
    await page.getByTestId('plan-delete-go').click();
    await expect.poll(() => page.getByTestId('plan-delete-dialog').locator('[role=alert]').textContent()).toMatch(/有 \d+ 个下级网格/);
    await page.getByTestId('plan-delete-dialog').getByRole('button', { name: '取消' }).click();

    // The new cell goes.
    await clickMap(inside(created));
    await expect.poll(() => tools().textContent()).toContain('测试新网格');
    await page.getByTestId('plan-delete').click();
    await page.getByTestId('plan-delete-go').click();
    await expect.poll(() => status().textContent(), { timeout: 15_000 }).toBe('已删除 测试新网格。');
    expect((await fetch(`${server.url}/api/cells/${created.id}`)).status).toBe(404);
    await expect.poll(() => rendered(created.id), { timeout: 20_000 }).toBe(false);
  });

  it("traces along the parent's border: two clicked corners, and the new cell follows the border between them vertex for vertex", async () => {
    await fitTo(grid, 160);
    await expect.poll(() => tools().textContent()).toContain(grid.properties.name);
    const ring = grid.geometry.coordinates[0]![0]!.slice(0, -1);
    const p = inside(grid);
    const n = ring.length;
    const len = (u: Position, v: Position) => Math.hypot(u[0]! - v[0]!, u[1]! - v[1]!);
    // Three corners in a row whose chord lies inside the parent, and whose way round by the middle one is the short one.
    const i = ring.findIndex((_, k) => {
      const [a, m, b] = [ring[k]!, ring[(k + 1) % n]!, ring[(k + 2) % n]!];
      const chordMid = [(a[0]! + b[0]!) / 2, (a[1]! + b[1]!) / 2];
      return booleanPointInPolygon(chordMid, grid) && len(a, m) + len(m, b) < len(a, b) * 1.5 && len(a, b) > 0;
    });
    expect(i, 'the parent has three corners to trace along').toBeGreaterThanOrEqual(0);
    const [a, m, b] = [ring[i]!, ring[(i + 1) % n]!, ring[(i + 2) % n]!];

    await page.getByTestId('plan-draw').click();
    await expect.poll(() => tools().getAttribute('data-tool')).toBe('draw');
    await expect.poll(() => tools().getAttribute('data-neighbours').then(Number)).toBeGreaterThan(0);
    await page.getByTestId('plan-trace').check();
    for (const corner of [a, b]) await clickMap(corner);
    await clickMap(p);
    await page.locator('.map canvas').focus();
    await page.keyboard.press('Enter');
    // Three clicks, four vertices: the corner between the two clicked ones was traced.
    await expect.poll(() => vertices().textContent()).toBe('4 个顶点');
    await page.locator('input[name=cell-name]').fill('描边网格');
    await page.getByTestId('plan-save').click();
    await expect.poll(() => status().textContent(), { timeout: 15_000 }).toMatch(/^已创建 描边网格/);
    const traced = (await cells(`parentId=${grid.id}`)).find((c) => c.properties.name === '描边网格')!;
    const stored = traced.geometry.coordinates[0]![0]!;
    for (const corner of [a, m, b]) expect(stored).toContainEqual(corner);
    expect(stored).toHaveLength(5);
    // It is selected: delete it again from the panel.
    await expect.poll(() => tools().locator('.plan-selected').textContent()).toContain('描边网格');
    await page.getByTestId('plan-delete').click();
    await page.getByTestId('plan-delete-go').click();
    await expect.poll(() => status().textContent(), { timeout: 15_000 }).toBe('已删除 描边网格。');
  });

  it('shows the parts outside the parent in red while drawing; leaves screenshots (desktop and phone) and no errors', async () => {
    await fitTo(grid, 160);
    await clickMap(inside(grid));
    await page.getByTestId('plan-draw').click();
    const [x, y] = await toScreen(inside(grid));
    // The third point lies east of the parent.
    const east = Math.max(...grid.geometry.coordinates[0]![0]!.map((p) => p[0]!));
    const [ex] = await toScreen([east, inside(grid)[1]!], 60);
    const points: [number, number][] = [[x - 70, y - 50], [x + 40, y - 60], [ex, y], [x - 20, y + 70]];
    for (const [px, py] of points) {
      await page.mouse.move(px, py, { steps: 2 });
      await page.mouse.click(px, py);
    }
    await page.locator('.map canvas').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('plan-stats').textContent()).toMatch(/超出上级：[\d.]+ (平方米|平方公里)/);
    await expect.poll(() => page.evaluate(() => window.__wanggeMap!.querySourceFeatures('plan-faults').length)).toBeGreaterThan(0);
    await page.locator('input[name=cell-name]').fill('清姜社区第一网格一号楼院');
    await page.mouse.move(10, 300);
    await mkdir('test-results/e2e', { recursive: true });
    await page.screenshot({ path: 'test-results/e2e/plan.png' });
    // Esc in the name field leaves the field; the next one cancels the drawing; the selection stays.
    await page.locator('input[name=cell-name]').press('Escape');
    expect(await tools().getAttribute('data-tool')).toBe('draw');
    await page.keyboard.press('Escape');
    await expect.poll(() => tools().getAttribute('data-tool')).toBe('idle');
    expect(await tools().textContent()).toContain(grid.properties.name);
    await page.setViewportSize({ width: 375, height: 740 });
    await page.getByTestId('plan-history').click();
    await page.screenshot({ path: 'test-results/e2e/plan-phone.png' });
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await expect.poll(() => tools().locator('h3').first().textContent()).toBe('Draw and edit cells');
    expect(await page.getByTestId('plan-draw').textContent()).toBe('New cell');
    expect(await page.getByTestId('plan-history-panel').textContent()).toContain('created');
    await page.screenshot({ path: 'test-results/e2e/plan-en.png' });
    // The refusals this test provoked (422, 409) are logged by the browser; anything else is a fault.
    expect(problems.filter((p) => !/status of (409|422)/.test(p))).toEqual([]);
  });
});
