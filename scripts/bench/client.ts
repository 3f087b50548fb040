/**
 * The public map's first load in Chromium, on loopback: bytes over the wire and time until the map
 * is drawn, with the precompressed build (what a browser gets) beside the same files uncompressed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser, startServer } from '../../tests/helpers/e2e.ts';

export interface ClientRow {
  encoding: string;
  kib: number;
  requests: number;
  scriptKiB: number;
  mapDrawnMs: number;
}

const RUNS = 3;

export async function benchClient(log: (s: string) => void): Promise<ClientRow[]> {
  if (!existsSync(path.resolve('dist/client/index.html'))) throw new Error('run `npx vite build` first: the bench loads the built client');
  const server = await startServer();
  const browser = await launchBrowser();
  const rows: ClientRow[] = [];
  try {
    for (const encoding of ['br, gzip', 'identity']) {
      const samples: ClientRow[] = [];
      for (let run = 0; run < RUNS; run++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', extraHTTPHeaders: { 'accept-encoding': encoding } });
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
        let bytes = 0;
        let scriptBytes = 0;
        let requests = 0;
        const types = new Map<string, string>();
        cdp.on('Network.responseReceived', (e) => types.set(e.requestId, e.type));
        cdp.on('Network.loadingFinished', (e) => {
          requests++;
          bytes += e.encodedDataLength;
          if (types.get(e.requestId) === 'Script') scriptBytes += e.encodedDataLength;
        });
        const started = Date.now();
        await page.goto(server.url);
        await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 90_000 });
        const mapDrawnMs = Date.now() - started;
        samples.push({ encoding, kib: bytes / 1024, requests, scriptKiB: scriptBytes / 1024, mapDrawnMs });
        await context.close();
      }
      const median = <K extends keyof ClientRow>(k: K) => samples.map((s) => s[k] as number).sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
      rows.push({ encoding, kib: median('kib'), requests: median('requests'), scriptKiB: median('scriptKiB'), mapDrawnMs: median('mapDrawnMs') });
      log(`  first load (${encoding}): ${rows.at(-1)!.kib.toFixed(0)} KiB, map drawn in ${rows.at(-1)!.mapDrawnMs} ms`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  return rows;
}
