import { mkdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { parse } from 'csv-parse/sync';
import { pointOnFeature } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import { launchBrowser, startServer, type RunningServer, signInApi, openSignedIn } from '../helpers/e2e.ts';

/** The admin reads the audit log in Chinese: names, sentences, filters, links that open the object, the CSV. */

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cell: Feature<MultiPolygon, { name: string }> & { id: number };
let trackingCode: string;

async function ok<T>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  const body = await r.text();
  expect(r.ok, body).toBe(true);
  return (body ? JSON.parse(body) : null) as T;
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await mkdir('test-results/e2e', { recursive: true });
  const planner = await signInApi(server.url, 'planner');
  const commander = await signInApi(server.url, 'commander');

  // The planner renames a community and then edits its boundary (here: saves the same outline).
  const cells = await ok<FeatureCollection<MultiPolygon, { name: string }>>(fetch(`${server.url}/api/cells?level=3`));
  cell = cells.features[0] as typeof cell;
  const etag = async () => (await fetch(`${server.url}/api/cells/${cell.id}`)).headers.get('etag')!;
  await ok(planner(`/api/cells/${cell.id}`, { method: 'PATCH', headers: { 'if-match': await etag() }, body: JSON.stringify({ properties: { name: '和平社区第一网格' } }) }));
  await ok(planner(`/api/cells/${cell.id}`, { method: 'PATCH', headers: { 'if-match': await etag() }, body: JSON.stringify({ geometry: cell.geometry }) }));

  // A resident reports a hazard in it; the commander verifies it.
  const report = await ok<{ id: number; trackingCode: string }>(fetch(`${server.url}/api/reports`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ location: pointOnFeature(cell).geometry, category: 'fire', severity: 'ordinary', description: '楼道堆放杂物' }),
  }));
  trackingCode = report.trackingCode;
  await ok(commander(`/api/reports/${report.id}/actions`, { method: 'POST', body: JSON.stringify({ action: 'verify' }) }));

  // The admin adds an account and a unit: their entries link to the account form and the unit page.
  const admin = await signInApi(server.url, 'admin');
  await ok(admin('/api/users', { method: 'POST', body: JSON.stringify({ username: 'zhangsan', displayName: '张三', role: 'worker', password: 'another long passphrase' }) }));
  await ok(admin('/api/units', {
    method: 'POST', body: JSON.stringify({ type: 'Feature', geometry: pointOnFeature(cell).geometry, properties: { type: 'company', name: '幸福面馆' } }),
  }));

  context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
  page = await context.newPage();
  await openSignedIn(page, server.url, 'admin', 60_000);
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

const sentences = () => page.getByTestId('audit-sentence').allTextContents();

