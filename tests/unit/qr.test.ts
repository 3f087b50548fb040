import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeQr, qrSvg } from '../../core/qr/encode.ts';
import { hasQrReader, scanQrSvg } from '../helpers/qr.ts';

const fingerprint = (m: boolean[][]) => createHash('sha256').update(m.map((r) => r.map((d) => (d ? '1' : '0')).join('')).join('\n')).digest('hex').slice(0, 16);

const SAMPLES = [
  'http://127.0.0.1:8080/#/map?cell=12&report=1',
  `https://grid.example.gov.cn/#/map?cell=12345&report=1&x=${'a'.repeat(150)}`,
  'HELLO 网格',
];

describe('QR encoder', () => {
  it('picks the smallest version that holds the text, with finder patterns in three corners', () => {
    expect(encodeQr('http://127.0.0.1:8080/#/map?cell=12&report=1').length).toBe(33); // version 4
    const m = encodeQr(SAMPLES[1]!);
    expect((m.length - 17) % 4).toBe(0);
    expect(m.length).toBeGreaterThanOrEqual(45); // version 7 or more: the version blocks are drawn
    const finder = (x0: number, y0: number) => [0, 1, 2, 3, 4, 5, 6].map((y) => [0, 1, 2, 3, 4, 5, 6].map((x) => (m[y0 + y]![x0 + x] ? 1 : 0)).join('')).join('/');
    const expected = '1111111/1000001/1011101/1011101/1011101/1000001/1111111';
    expect(finder(0, 0)).toBe(expected);
    expect(finder(m.length - 7, 0)).toBe(expected);
    expect(finder(0, m.length - 7)).toBe(expected);
  });

  // These matrices were decoded by zbarimg (zbar-tools) when written: a change to the encoder that
  // alters them must be checked with a reader again.
  it('draws the same symbols that a QR reader decoded', () => {
    expect(SAMPLES.map((s) => fingerprint(encodeQr(s)))).toMatchSnapshot();
  });

  it.skipIf(!hasQrReader)('a QR reader (zbarimg) decodes the SVG back to the text', async () => {
    for (const text of SAMPLES) expect(await scanQrSvg(qrSvg(text))).toBe(text);
  });
});
