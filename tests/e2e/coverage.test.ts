import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Route } from 'playwright-core';
import { area, buffer, difference, featureCollection, intersect, union } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { launchBrowser, startServer, type RunningServer, signInApi, type Api } from '../helpers/e2e.ts';

/**
 * Coverage from the planner's side: an overlap and a gap are made through the API in one street of
 * the demo district (a community pushed into its neighbour; a strip cut from another), and people
 * are assigned to all but two of its communities. The planner runs the coverage check for the
 * street in #/plan: the browser's instant result (Turf) shows first — the server's answer is held
 * back by the test to see it — then the server's check replaces it and says it agrees; both faults
 * are listed and drawn on the map, the two communities short of people are listed beside them with
 * a link to their assignments; one click fixes the overlap, and the API then shows the overlap gone
 * and the fix in the cell's history. A server answer altered on its way shows the disagreement.
 */

type Cell = Feature<MultiPolygon, { code: string; name: string; level: number; parentId: number | null; version: number }> & { id: number };

let server: RunningServer;
let browser: Browser;
let page: Page;
let planner: Api;
let street: Cell;
let pushed: Cell; // grown into its neighbour
let neighbour: Cell; // the cell it grew into
let cut: Cell; // lost a strip: the gap
let shortOfPeople: Cell[]; // [cut: no one at all, neighbour: no supervisor]

const apiAs = (username: string) => signInApi(server.url, username);

const json = async <T,>(res: Response): Promise<T> => {
  const body = await res.text();
  expect(res.ok, body).toBe(true);
  return JSON.parse(body) as T;
};

/** Shared border, roughly: the area of b within 1 m of a. */
const touching = (a: Cell, b: Cell) => {
  const near = intersect(featureCollection([buffer(a, 1, { units: 'meters' })!, b as Feature<MultiPolygon>]));
  return near ? area(near) : 0;
};

async function reshape(cell: Cell, geometry: Polygon | MultiPolygon) {
  const current = await planner(`/api/cells/${cell.id}`);
  const etag = current.headers.get('etag')!;
  const res = await planner(`/api/cells/${cell.id}`, { method: 'PATCH', headers: { 'if-match': etag }, body: JSON.stringify({ geometry }) });
  return json<Cell>(res);
}

interface Report {
  overlaps: { a: number; b: number; areaM2: number }[];
  gaps: { areaM2: number; neighbours: number[] }[];
  coveredRatio: number;
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await mkdir('test-results/e2e', { recursive: true });
  planner = await apiAs('planner');

  // A street with at least three communities, two of which border each other.
  const streets = await json<FeatureCollection>(await planner('/api/cells?level=2')).then((fc) => fc.features as Cell[]);
  for (const s of streets) {
    const kids = (await json<FeatureCollection>(await planner(`/api/cells?parentId=${s.id}`))).features as Cell[];
    if (kids.length < 3) continue;
    for (const a of kids) {
      const b = kids.find((k) => k.id !== a.id && touching(a, k) > 100);
      if (!b) continue;
      const c = kids.find((k) => k.id !== a.id && k.id !== b.id && kids.some((d) => d.id !== k.id && touching(k, d) > 100));
      if (!c) continue;
      street = s;
      pushed = a;
      neighbour = b;
      cut = c;
      break;
    }
    if (street) break;
  }
  expect(street, 'a street with bordering communities').toBeDefined();
  const before = await json<Report>(await planner(`/api/coverage?parentId=${street.id}`));
  expect(before.overlaps).toEqual([]);
  expect(before.gaps).toEqual([]);

