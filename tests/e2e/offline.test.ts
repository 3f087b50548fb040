import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pointOnFeature } from '@turf/turf';
import sharp from 'sharp';
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import { launchBrowser, startServer, type RunningServer, signInApi } from '../helpers/e2e.ts';

/**
 * A patrol in a dead zone, on a phone in Chinese: the app is installed (service worker), the worker
 * starts a patrol, then the network drops. Check-ins, a finding with a photo and a new report wait
 * in the outbox; the app is reloaded without network (the service worker serves it, the queue is
 * still there); meanwhile one of the units was checked in from another device. The network returns:
 * everything arrives once, with the times it was done, and the refused check-in stays in the outbox
 * with the server's reason in Chinese and what to do.
 */

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

let leaf: Feature<MultiPolygon> & { id: number };
const unit = { a: 0, b: 0, c: 0 };
let at: [number, number];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await mkdir('test-results/e2e', { recursive: true });
  const admin = await signInApi(server.url, 'admin');
  const streets = (await (await admin('/api/cells?level=2')).json()) as FeatureCollection<MultiPolygon, { code: string }>;
  let cell = streets.features.find((f) => f.properties.code === '610302001') as Feature<MultiPolygon> & { id: number };
  for (;;) {
    const children = (await (await admin(`/api/cells?parentId=${cell.id}`)).json()) as FeatureCollection<MultiPolygon>;
    if (children.features.length === 0) break;
    cell = children.features[0] as Feature<MultiPolygon> & { id: number };
  }
  leaf = cell;
  at = pointOnFeature(leaf).geometry.coordinates as [number, number];
  const add = async (name: string, type: string) => {
    const res = await admin('/api/units', { method: 'POST', body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: at }, properties: { type, name } }) });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: number }).id;
  };
  unit.a = await add('地下车库', 'key_fire_a');
  unit.b = await add('城中村小卖部', 'small_place');
  unit.c = await add('楼道配电间', 'small_place');
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

const panelOf = (page: Page) => page.getByTestId('patrol-worker');

