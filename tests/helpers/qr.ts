import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

/** Whether this machine has a QR reader (zbarimg, Debian's zbar-tools): no npm package reads QR codes here. */
export const hasQrReader = (() => {
  try {
    execFileSync('zbarimg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Reads a QR code as a phone would: the SVG rendered to pixels (sharp), decoded by zbarimg; null without a reader. */
export async function scanQrSvg(svg: string): Promise<string | null> {
  if (!hasQrReader) return null;
  const dir = mkdtempSync(path.join(tmpdir(), 'qr-'));
  try {
    const file = path.join(dir, 'qr.png');
    writeFileSync(file, await sharp(Buffer.from(svg), { density: 300 }).resize(600).png().toBuffer());
    return execFileSync('zbarimg', ['-q', '--raw', file], { encoding: 'utf8' }).replace(/\n$/, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
