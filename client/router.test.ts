import { describe, expect, it } from 'vitest';
import { formatHash, parseHash } from './router.ts';

describe('routes in the URL', () => {
  it('reads the view and its filters from the hash', () => {
    const route = parseHash('#/command?category=fire&window=7d');
    expect(route.view).toBe('command');
    expect(route.params.get('category')).toBe('fire');
    expect(route.params.get('window')).toBe('7d');
  });

  it('falls back to the public map for an empty or unknown hash', () => {
    expect(parseHash('').view).toBe('map');
    expect(parseHash('#/nowhere').view).toBe('map');
  });

  it('writes what it reads', () => {
    const hash = formatHash('reports', { state: 'overdue', cell: '42' });
    expect(hash).toBe('#/reports?state=overdue&cell=42');
    expect(Object.fromEntries(parseHash(hash).params)).toEqual({ state: 'overdue', cell: '42' });
    expect(formatHash('plan')).toBe('#/plan');
  });
});
