import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { launchBrowser, startServer, type RunningServer } from '../helpers/e2e.ts';

// What a new user sees after `npm start`: the living demo, not an empty shell. Cards name their
// people, the command view has months of hazards, the inbox has work in every state.

let server: RunningServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startServer({ living: true });
  browser = await launchBrowser();
  await mkdir('test-results/e2e', { recursive: true });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  await page.goto(server.url);
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the living demo', () => {
  it('shows a cell card with its people on the public map', async () => {
    const leaf = ((await (await fetch(`${server.url}/api/cells?level=4`)).json()) as { features: { properties: { name: string } }[] }).features[0]!;
    await page.getByTestId('search-input').fill(leaf.properties.name);
    await page.getByTestId('search-hit-cell').first().click();
    await expect.poll(() => page.getByTestId('card-name').textContent()).toBe(leaf.properties.name);
    await expect.poll(() => page.getByTestId('card-person').count()).toBeGreaterThan(0);
    // Demo phones are in a range no carrier gives out, and the public sees them masked.
    const phones = await page.getByTestId('card-phone').allTextContents();
    for (const p of phones) expect(p).toMatch(/^100\*{4}\d{4}$/);
    await page.screenshot({ path: 'test-results/e2e/demo-card.png' });
  });

  it('gives the commander a heatmap of months of hazards and an inbox with work in every state', async () => {
    const login = await page.context().request.post(`${server.url}/api/session`, { data: { username: 'commander', password: 'demo1234' } });
    expect(login.status()).toBe(200);
    await page.goto(`${server.url}/#/command?window=30d&state=all`);
    // A new page load, so the client reads the session it now has.
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
    await page.getByTestId('heat-count').waitFor({ timeout: 60_000 });
    await expect.poll(async () => Number((await page.getByTestId('heat-count').textContent())?.match(/\d+/)?.[0] ?? 0), { timeout: 30_000 }).toBeGreaterThan(100);
    const shot = PNG.sync.read(await page.screenshot({ path: 'test-results/e2e/demo-command.png' }));
    // The heat shows where hazards gather, not a district red from edge to edge: over the map, the
    // ramp's deep red covers a few hot spots only, and pale heat the rest.
    let deepRed = 0, heat = 0, map = 0;
    for (let y = 60; y < 880; y++) {
      for (let x = 420; x < 1330; x++) {
        const k = (y * shot.width + x) * 4;
        const [r, g, b] = [shot.data[k]!, shot.data[k + 1]!, shot.data[k + 2]!];
        map++;
        if (r > 150 && g < 80 && b < 90) deepRed++;
        if (r > 200 && r - b > 35) heat++;
      }
    }
    expect(deepRed).toBeGreaterThan(0.002 * map);
    expect(deepRed).toBeLessThan(0.1 * map);
    expect(heat).toBeGreaterThan(0.3 * map);
    const states = await page.evaluate(async () => {
      const all = ['reported', 'verified', 'rejected', 'dispatched', 'rectifying', 'rectified', 'closed'].map((s) => `state=${s}`).join('&');
      const res = await fetch(`/api/reports?${all}&limit=1000`);
      const body = (await res.json()) as { items: { state: string }[] };
      return [...new Set(body.items.map((r) => r.state))];
    });
    expect(states.sort()).toEqual(['closed', 'dispatched', 'rectified', 'rectifying', 'rejected', 'reported', 'verified']);
  });
});