describe('field work without signal', () => {
  it('queues a patrol offline, survives a reload offline, and sends it once when the network returns', async () => {
    const context = await browser.newContext({
      viewport: { width: 375, height: 812 }, locale: 'zh-CN', isMobile: true, hasTouch: true,
      geolocation: { longitude: at[0], latitude: at[1] - 0.0001 }, permissions: ['geolocation'],
    });
    contexts.push(context);
    const page = await context.newPage();
    expect((await page.request.post(`${server.url}/api/session`, { data: { username: 'worker', password: 'demo1234' } })).status()).toBe(200);
    await page.goto(`${server.url}/#/reports`);
    // Installed: the service worker controls the page (then the reads the worker needs go through it).
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null && navigator.serviceWorker?.controller !== undefined, undefined, { timeout: 60_000 });
    const manifest = await page.request.get(`${server.url}/manifest.webmanifest`);
    expect(await manifest.json()).toMatchObject({ display: 'standalone', icons: expect.arrayContaining([expect.objectContaining({ sizes: '512x512' })]) });
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 });

    await page.locator('.panel-toggle').click();
    let panel = panelOf(page);
    await panel.getByTestId('patrol-cell').selectOption(String(leaf.id));
    await panel.getByTestId('patrol-start').click();
    await panel.getByTestId(`patrol-checkin-${unit.a}`).waitFor();
    const worker = await signInApi(server.url, 'worker');
    const patrolId = ((await (await worker('/api/inspections?mine=true&open=true')).json()) as { items: { id: number }[] }).items[0]!.id;
    // The open patrol read again through the worker (the client does it after a start): wait for it in the cache.
    await page.waitForFunction(async (id) => !!(await caches.match(`/api/inspections/${id}`)), patrolId, { timeout: 30_000 });
    // The cell's map tiles at the zooms a patrol uses were kept too (the map showed only shallow zooms so far).
    await page.waitForFunction(async () => (await (await caches.open('wangge-tiles')).keys()).some((r) => r.url.includes('/tiles/cells/16/')), undefined, { timeout: 30_000 });

    // The signal drops.
    await context.setOffline(true);
    const offlineFrom = new Date();
    await panel.getByTestId(`patrol-checkin-${unit.a}`).click();
    await panel.getByTestId(`patrol-queued-${unit.a}`).waitFor();
    await panel.getByTestId(`patrol-work-${unit.a}`).click();
    const visit = panel.getByTestId('patrol-visit');
    await visit.getByTestId('finding-description').fill('地下车库消防通道堵塞');
    const photo = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: { r: 180, g: 60, b: 40 } } }).jpeg({ quality: 100 }).toBuffer();
    await visit.getByTestId('finding-photo').setInputFiles({ name: 'IMG_2001.jpg', mimeType: 'image/jpeg', buffer: photo });
    await visit.getByTestId('patrol-finding-submit').click();
    await panel.getByTestId('patrol-notice').filter({ hasText: '隐患已保存在手机上' }).waitFor();
    await panel.getByTestId(`patrol-checkin-${unit.b}`).click();
    await panel.getByTestId(`patrol-queued-${unit.b}`).waitFor();
    const offlineTo = new Date();

    // Meanwhile unit B was checked in from another device: replaying this check-in will be refused.
    const elsewhere = await worker(`/api/inspections/${patrolId}/visits`, { method: 'POST', body: JSON.stringify({ unitId: unit.b }) });
    expect(elsewhere.status).toBe(201);

    // The app is closed and opened again, still without network: the service worker serves it.
    await page.reload();
    await page.locator('.panel-toggle').click();
    panel = panelOf(page);
    const outbox = panel.getByTestId('outbox');
    await outbox.getByTestId('outbox-offline').waitFor();
    await expect.poll(() => outbox.locator('[data-testid=outbox-item][data-kind=checkin]').count()).toBe(2);
    await expect(outbox.locator('[data-testid=outbox-item][data-kind=finding]').count()).resolves.toBe(1);
    await panel.getByTestId(`patrol-queued-${unit.a}`).waitFor();

    // A new report, also offline, from the phone's position.
    await page.evaluate(() => {
      window.location.hash = '#/';
    });
    await page.getByTestId('report-launch').click();
    const form = page.getByTestId('report-form');
    await form.getByTestId('report-locate').click();
    await form.locator('select[name=category]').selectOption('fire');
    await form.locator('textarea[name=description]').fill('村口电动车违规充电');
    const reportAt = new Date();
    await form.getByTestId('report-submit').click();
    await form.getByTestId('report-queued').waitFor();
    await page.screenshot({ path: 'test-results/e2e/offline-queued.png' });

    // The network returns: the outbox is sent in order.
    const onlineAt = new Date();
    await context.setOffline(false);
    await page.evaluate(() => {
      window.location.hash = '#/reports';
    });
    // Starting the report closed the panel (the phone shows the map under the form): open it again.
    await page.locator('.panel-toggle').click();
    panel = panelOf(page);
    const refused = panel.locator('[data-testid=outbox-item][data-state=refused]');
    await refused.waitFor({ timeout: 30_000 });
    await expect.poll(() => panel.locator('[data-testid=outbox-item]').count()).toBe(1);
    await expect(refused.getAttribute('data-kind')).resolves.toBe('checkin');
    await expect(refused.getByTestId('outbox-reason').textContent()).resolves.toMatch(/^本次巡查已在单位场所 \d+（城中村小卖部）签到/);
    await expect(refused.getByTestId('outbox-advice').textContent()).resolves.toMatch(/已在别处完成/);
    await page.screenshot({ path: 'test-results/e2e/offline-refused.png' });

    // Everything arrived once, with the time it was done on the phone (not the time it was sent).
    const inspection = (await (await worker(`/api/inspections/${patrolId}`)).json()) as {
      visits: { unitId: number; at: string; receivedAt: string; timeFlag: string | null }[]; findings: { reportId: number; unitId: number }[];
    };
    expect(inspection.visits.map((v) => v.unitId).sort()).toEqual([unit.a, unit.b].sort());
    const visitA = inspection.visits.find((v) => v.unitId === unit.a)!;
    expect(Date.parse(visitA.at)).toBeGreaterThanOrEqual(offlineFrom.getTime() - 1000);
    expect(Date.parse(visitA.at)).toBeLessThanOrEqual(offlineTo.getTime() + 1000);
    expect(Date.parse(visitA.receivedAt)).toBeGreaterThanOrEqual(onlineAt.getTime() - 1000);
    expect(visitA.timeFlag).toBeNull();
    expect(inspection.findings).toHaveLength(1);
    const finding = (await (await worker(`/api/reports/${inspection.findings[0]!.reportId}`)).json()) as { description: string; observedAt: string; createdAt: string; photos: { width: number }[] };
    expect(finding.description).toBe('地下车库消防通道堵塞');
    expect(Date.parse(finding.observedAt)).toBeLessThanOrEqual(offlineTo.getTime() + 1000);
    expect(Date.parse(finding.createdAt)).toBeGreaterThanOrEqual(onlineAt.getTime() - 1000);
    // Made smaller on the phone before it waited in the outbox.
    expect(finding.photos).toHaveLength(1);
    expect(finding.photos[0]!.width).toBeLessThanOrEqual(1600);
    const reports = (await (await worker('/api/reports?limit=100')).json()) as { items: { id: number; description: string }[] };
    const filed = reports.items.filter((r) => r.description === '村口电动车违规充电');
    expect(filed).toHaveLength(1);
    const report = (await (await worker(`/api/reports/${filed[0]!.id}`)).json()) as { observedAt: string; createdAt: string };
    expect(Math.abs(Date.parse(report.observedAt) - reportAt.getTime())).toBeLessThan(5000);
    expect(Date.parse(report.createdAt)).toBeGreaterThanOrEqual(onlineAt.getTime() - 1000);

    // Opened again online: nothing is sent twice.
    await page.reload();
    await page.locator('.panel-toggle').click();
    await panelOf(page).locator('[data-testid=outbox-item][data-state=refused]').waitFor();
    const again = (await (await worker(`/api/inspections/${patrolId}`)).json()) as { visits: unknown[]; findings: unknown[] };
    expect(again.visits).toHaveLength(2);
    expect(again.findings).toHaveLength(1);
  });

  it('sends a check-in whose answer was lost once: the outbox replays it with the same key', async () => {
    const context = await browser.newContext({
      viewport: { width: 375, height: 812 }, locale: 'zh-CN', isMobile: true, hasTouch: true,
      geolocation: { longitude: at[0], latitude: at[1] - 0.0001 }, permissions: ['geolocation'],
    });
    contexts.push(context);
    const page = await context.newPage();
    expect((await page.request.post(`${server.url}/api/session`, { data: { username: 'worker', password: 'demo1234' } })).status()).toBe(200);
    await page.goto(`${server.url}/#/reports`);
    await page.locator('.panel-toggle').click();
    const panel = panelOf(page);
    await panel.getByTestId(`patrol-checkin-${unit.c}`).waitFor();
    // The server does the check-in, but its answer never reaches the phone (the signal drops on the way back).
    await context.route('**/api/inspections/*/visits', async (route) => {
      await route.fetch();
      await route.abort('internetdisconnected');
    }, { times: 1 });
    await panel.getByTestId(`patrol-checkin-${unit.c}`).click();
    await panel.getByTestId(`patrol-queued-${unit.c}`).waitFor();
    await panel.getByTestId('outbox').getByRole('button', { name: '立即发送' }).click();
    await panel.getByTestId('outbox').locator('[data-testid=outbox-item][data-kind=checkin][data-state=queued]').waitFor({ state: 'detached' });
    // Sent, not refused: the replay got the first answer back (without the key it would be "already checked in").
    await expect.poll(() => panel.locator('[data-testid=outbox-item]').count()).toBe(0);
    const worker = await signInApi(server.url, 'worker');
    const patrolId = ((await (await worker('/api/inspections?mine=true&open=true')).json()) as { items: { id: number }[] }).items[0]!.id;
    const inspection = (await (await worker(`/api/inspections/${patrolId}`)).json()) as { visits: { unitId: number }[] };
    expect(inspection.visits.filter((v) => v.unitId === unit.c)).toHaveLength(1);
  });

  it('keeps a worker\'s units, open reports and patrol cells from sign-in, without the views having been opened', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    contexts.push(context);
    const page = await context.newPage();
    expect((await page.request.post(`${server.url}/api/session`, { data: { username: 'worker', password: 'demo1234' } })).status()).toBe(200);
    await page.goto(`${server.url}/#/map`);
    await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 });
    const kept = () => page.evaluate(async () => (await (await caches.open('wangge-api')).keys()).map((r) => new URL(r.url).pathname + new URL(r.url).search));
    await expect.poll(kept, { timeout: 60_000 }).toEqual(expect.arrayContaining([
      '/api/client-config', '/api/session', '/api/units', '/api/unit-types', '/api/inspections/coverage?unitStatus=overdue', expect.stringMatching(/^\/api\/reports\?state=reported&/),
    ]));
    // The map of the worker's street is kept too, in the background, and the worker's panel says when.
    await page.goto(`${server.url}/#/reports`);
    const ready = page.locator('[data-testid=offline-map][data-state=ready]');
    await ready.waitFor({ timeout: 150_000 });
    expect(await ready.textContent()).toMatch(/离线地图已保存：覆盖你的网格的 \d+ 块地图瓦片（缩放级别 12–14）/);
    // Among them the tile a patrol at a unit of the street reads at zoom 14 (the map never showed it).
    const tile = (z: number) => {
      const x = Math.floor(((at[0] + 180) / 360) * 2 ** z);
      const r = (at[1] * Math.PI) / 180;
      const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
      return `${server.url}/tiles/cells/${z}/${x}/${y}.mvt`;
    };
    const keptTile = (url: string) => page.evaluate(async (u) => (await (await caches.open('wangge-tiles')).match(u))?.arrayBuffer().then((b) => b.byteLength) ?? 0, url);
    for (const z of [12, 13, 14]) expect(await keptTile(tile(z)), `zoom ${z}`).toBeGreaterThan(0);
    // In a dead zone, the units view opens with the units of the worker's cells it never showed online.
    await context.setOffline(true);
    await page.goto(`${server.url}/#/map`);
    await page.reload();
    await page.getByTestId('nav-units').click();
    await expect.poll(() => page.getByTestId('units-list').textContent()).toContain('地下车库');
    // And the map draws the cell at that unit, close up, from the kept tiles.
    await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 });
    const drawn = () => page.evaluate(async ([lon, lat]) => {
      const map = window.__wanggeMap!;
      map.jumpTo({ center: [lon, lat], zoom: 15.5 });
      await new Promise((r) => map.once('idle', r));
      return map.queryRenderedFeatures(map.project([lon, lat])).filter((f) => f.source === 'cells').length;
    }, at);
    expect(await drawn()).toBeGreaterThan(0);
    await context.setOffline(false);
  });
});
