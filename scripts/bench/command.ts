/**
 * The commander's live feed in Chromium: time from the intake's 201 (a report filed through the
 * API) to its line on the commander's screen, over the real server, its event stream and the
 * built client. The page stamps each new feed line with Date.now() (same clock as this process).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { centerOfMass } from '@turf/turf';
import type { FeatureCollection, MultiPolygon } from 'geojson';
import { launchBrowser, startServer } from '../../tests/helpers/e2e.ts';

export interface CommandRow {
  reports: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

const REPORTS = 15;

declare global {
  interface Window {
    __feedLines?: number[];
  }
}

export async function benchCommand(log: (s: string) => void): Promise<CommandRow[]> {
  if (!existsSync(path.resolve('dist/client/index.html'))) throw new Error('run `npx vite build` first: the bench loads the built client');
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const fc = (await (await fetch(`${server.url}/api/cells?level=3`)).json()) as FeatureCollection<MultiPolygon>;
    const [lon, lat] = centerOfMass(fc.features[0]!).geometry.coordinates as [number, number];
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
    await page.getByTestId('sign-in').click();
    await page.locator('dialog input[name=username]').fill('commander');
    await page.locator('dialog input[name=password]').fill('demo1234');
    await page.locator('dialog button[type=submit]').click();
    await page.getByTestId('user-menu').waitFor();
    await page.getByTestId('nav-command').click();
    await page.locator('.live-dot.on').waitFor({ timeout: 30_000 });
    // Each time the feed gets one more line, the time it appeared.
    // (A string: tsx would wrap named functions in a helper the page does not have.)
    await page.evaluate(`(() => {
      window.__feedLines = [];
      let count = document.querySelectorAll('[data-testid=live-feed] li').length;
      new MutationObserver(() => {
        const n = document.querySelectorAll('[data-testid=live-feed] li').length;
        for (; count < n; count++) window.__feedLines.push(Date.now());
      }).observe(document.body, { subtree: true, childList: true });
    })()`);
    const samples: number[] = [];
    for (let i = 0; i < REPORTS; i++) {
      const res = await fetch(`${server.url}/api/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ location: { type: 'Point', coordinates: [lon + (i % 5) * 0.0003, lat] }, category: 'fire', severity: i % 4 === 0 ? 'major' : 'ordinary', description: '基准测试' }),
      });
      const created = Date.now();
      if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
      await page.waitForFunction((n) => (window.__feedLines?.length ?? 0) > n, i, { timeout: 30_000 });
      const shown = await page.evaluate((n) => window.__feedLines![n]!, i);
      samples.push(shown - created);
      // Apart, as reports arrive in real life: each one measured on its own.
      await new Promise((r) => setTimeout(r, 300));
    }
    samples.sort((a, b) => a - b);
    const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
    const row = { reports: REPORTS, p50Ms: at(0.5), p95Ms: at(0.95), maxMs: samples.at(-1)! };
    log(`  live feed, 201 → line on screen: p50 ${row.p50Ms} ms, p95 ${row.p95Ms} ms, max ${row.maxMs} ms`);
    return [row];
  } finally {
    await browser.close();
    await server.stop();
  }
}
