import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';

/**
 * Screenshots compared with committed references (tests/e2e/__screenshots__/<name>.png). The map's
 * canvas is hidden (software WebGL is not pixel-stable between runs); animations are stopped and
 * the caret hidden. A missing reference is written and the test fails saying so; UPDATE_SCREENSHOTS=1
 * rewrites all references (and the documentation's pictures under docs/images/, unmasked) and passes.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const REFERENCES = path.join(ROOT, 'tests/e2e/__screenshots__');
const OUT = path.join(ROOT, 'test-results/e2e');
/** Per-pixel colour distance pixelmatch ignores (0–1), and the share of pixels allowed to differ. */
const THRESHOLD = 0.1;
const MAX_DIFF_RATIO = 0.002;

export async function expectScreenshot(page: Page, name: string, opts: { hide?: string[]; docImage?: string } = {}): Promise<void> {
  // Hidden rather than masked: a mask is painted over everything, even a panel lying over the map.
  const style = `${['.map canvas', ...(opts.hide ?? [])].join(', ')} { visibility: hidden !important; }`;
  const actual = await page.screenshot({ style, animations: 'disabled', caret: 'hide' });
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path.join(OUT, `${name}.png`), actual);
  const reference = path.join(REFERENCES, `${name}.png`);
  const update = process.env.UPDATE_SCREENSHOTS === '1';
  if (update && opts.docImage) {
    const doc = path.join(ROOT, 'docs/images', opts.docImage);
    mkdirSync(path.dirname(doc), { recursive: true });
    writeFileSync(doc, await page.screenshot({ animations: 'disabled', caret: 'hide' }));
  }
  if (update || !existsSync(reference)) {
    mkdirSync(REFERENCES, { recursive: true });
    writeFileSync(reference, actual);
    if (update) return;
    throw new Error(`no reference for ${name}: wrote ${path.relative(ROOT, reference)}; look at it, commit it, and run again (UPDATE_SCREENSHOTS=1 rewrites all)`);
  }
  const want = PNG.sync.read(readFileSync(reference));
  const got = PNG.sync.read(actual);
  if (want.width !== got.width || want.height !== got.height) {
    throw new Error(`${name}: ${got.width}×${got.height} px, the reference is ${want.width}×${want.height}`);
  }
  const diff = new PNG({ width: got.width, height: got.height });
  const differing = pixelmatch(want.data, got.data, diff.data, got.width, got.height, { threshold: THRESHOLD });
  if (differing > MAX_DIFF_RATIO * got.width * got.height) {
    const diffFile = path.join(OUT, `${name}.diff.png`);
    writeFileSync(diffFile, PNG.sync.write(diff));
    throw new Error(`${name}: ${differing} pixels differ from ${path.relative(ROOT, reference)} (see ${path.relative(ROOT, diffFile)}; UPDATE_SCREENSHOTS=1 accepts the new look)`);
  }
}

/**
 * How many pixels of a part of the screen differ from `background` (an #rrggbb colour): a drawn
 * map has its cells there, a blank canvas only its background.
 */
export async function drawnPixels(page: Page, clip: { x: number; y: number; width: number; height: number }, background: string): Promise<number> {
  const png = PNG.sync.read(await page.screenshot({ clip }));
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(background.slice(i, i + 2), 16)) as [number, number, number];
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (Math.abs(png.data[i]! - r) + Math.abs(png.data[i + 1]! - g) + Math.abs(png.data[i + 2]! - b) > 30) n++;
  }
  return n;
}
