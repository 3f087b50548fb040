import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { gdal } from '../fixtures/exchange/gdal.ts';
import { zipOf } from '../fixtures/exchange/upload.ts';
import { launchBrowser, openSignedIn, startServer, type RunningServer } from '../helpers/e2e.ts';

// The boundary import dialog speaks the planner's language: what the reader noticed about the file
// (a shapefile without its .cpg, read as GBK) and why a file cannot be read at all come from the
// server as catalog codes, shown in Chinese (they were English sentences in the Chinese dialog).

let server: RunningServer;
let browser: Browser;
let page: Page;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wangge-import-dialog-'));
  await writeFile(path.join(dir, 'a.geojson'), JSON.stringify({
    type: 'FeatureCollection',
    features: [{ type: 'Feature', properties: { name: '新华社区', code: '610302001901', level: 3 }, geometry: { type: 'Polygon', coordinates: [[[107.1, 34.36], [107.11, 34.36], [107.11, 34.37], [107.1, 34.37], [107.1, 34.36]]] } }],
  }));
  await gdal('ogr2ogr', ['-f', 'ESRI Shapefile', path.join(dir, 'gbk.shp'), path.join(dir, 'a.geojson'), '-lco', 'ENCODING=CP936']);
  const parts = new Map<string, Buffer>();
  for (const ext of ['shp', 'shx', 'dbf', 'prj']) parts.set(`gbk.${ext}`, await readFile(path.join(dir, `gbk.${ext}`)));
  await writeFile(path.join(dir, 'no-cpg.zip'), await zipOf(parts));
  await writeFile(path.join(dir, 'empty.geojson'), '');
  server = await startServer();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  await openSignedIn(page, `${server.url}/#/plan`, 'planner');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function upload(file: string) {
  await page.getByRole('button', { name: '导入边界…' }).click();
  const dialog = page.getByTestId('import-dialog');
  await dialog.locator('input[type=file]').setInputFiles(path.join(dir, file));
  await dialog.locator('button[type=submit]').click();
  return dialog;
}

/** Escape closes the dialog (the preview has no close button until it is committed). */
async function closeDialog() {
  await page.keyboard.press('Escape');
  await expect.poll(() => page.getByTestId('import-dialog').count()).toBe(0);
}

describe('the boundary import dialog in Chinese', () => {
  it('says in Chinese that a shapefile had no .cpg and was read as GBK, and shows its Chinese names', async () => {
    const dialog = await upload('no-cpg.zip');
    await expect.poll(() => dialog.locator('ul.muted li').allTextContents(), { timeout: 60_000 }).toEqual(['缺少 gbk.cpg：属性文本不是 UTF-8，按 GBK 读取']);
    await expect.poll(() => dialog.locator('table').textContent()).toContain('新华社区');
    await closeDialog();
  }, 90_000);

  it('says in Chinese why a file cannot be read', async () => {
    const dialog = await upload('empty.geojson');
    await expect.poll(() => dialog.locator('.form-error').allTextContents(), { timeout: 60_000 }).toEqual(['empty.geojson：无法读取（文件是空的）']);
    await closeDialog();
  }, 90_000);
});
