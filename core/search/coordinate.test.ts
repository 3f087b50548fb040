import { describe, expect, it } from 'vitest';
import { parseCoordinate, parseTrackingCode } from './coordinate.ts';

describe('parseCoordinate', () => {
  it('reads the ways people paste a point', () => {
    expect(parseCoordinate('107.14, 34.36')).toEqual([107.14, 34.36]);
    expect(parseCoordinate('34.36,107.14')).toEqual([107.14, 34.36]);
    expect(parseCoordinate('34.36 107.14')).toEqual([107.14, 34.36]);
    expect(parseCoordinate('107.14，34.36')).toEqual([107.14, 34.36]);
    expect(parseCoordinate('N34.36 E107.14')).toEqual([107.14, 34.36]);
    expect(parseCoordinate('34.36°N, 107.14°E')).toEqual([107.14, 34.36]);
    expect(parseCoordinate('33.9°S 151.2°E')).toEqual([151.2, -33.9]);
    expect(parseCoordinate('-74.0, 40.7')).toEqual([-74, 40.7]);
  });

  it('is not fooled by names, codes and impossible numbers', () => {
    for (const text of ['清姜社区', '610302001', '107.14', '200, 95', '1e309, 3', '34.36, 107.14, 5', '']) expect(parseCoordinate(text), text).toBeNull();
  });
});

describe('parseTrackingCode', () => {
  it('reads a receipt code in any case and spacing', () => {
    expect(parseTrackingCode('wg-7k3p9-q2x4m')).toBe('WG-7K3P9-Q2X4M');
    expect(parseTrackingCode(' WG-7K3P9-Q2X4M ')).toBe('WG-7K3P9-Q2X4M');
    expect(parseTrackingCode('WG-7K3P9')).toBeNull();
  });
});
