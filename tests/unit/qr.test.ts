import { describe, expect, it } from 'vitest';
import { encodeQr, qrSvg } from '../../server/duties/qr.ts';
import { hasQrReader, scanQrSvg } from '../helpers/qr.ts';

const SAMPLES = [
  'http://127.0.0.1:8080/#/map?cell=12&report=1',
  `https://grid.example.gov.cn/#/map?cell=12345&report=1&x=${'a'.repeat(150)}`,
  'HELLO 网格',
];

describe('the notice board QR code', () => {
  it('is a square symbol with finder patterns in three corners, bigger for longer text', () => {
    const m = encodeQr(SAMPLES[1]!);
    expect((m.length - 17) % 4).toBe(0);
    expect(m.length).toBeGreaterThan(encodeQr(SAMPLES[0]!).length);
    const finder = (x0: number, y0: number) => [0, 1, 2, 3, 4, 5, 6].map((y) => [0, 1, 2, 3, 4, 5, 6].map((x) => (m[y0 + y]![x0 + x] ? 1 : 0)).join('')).join('/');
    const expected = '1111111/1000001/1011101/1011101/1011101/1000001/1111111';
    expect(finder(0, 0)).toBe(expected);
    expect(finder(m.length - 7, 0)).toBe(expected);
    expect(finder(0, m.length - 7)).toBe(expected);
  });

  it.runIf(hasQrReader)('a QR reader (zbarimg) decodes the SVG back to the text', async () => {
    for (const text of SAMPLES) expect(await scanQrSvg(qrSvg(text))).toBe(text);
  });
});