  // The overlap: `pushed` takes a 60 m strip of `neighbour` along their border.
  const strip = intersect(featureCollection([buffer(pushed, 60, { units: 'meters' })!, neighbour as Feature<MultiPolygon>]))!;
  const grown = union(featureCollection([pushed as Feature<MultiPolygon>, strip]))!;
  await reshape(pushed, grown.geometry);
  // The gap: `cut` loses a 40 m strip along its border with one of its neighbours.
  const kids = (await json<FeatureCollection>(await planner(`/api/cells?parentId=${street.id}`))).features as Cell[];
  const other = kids.find((k) => k.id !== cut.id && touching(cut, k) > 100)!;
  const shrunk = difference(featureCollection([cut as Feature<MultiPolygon>, buffer(other, 40, { units: 'meters' })!]))!;
  await reshape(cut, shrunk.geometry);

  const after = await json<Report>(await planner(`/api/coverage?parentId=${street.id}`));
  expect(after.overlaps.map((o) => [o.a, o.b])).toEqual([[Math.min(pushed.id, neighbour.id), Math.max(pushed.id, neighbour.id)]]);
  expect(after.gaps.length).toBeGreaterThanOrEqual(1);

  // People: every community has its first responsible and a supervisor, except `cut` (no one)
  // and `neighbour` (no supervisor).
  const person = async (name: string) => (await json<{ id: number }>(await planner('/api/people', { method: 'POST', body: JSON.stringify({ name }) }))).id;
  const [chief, watcher] = [await person('覆盖测试甲'), await person('覆盖测试乙')];
  for (const k of kids) {
    if (k.id === cut.id) continue;
    const list = [{ personId: chief, role: 'first_responsible' }, ...(k.id === neighbour.id ? [] : [{ personId: watcher, role: 'supervisor' }])];
    await json(await planner(`/api/cells/${k.id}/assignments`, { method: 'PUT', body: JSON.stringify(list) }));
  }
  shortOfPeople = [cut, neighbour];
  const gaps = await json<{ cellId: number }[]>(await planner(`/api/people-gaps?parentId=${street.id}`));
  expect(gaps.map((g) => g.cellId).sort()).toEqual(shortOfPeople.map((c) => c.id).sort());

  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const signIn = await page.request.post(`${server.url}/api/session`, { data: { username: 'planner', password: 'demo1234' } });
  expect(signIn.status()).toBe(200);
  await page.goto(`${server.url}/#/map`);
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** The server's analysis (GET /api/coverage, not /api/coverage/cells nor /fix), intercepted. */
const isAnalysis = (url: URL) => url.pathname === '/api/coverage';

/** Holds the server's analysis back until release() is called; release() resolves once it is let through. */
async function holdServerAnswer() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let passed: Promise<void> = Promise.resolve();
  const handler = (route: Route) => (passed = released.then(() => route.continue()));
  await page.route(isAnalysis, handler);
  return {
    release: async () => {
      release();
      await passed;
      await page.unroute(isAnalysis, handler);
    },
  };
}

