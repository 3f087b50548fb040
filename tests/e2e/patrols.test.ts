import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pointOnFeature } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import { launchBrowser, startServer, type RunningServer, signInApi } from '../helpers/e2e.ts';

/**
 * A patrol on a phone-sized screen: the demo worker starts a patrol of a cell of their street, checks
 * in at a unit with the phone's position, ticks the checklist, files a finding and finishes; the API
 * then shows the inspection with its track and the linked report, and the commander's overdue list
 * no longer has the unit.
 */

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];


const apiAs = (username: string) => signInApi(server.url, username);

async function openAs(username: string, context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const res = await page.request.post(`${server.url}/api/session`, { data: { username, password: 'demo1234' } });
  expect(res.status()).toBe(200);
  await page.goto(`${server.url}/#/reports`);
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 });
  return page;
}

let leaf: Feature<MultiPolygon> & { id: number };
const unit = { checked: 0, other: 0 };
let at: [number, number];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await mkdir('test-results/e2e', { recursive: true });

  // The deepest cell under the worker's street (610302001), and two units filed in it by the admin.
  const admin = await apiAs('admin');
  const streets = (await (await admin('/api/cells?level=2')).json()) as FeatureCollection<MultiPolygon, { code: string }>;
  let cell = streets.features.find((f) => f.properties.code === '610302001') as Feature<MultiPolygon> & { id: number };
  for (;;) {
    const children = (await (await admin(`/api/cells?parentId=${cell.id}`)).json()) as FeatureCollection<MultiPolygon>;
    if (children.features.length === 0) break;
    cell = children.features[0] as Feature<MultiPolygon> & { id: number };
  }
  leaf = cell;
  at = pointOnFeature(leaf).geometry.coordinates as [number, number];
  const add = async (name: string, type: string, lon: number, lat: number) => {
    const res = await admin('/api/units', { method: 'POST', body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { type, name } }) });
    const body = (await res.json()) as { id: number; properties: { cellId: number } };
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.properties.cellId).toBe(leaf.id);
    return body.id;
  };
  unit.checked = await add('宝鸡商场', 'key_fire_a', at[0], at[1]);
  unit.other = await add('老王面馆', 'small_place', at[0], at[1]);
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('a patrol from start to finish', () => {
  it('is walked by the worker on a phone: start, check in, checklist, finding, finish', async () => {
    const context = await browser.newContext({
      viewport: { width: 375, height: 812 }, locale: 'en-US', isMobile: true, hasTouch: true,
      geolocation: { longitude: at[0], latitude: at[1] - 0.0003 }, permissions: ['geolocation'],
    });
    contexts.push(context);
    const page = await openAs('worker', context);
    await page.locator('.panel-toggle').click();
    const panel = page.getByTestId('patrol-worker');
    await panel.getByTestId('patrol-cell').selectOption(String(leaf.id));
    await panel.getByTestId('patrol-start').click();

    const row = panel.getByTestId(`patrol-unit-${unit.checked}`);
    await expect(row.locator('[data-status]').getAttribute('data-status')).resolves.toBe('overdue');
    await panel.getByText(/Recording track: [1-9]/).waitFor();
    // Walking up to the unit: the phone reports a new position.
    await context.setGeolocation({ longitude: at[0], latitude: at[1] - 0.0001 });
    await panel.getByText(/Recording track: ([2-9]|\d\d)/).waitFor();

    await panel.getByTestId(`patrol-checkin-${unit.checked}`).click();
    await panel.getByRole('status').filter({ hasText: /m from the unit$/ }).waitFor();
    await expect(panel.getByRole('status').textContent()).resolves.toMatch(/^1\d m from the unit$/);
    // Near enough: a green confirmation (a far one is amber and not counted).
    await expect(panel.getByTestId('patrol-notice').getAttribute('class')).resolves.toContain('form-ok');
    const visit = panel.getByTestId('patrol-visit');
    for (const code of ['exits_clear', 'wiring', 'gas', 'fire_systems', 'emergency_lighting', 'duty_records']) await visit.getByTestId(`check-${code}`).check();
    await visit.getByTestId('patrol-checklist-save').click();
    await panel.getByRole('status').filter({ hasText: 'Checklist saved: fail' }).waitFor();

    await visit.getByTestId('finding-description').fill('两具灭火器过期');
    await visit.getByTestId('patrol-finding-submit').click();
    await panel.getByRole('status').filter({ hasText: /Finding filed as report WG-/ }).waitFor();
    await page.screenshot({ path: 'test-results/e2e/patrol-worker-phone.png' });

    await context.setGeolocation({ longitude: at[0] + 0.0002, latitude: at[1] });
    await panel.getByText(/Recording track: ([3-9]|\d\d)/).waitFor();
    await panel.getByTestId('patrol-finish').click();
    await panel.getByRole('status').filter({ hasText: /Patrol finished: 1 units checked in, 1 findings/ }).waitFor();
    await expect(panel.getByRole('alert').count()).resolves.toBe(0);
    await page.screenshot({ path: 'test-results/e2e/patrol-worker-finished.png' });
  });

  it('shows in the API with its track and the linked report', async () => {
    const worker = await apiAs('worker');
    const list = (await (await worker('/api/inspections?mine=true')).json()) as { items: { id: number; open: boolean }[] };
    expect(list.items).toHaveLength(1);
    expect(list.items[0]!.open).toBe(false);
    const inspection = (await (await worker(`/api/inspections/${list.items[0]!.id}`)).json()) as {
      cellId: number; track: { type: string; coordinates: number[][] } | null; trackTimes: string[];
      visits: { unitId: number; far: boolean; locationSource: string; result: string; checklist: { code: string; ok: boolean }[] }[];
      findings: { reportId: number; unitId: number }[];
    };
    expect(inspection.cellId).toBe(leaf.id);
    expect(inspection.track?.type).toBe('LineString');
    expect(inspection.track!.coordinates.length).toBeGreaterThanOrEqual(3);
    expect(inspection.trackTimes).toHaveLength(inspection.track!.coordinates.length);
    expect(inspection.visits).toHaveLength(1);
    expect(inspection.visits[0]).toMatchObject({ unitId: unit.checked, far: false, locationSource: 'device', result: 'fail' });
    expect(inspection.visits[0]!.checklist.filter((c) => !c.ok).map((c) => c.code)).toEqual(['extinguishers']);
    expect(inspection.findings).toHaveLength(1);
    expect(inspection.findings[0]!.unitId).toBe(unit.checked);
    const report = (await (await worker(`/api/reports/${inspection.findings[0]!.reportId}`)).json()) as { source: string; cellId: number; description: string };
    expect(report).toMatchObject({ source: 'inspection', cellId: leaf.id, description: '两具灭火器过期' });
  });

  it('takes the unit off the commander\'s overdue list (in Chinese), and shades the map', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    contexts.push(context);
    const page = await openAs('commander', context);
    const overview = page.getByTestId('patrol-overview');
    await overview.getByTestId(`overdue-unit-${unit.other}`).waitFor();
    await expect(overview.getByTestId(`overdue-unit-${unit.checked}`).count()).resolves.toBe(0);
    await expect(overview.getByTestId('patrol-summary').textContent()).resolves.toMatch(/单位已检查 50%（1\/2）/);
    await page.waitForFunction(() => {
      const map = window.__wanggeMap!;
      return !!map.getLayer('patrols-cells-fill') && map.querySourceFeatures('patrols-cells').length > 0;
    }, undefined, { timeout: 30_000 });
    await page.screenshot({ path: 'test-results/e2e/patrol-commander.png' });
  });
});
