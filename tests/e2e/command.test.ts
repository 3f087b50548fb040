import { mkdir } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { booleanPointInPolygon, centerOfMass } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import { launchBrowser, startServer, type RunningServer, openSignedIn } from '../helpers/e2e.ts';

/** The commander's screen: heatmap drawn on the map, statistics, live updates, shareable filters, monthly CSV. */

type Cell = Feature<MultiPolygon, { name: string; level: number; code: string }> & { id: number };

let server: RunningServer;
let browser: Browser;
let page: Page;
let community: Cell;
let centre: [number, number];
const problems: string[] = [];

async function file(lon: number, lat: number, category = 'fire', severity = 'major') {
  const res = await fetch(`${server.url}/api/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ location: { type: 'Point', coordinates: [lon, lat] }, category, severity, description: '仓库堆放易燃物' }),
  });
  expect(res.status).toBe(201);
}

const heatCount = async () => Number((await page.getByTestId('heat-count').textContent())?.match(/\d+/)?.[0]);

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await mkdir('test-results/e2e', { recursive: true });
  const fc = (await (await fetch(`${server.url}/api/cells?level=3`)).json()) as FeatureCollection<MultiPolygon, Cell['properties']>;
  community = fc.features.find((f) => f.properties.name === '清姜社区') as Cell ?? fc.features[0] as Cell;
  centre = centerOfMass(community).geometry.coordinates as [number, number];
  expect(booleanPointInPolygon(centre, community)).toBe(true);
  // A cluster of hazards in one community, and one elsewhere of another kind.
  for (let i = 0; i < 6; i++) await file(centre[0] + (i % 3) * 0.0004, centre[1] + Math.floor(i / 3) * 0.0004);
  const other = fc.features.find((f) => f.id !== community.id)!;
  const o = centerOfMass(other).geometry.coordinates;
  await file(o[0]!, o[1]!, 'environment', 'ordinary');

  // A browser set to another zone still shows the deployment's (Asia/Shanghai) times.
  page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'en-US', timezoneId: 'America/New_York' });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await openSignedIn(page, server.url, 'commander');
  await page.getByTestId('nav-command').click();
  await page.getByTestId('heat-count').waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the command view', () => {
  it('draws the hazards as a heatmap over the cells where they were reported', async () => {
    await expect.poll(heatCount, { timeout: 15_000 }).toBe(7);
    const before = await page.evaluate(() => ({ center: window.__wanggeMap!.getCenter().toArray(), zoom: window.__wanggeMap!.getZoom() }));
    await page.evaluate(([lon, lat]) => window.__wanggeMap!.jumpTo({ center: [lon!, lat!], zoom: 13 }), centre);
    await page.waitForTimeout(1500);
    const px = await page.evaluate(([lon, lat]) => {
      const map = window.__wanggeMap!;
      const p = map.project([lon!, lat!]);
      const r = map.getContainer().getBoundingClientRect();
      return { x: Math.round(p.x + r.left), y: Math.round(p.y + r.top) };
    }, centre);
    const shot = await page.screenshot({ path: 'test-results/e2e/command.png' });
    const { data, info } = await sharp(shot).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => {
      const i = (y * info.width + x) * info.channels;
      return [data[i]!, data[i + 1]!, data[i + 2]!];
    };
    // Heat colours (yellow to dark red) have little blue; the cell fill and choropleth underneath have more.
    let hot = 0;
    for (let dx = -12; dx <= 12; dx++) {
      for (let dy = -12; dy <= 12; dy++) {
        const [r, g, b] = at(px.x + dx, px.y + dy);
        if (r! > 150 && b! < 60 && r! - g! > 60) hot++;
      }
    }
    expect(hot).toBeGreaterThan(20);
    // Far from any report there is no heat.
    const [, , farBlue] = at(px.x + 300, px.y + 300);
    expect(farBlue).toBeGreaterThan(60);
    await page.evaluate((view) => window.__wanggeMap!.jumpTo({ center: view.center as [number, number], zoom: view.zoom }), before);
    await expect.poll(heatCount, { timeout: 10_000 }).toBe(7);
  });

  it('ranks the cells worst first and colours them by the chosen figure', async () => {
    const first = page.getByTestId('ranking').locator('tbody tr').first();
    await expect.poll(async () => first.locator('td').first().textContent(), { timeout: 10_000 }).toBe('清姜社区');
    await expect.poll(async () => (await first.locator('td').nth(1).textContent())?.trim()).toBe('6');
    const coloured = await page.evaluate(() => window.__wanggeMap!.queryRenderedFeatures({ layers: ['command-choropleth'] })
      .filter((f) => f.state.has === true).map((f) => f.id));
    expect(coloured).toContain(community.id);
    await expect(page.getByTestId('kpis').textContent()).resolves.toContain('7');
  });

  it('keeps the filters in the address, so the view can be shared', async () => {
    await page.getByTestId('filter-category').selectOption('environment');
    await expect.poll(heatCount, { timeout: 10_000 }).toBe(1);
    expect(page.url()).toContain('category=environment');
    // Opening the address again gives the same view.
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
    await expect.poll(heatCount, { timeout: 10_000 }).toBe(1);
    await expect(page.getByTestId('filter-category').inputValue()).resolves.toBe('environment');
    await page.getByTestId('filter-category').selectOption('');
    await expect.poll(heatCount, { timeout: 10_000 }).toBe(7);
  });

  it('shows a new report within seconds, without a reload', async () => {
    const shanghai = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
    const before = shanghai(new Date());
    await file(centre[0] - 0.0004, centre[1] - 0.0004);
    const after = shanghai(new Date(Date.now() + 60_000));
    await expect.poll(heatCount, { timeout: 10_000 }).toBe(8);
    await expect(page.getByTestId('live-feed').locator('li').count()).resolves.toBeGreaterThanOrEqual(1);
    const line = await page.getByTestId('live-feed').locator('li').first().innerText();
    expect([before, after].some((hm) => line.includes(`${hm}:`)), `${line} shows ${before}–${after} Shanghai time`).toBe(true);
  });

  it('lists new reports with category, severity and place, a major one first and highlighted', async () => {
    await file(centre[0] + 0.0002, centre[1] - 0.0002, 'environment', 'ordinary');
    const feed = page.getByTestId('live-feed');
    await expect.poll(async () => feed.locator('li[data-severity=ordinary]').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const ordinary = await feed.locator('li[data-severity=ordinary]').first().innerText();
    expect(ordinary).toContain('Environment');
    expect(ordinary).toContain('Ordinary');
    expect(ordinary).toContain(community.properties.name);
    // The major one filed before it stays on top, highlighted.
    const first = feed.locator('li').first();
    await expect(first.getAttribute('data-severity')).resolves.toBe('major');
    await expect(first.getAttribute('class')).resolves.toContain('major');
    const major = await first.innerText();
    expect(major).toContain('Fire');
    expect(major).toContain('Major');
    expect(major).toContain(community.properties.name);
    // Sound is off until the commander turns it on, and the choice is remembered.
    await expect(page.getByTestId('feed-sound').isChecked()).resolves.toBe(false);
    await page.getByTestId('feed-sound').check();
    await expect(page.evaluate(() => localStorage.getItem('wangge.command.sound'))).resolves.toBe('on');
  });

  it('moves the indicators, the ranking and the choropleth with the replay window, with a legend', async () => {
    const legend = page.getByTestId('choropleth-legend');
    await legend.waitFor();
    expect(await legend.innerText()).toMatch(/Legend[\s\S]*cells/);
    const found = () => page.locator('[data-kpi=found]').textContent();
    const now = Number(await found());
    expect(now).toBeGreaterThan(0);
    // Two days back: every report here was filed today, so the window holds none of them.
    const twoDaysAgo = Date.now() - 36 * 3600_000;
    const answered = page.waitForResponse((r) => r.url().includes('/api/stats/cells')
      && Date.parse(new URL(r.url()).searchParams.get('to') ?? '') < twoDaysAgo);
    await page.getByTestId('replay').fill('-2');
    const url = new URL((await answered).url());
    expect(page.url()).toContain('daysBack=2');
    const api = await page.evaluate(async (q) => (await (await fetch(`/api/stats/cells?${q}`)).json()) as { kpis: { found: number }; cells: { name: string; reports: number }[] }, url.search.slice(1));
    await expect.poll(found, { timeout: 10_000 }).toBe(String(api.kpis.found));
    expect(api.kpis.found).toBeLessThan(now);
    const first = page.getByTestId('ranking').locator('tbody tr').first();
    await expect.poll(async () => (await first.locator('td').nth(1).textContent())?.trim()).toBe(String(api.cells[0]!.reports));
    expect(await first.locator('td').first().getAttribute('title')).toBe(api.cells[0]!.name);
    // Back to now: the indicators are the live window's again (a report filed by an earlier step
    // may have arrived meanwhile, so the figure is the server's, asked the same way).
    const back = page.waitForResponse((r) => r.url().includes('/api/stats/cells')
      && Date.parse(new URL(r.url()).searchParams.get('to') ?? '') > Date.now() - 60_000);
    await page.getByTestId('replay').fill('0');
    const live = (await (await back).json()) as { kpis: { found: number } };
    expect(live.kpis.found).toBeGreaterThanOrEqual(now);
    await expect.poll(found, { timeout: 10_000 }).toBe(String(live.kpis.found));
  });

  it('offers the monthly report as CSV', async () => {
    const href = await page.getByTestId('monthly-csv').getAttribute('href');
    const csv = await page.evaluate(async (url) => {
      const res = await fetch(url!);
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    }, href);
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/text\/csv/);
    expect(csv.text).toContain('清姜社区');
    expect(problems).toEqual([]);
  });
});