describe('the coverage panel', () => {
  it('shows the browser\'s instant result first, then the server\'s check, which agrees', async () => {
    // Select the street in the tree, then open the planner's view (the selection is kept).
    await page.locator(`.tree-row[data-cell-id="${street.properties.parentId}"] .tree-toggle`).click();
    await page.locator(`.tree-row[data-cell-id="${street.id}"] .tree-label`).click();
    await page.getByTestId('nav-plan').click();
    const panel = page.locator('section.coverage');
    await expect.poll(() => panel.textContent()).toContain(street.properties.name);
    const held = await holdServerAnswer();
    await panel.getByTestId('coverage-run').click();

    // The server has not answered: what shows is the Turf engine's result, marked as such.
    const result = panel.getByTestId('coverage-result');
    await expect.poll(() => result.getAttribute('data-source'), { timeout: 30_000 }).toBe('instant');
    const check = panel.getByTestId('coverage-check');
    expect(await check.getAttribute('data-state')).toBe('instant');
    expect(await check.textContent()).toMatch(/服务器核验中|the server is checking/);
    expect(await panel.getByTestId('coverage-overlaps').textContent()).toBe('1');
    const instantGaps = await panel.getByTestId('coverage-gaps').textContent();
    expect(Number(instantGaps)).toBeGreaterThanOrEqual(1);
    await expect.poll(() => panel.locator('.coverage-item[data-kind="overlap"]').textContent()).toContain(pushed.properties.name);
    await page.screenshot({ path: 'test-results/e2e/coverage-instant.png' });

    // The server's answer replaces it, and the two agree.
    await held.release();
    await expect.poll(() => result.getAttribute('data-source'), { timeout: 30_000 }).toBe('server');
    expect(await check.getAttribute('data-state')).toBe('same');
    expect(await check.textContent()).toMatch(/服务器已核验|Checked by the server/);
    expect(await panel.getByTestId('coverage-overlaps').textContent()).toBe('1');
    expect(await panel.getByTestId('coverage-gaps').textContent()).toBe(instantGaps);
  });

  it('lists and draws the overlap and the gap of a street, and fixes the overlap in one click', async () => {
    const panel = page.locator('section.coverage');
    expect(await panel.getByTestId('coverage-ratio').textContent()).toMatch(/^9\d(\.\d+)? %$/);

    const overlap = panel.locator('.coverage-item[data-kind="overlap"]');
    await expect.poll(() => overlap.count()).toBe(1);
    // The cells' names arrive after the analysis.
    await expect.poll(() => overlap.textContent()).toContain(pushed.properties.name);
    expect(await overlap.textContent()).toContain(neighbour.properties.name);
    expect(await overlap.textContent()).toMatch(/[\d,]+ m²/);
    const gap = panel.locator('.coverage-item[data-kind="gap"]').first();
    expect(await gap.textContent()).toContain(cut.properties.name);

    // Every problem is on the map; clicking the overlap zooms to it and highlights it.
    await overlap.locator('.coverage-zoom').click();
    await page.waitForFunction(() => !window.__wanggeMap!.isMoving() && window.__wanggeMap!.loaded(), undefined, { timeout: 20_000 });
    const rendered = await page.evaluate(() => {
      const m = window.__wanggeMap!;
      const kinds = (layers: string[]) => m.queryRenderedFeatures({ layers }).map((f) => String(f.properties.kind));
      return { problems: kinds(['coverage-problems-fill']), gaps: kinds(['coverage-problems-hatch']), highlight: kinds(['coverage-highlight-fill']) };
    });
    expect(rendered.problems).toContain('overlap');
    expect(rendered.highlight).toEqual(expect.arrayContaining(['overlap']));
    await panel.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: 'test-results/e2e/coverage-overlap.png' });

    // Keep the neighbour: `pushed` gives the strip back.
    const keepNeighbour = overlap.getByRole('button', { name: `Keep ${neighbour.properties.name}` }).or(overlap.getByRole('button', { name: `保留 ${neighbour.properties.name}` }));
    await keepNeighbour.click();
    await expect.poll(() => panel.getByRole('status').textContent(), { timeout: 30_000 }).toContain(pushed.properties.name);
    await expect.poll(() => panel.getByTestId('coverage-overlaps').textContent(), { timeout: 30_000 }).toBe('0');
    await expect.poll(() => panel.locator('.coverage-item[data-kind="overlap"]').count()).toBe(0);
    // Both checks ran again after the fix, and agree.
    await expect.poll(() => panel.getByTestId('coverage-check').getAttribute('data-state'), { timeout: 30_000 }).toBe('same');
    await page.screenshot({ path: 'test-results/e2e/coverage-fixed.png' });

    // The API agrees, and the pushed cell's history has the fix by the planner.
    const after = await json<Report>(await planner(`/api/coverage?parentId=${street.id}`));
    expect(after.overlaps).toEqual([]);
    expect(after.gaps.length).toBeGreaterThanOrEqual(1);
    const history = await json<{ version: number; changedBy: string; changed: string[] }[]>(await planner(`/api/cells/${pushed.id}/history`));
    expect(history.at(-1)).toMatchObject({ version: pushed.properties.version + 2, changedBy: 'planner', changed: ['geometry'] });
    const neighbourHistory = await json<{ version: number }[]>(await planner(`/api/cells/${neighbour.id}/history`));
    expect(neighbourHistory.at(-1)!.version).toBe(neighbour.properties.version);
  });

  it('fills a gap into its suggested neighbour with one click', async () => {
    const panel = page.locator('section.coverage');
    const gaps = Number(await panel.getByTestId('coverage-gaps').textContent());
    const gap = panel.locator('.coverage-item[data-kind="gap"]').first();
    const [suggested] = (await json<Report>(await planner(`/api/coverage?parentId=${street.id}`))).gaps[0]!.neighbours;
    const into = gap.locator('.coverage-fixes button').first();
    expect(await into.textContent()).toMatch(/Into|并入/);
    await into.click();
    await expect.poll(() => panel.getByTestId('coverage-gaps').textContent(), { timeout: 30_000 }).toBe(String(gaps - 1));
    const after = await json<Report>(await planner(`/api/coverage?parentId=${street.id}`));
    expect(after.gaps).toHaveLength(gaps - 1);
    expect(after.overlaps).toEqual([]);
    const history = await json<{ changedBy: string; changed: string[] }[]>(await planner(`/api/cells/${suggested}/history`));
    expect(history.at(-1)).toMatchObject({ changedBy: 'planner', changed: ['geometry'] });
  });

  it('shows the server\'s explanation when a fix is no longer possible, and changes nothing', async () => {
    const panel = page.locator('section.coverage');
    // The overlap again, checked in the panel...
    const current = await json<Cell>(await planner(`/api/cells/${pushed.id}`));
    const strip = intersect(featureCollection([buffer(current, 60, { units: 'meters' })!, neighbour as Feature<MultiPolygon>]))!;
    await reshape(current, union(featureCollection([current as Feature<MultiPolygon>, strip]))!.geometry);
    await panel.getByTestId('coverage-run').click();
    await expect.poll(() => panel.getByTestId('coverage-overlaps').textContent(), { timeout: 30_000 }).toBe('1');
    // ...then fixed by someone else before the planner clicks.
    const elsewhere = await planner('/api/coverage/fix', { method: 'POST', body: JSON.stringify({ kind: 'overlap', a: Math.min(pushed.id, neighbour.id), b: Math.max(pushed.id, neighbour.id), keep: pushed.id }) });
    expect(elsewhere.status).toBe(200);
    const versions = async () => (await json<{ version: number }[]>(await planner(`/api/cells/${neighbour.id}/history`))).length;
    const before = await versions();
    await panel.locator('.coverage-item[data-kind="overlap"] .coverage-fixes button').first().click();
    const alert = panel.getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: 30_000 }).toMatch(/do not overlap/);
    expect(await versions()).toBe(before);
    // The list is brought up to date, the explanation stays.
    await expect.poll(() => panel.getByTestId('coverage-overlaps').textContent(), { timeout: 30_000 }).toBe('0');
    expect(await alert.textContent()).toMatch(/do not overlap/);
    await page.screenshot({ path: 'test-results/e2e/coverage-error.png' });
  });

  it('says plainly when the server\'s check differs from the instant result', async () => {
    const panel = page.locator('section.coverage');
    const gaps = Number(await panel.getByTestId('coverage-gaps').textContent());
    // The server's answer is altered on its way: a gap added that the browser cannot find.
    const [x, y] = street.geometry.coordinates[0]![0]![0]!;
    const square = { type: 'Polygon', coordinates: [[[x, y], [x! + 1e-4, y], [x! + 1e-4, y! + 1e-4], [x, y! + 1e-4], [x, y]]] };
    const handler = async (route: Route) => {
      const res = await route.fetch();
      const body = await res.json() as Report;
      await route.fulfill({ response: res, json: { ...body, gaps: [...body.gaps, { areaM2: 100, widthM: 5, neighbours: [], geometry: square }] } });
    };
    await page.route(isAnalysis, handler);
    await panel.getByTestId('coverage-run').click();
    const check = panel.getByTestId('coverage-check');
    await expect.poll(() => check.getAttribute('data-state'), { timeout: 30_000 }).toBe('differs');
    expect(await check.textContent()).toMatch(new RegExp(`(空白数：浏览器 ${gaps}，服务器 ${gaps + 1}|Gaps: browser ${gaps}, server ${gaps + 1})`));
    // What shows is the server's, the authority.
    expect(await panel.getByTestId('coverage-gaps').textContent()).toBe(String(gaps + 1));
    await page.screenshot({ path: 'test-results/e2e/coverage-differs.png' });
    await page.unroute(isAnalysis, handler);
    await panel.getByTestId('coverage-run').click();
    await expect.poll(() => check.getAttribute('data-state'), { timeout: 30_000 }).toBe('same');
    expect(await panel.getByTestId('coverage-gaps').textContent()).toBe(String(gaps));
  });

  it('lists the communities short of people beside the spatial faults, each with a link to its assignments', async () => {
    const panel = page.locator('section.coverage');
    const people = panel.getByTestId('coverage-people');
    await expect.poll(() => panel.getByTestId('coverage-people-gaps').textContent()).toBe('2');
    const items = people.locator('.coverage-item');
    expect(await items.evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.cellId)).sort())).toEqual(shortOfPeople.map((c) => c.id).sort());
    const item = (c: Cell) => people.locator(`.coverage-item[data-cell-id="${c.id}"]`);
    await expect.poll(() => item(cut).textContent()).toContain(cut.properties.name);
    expect(await item(cut).textContent()).toMatch(/(第一责任人|First responsible) 0\/1/);
    expect(await item(cut).textContent()).toMatch(/(监督员|Supervisor) 0\/1/);
    expect(await item(neighbour).textContent()).toMatch(/(监督员|Supervisor) 0\/1/);
    expect(await item(neighbour).textContent()).not.toMatch(/第一责任人|First responsible/);

    // The link opens the cell in the responsible-people editor (the selection follows it).
    const loaded = page.waitForResponse((r) => r.url().endsWith(`/api/cells/${cut.id}/assignments`));
    await item(cut).getByRole('link').click();
    await loaded;
    const editor = page.getByTestId('assignments');
    await expect.poll(() => editor.getByTestId('cell-gaps').textContent()).toMatch(/第一责任人|First responsible/);
    await expect.poll(() => panel.locator('.coverage-form').textContent()).toContain(cut.properties.name);
    // The result stays the street's.
    expect(await panel.getByTestId('coverage-result').locator('.coverage-result-title').textContent()).toContain(street.properties.name);
    await page.screenshot({ path: 'test-results/e2e/coverage-people.png' });
  });

  it('checks a whole level: every street against its communities', async () => {
    const panel = page.locator('section.coverage');
    await panel.locator('input[name="coverage-scope"][value="level"]').check();
    await panel.locator('select[name="coverage-level"]').selectOption('2');
    await panel.getByTestId('coverage-run').click();
    const api = await json<{ summary: { parents: number; overlaps: number; gaps: number; strays: number } }>(await planner('/api/coverage?level=2'));
    expect(api.summary.parents).toBe(5);
    await expect.poll(() => panel.getByTestId('coverage-result').locator('h4').first().textContent(), { timeout: 30_000 }).toMatch(/→/);
    await expect.poll(() => panel.getByTestId('coverage-overlaps').textContent()).toBe(String(api.summary.overlaps));
    expect(await panel.getByTestId('coverage-gaps').textContent()).toBe(String(api.summary.gaps));
    expect(await panel.getByTestId('coverage-strays').textContent()).toBe(String(api.summary.strays));
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    const panel = page.locator('section.coverage');
    if (!(await panel.isVisible())) await page.locator('.panel-toggle').click();
    await panel.scrollIntoViewIfNeeded();
    const overflow = await panel.evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect((await panel.getByTestId('coverage-run').boundingBox())!.width).toBeGreaterThan(0);
    await page.screenshot({ path: 'test-results/e2e/coverage-phone.png' });
  });
});