describe('the audit log in the browser', () => {
  it('says who did what to which object in Chinese, filters and searches', async () => {
    await page.getByTestId('nav-admin').click();
    const table = page.getByTestId('audit-table');
    await table.waitFor();
    await expect.poll(sentences).toContainEqual(expect.stringContaining('网格规划员 修改了网格 和平社区第一网格的边界'));
    await expect.poll(sentences).toContainEqual(expect.stringContaining('网格规划员 修改了网格 和平社区第一网格的名称'));
    await expect.poll(sentences).toContainEqual(expect.stringContaining(`指挥中心值班员 核实了隐患 ${trackingCode}`));
    await expect.poll(sentences).toContainEqual(expect.stringContaining(`群众 上报了隐患 ${trackingCode}`));
    // Who: the name and the role, not the login.
    await expect(table.locator('tr[data-action="report.verify"] .audit-who').textContent()).resolves.toBe('指挥中心值班员 · 指挥员');

    // Only hazard handling.
    await page.locator('select[name=audit-action]').selectOption('report');
    await expect.poll(() => table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')))).toEqual(['report.verify', 'report.create']);
    await page.locator('select[name=audit-action]').selectOption('');
    // Search by the cell's name.
    await page.locator('input[name=audit-q]').fill('第一网格');
    await expect.poll(() => table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')))).toEqual(['cell.update', 'cell.update']);
  });

  it('exports the same filter as a CSV with Chinese headers', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^audit-log-\d{8}-\d{4}\.csv$/);
    const rows = parse((await readFile((await download.path())!, 'utf8')).replace(/^\uFEFF/, '')) as string[][];
    expect(rows[0]!.slice(0, 5)).toEqual([expect.stringMatching(/^时间/), '账号', '操作人', '角色', '操作']);
    expect(rows.slice(1).map((r) => r[4])).toEqual(['网格规划员 修改了网格 和平社区第一网格的边界', '网格规划员 修改了网格 和平社区第一网格的名称']);
  });

  it('opens the cell from its link, on the map with its card', async () => {
    const link = page.getByTestId('audit-table').locator('a[data-object-type=cell]').first();
    await expect(link.getAttribute('href')).resolves.toBe(`#/map?cell=${cell.id}`);
    await link.click();
    await expect.poll(() => page.getByTestId('details-name').textContent()).toBe('和平社区第一网格');
    expect(new URL(page.url()).hash).toBe(`#/map?cell=${cell.id}`);
    // Back to the log, with the search still in place.
    await page.goBack();
    await expect.poll(() => page.locator('input[name=audit-q]').inputValue()).toBe('第一网格');
    await expect.poll(() => page.getByTestId('audit-table').locator('tbody tr').count()).toBe(2);
  });

  it('opens the report from its link in the inbox', async () => {
    await page.evaluate(() => { window.location.hash = '#/admin'; });
    await page.locator('input[name=audit-q]').fill(trackingCode);
    const link = page.getByTestId('audit-table').locator('tr[data-action="report.verify"] a[data-object-type=report]');
    await link.click();
    await expect.poll(() => page.getByTestId('report-detail').textContent()).toContain(trackingCode);
    expect(new URL(page.url()).hash).toMatch(/^#\/reports\?report=\d+/);
  });

  it('opens an account and a unit from their links', async () => {
    await page.evaluate(() => { window.location.hash = '#/admin'; });
    await page.locator('input[name=audit-q]').fill('张三');
    const user = page.getByTestId('audit-table').locator('tr[data-action="user.create"]');
    await expect.poll(() => user.locator('.audit-what').textContent()).toContain('系统管理员 创建了用户 张三 (zhangsan)（网格员）');
    await user.locator('a[data-object-type=user]').click();
    await expect.poll(() => page.getByTestId('user-form').locator('input[name=displayName]').inputValue()).toBe('张三');

    await page.locator('input[name=audit-q]').fill('幸福面馆');
    const unit = page.getByTestId('audit-table').locator('tr[data-action="unit.create"]');
    await expect.poll(() => unit.locator('.audit-what').textContent()).toContain('系统管理员 新建了单位 幸福面馆');
    await unit.locator('a[data-object-type=unit]').click();
    await expect.poll(() => page.getByTestId('unit-page').textContent()).toContain('幸福面馆');
    expect(new URL(page.url()).hash).toMatch(/^#\/units\?unit=\d+$/);
  });

  it('fits a phone: the page does not widen, each entry stacks with its sentence in view', async () => {
    await page.evaluate(() => { window.location.hash = '#/admin'; });
    await page.getByTestId('audit-table').scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'test-results/e2e/audit-desktop.png' });
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    try {
      const p = await phone.newPage();
      const res = await p.request.post(`${server.url}/api/session`, { data: { username: 'admin', password: 'demo1234' } });
      expect(res.status()).toBe(200);
      await p.goto(`${server.url}/#/admin`);
      await p.locator('.panel-toggle').click();
      await p.getByTestId('audit-table').waitFor();
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const panel = await p.locator('#side-panel').boundingBox();
      expect(panel!.x + panel!.width).toBeLessThanOrEqual(390);
      // Nothing to scroll sideways: the sentence, who, when and from where all sit inside the panel.
      expect(await p.locator('.table-scroll').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      const row = p.getByTestId('audit-table').locator('tr[data-action="report.verify"]');
      await row.scrollIntoViewIfNeeded();
      for (const cell of ['.audit-what', '.audit-who', '.audit-when', '.audit-where']) {
        const b = (await row.locator(cell).boundingBox())!;
        expect(b.x + b.width, cell).toBeLessThanOrEqual(panel!.x + panel!.width);
      }
      await expect(row.locator('.audit-what').textContent()).resolves.toContain('指挥中心值班员 核实了隐患');
      await p.screenshot({ path: 'test-results/e2e/audit-phone.png' });
    } finally {
      await phone.close();
    }
  });
});
