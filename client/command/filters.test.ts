import { describe, expect, it } from 'vitest';
import { filterQuery, readFilters, timeRange, writeFilters } from './filters.ts';

const now = new Date('2026-03-15T10:00:00Z');

describe('command view filters', () => {
  it('read defaults from an empty URL and write nothing back for them', () => {
    const f = readFilters(new URLSearchParams(), 3);
    expect(f).toMatchObject({ state: 'open', window: '7d', level: 3, metric: 'reports', category: null, daysBack: 0 });
    expect(writeFilters(f, 3)).toEqual({});
  });

  it('survive a round trip through the URL', () => {
    const params = new URLSearchParams('category=fire&severity=major&state=overdue&window=custom&from=2026-03-01&to=2026-03-10&level=2&metric=rate&daysBack=2');
    const f = readFilters(params, 3);
    expect(readFilters(new URLSearchParams(writeFilters(f, 3)), 3)).toEqual(f);
  });

  it('ignore values that are not theirs instead of failing', () => {
    const f = readFilters(new URLSearchParams('state=lost&window=1y&level=-2&from=yesterday&severity=huge'), 3);
    expect(f).toMatchObject({ state: 'open', window: '7d', level: 3, from: null, severity: null });
  });

  it('turn a window into a range ending now, moved back by the slider a day at a time', () => {
    const week = timeRange(readFilters(new URLSearchParams('window=7d'), 3), now);
    expect(week.to).toEqual(now);
    expect(now.getTime() - week.from.getTime()).toBe(7 * 24 * 3600e3);
    const day = timeRange(readFilters(new URLSearchParams('window=24h&daysBack=3'), 3), now);
    expect(now.getTime() - day.to.getTime()).toBe(3 * 24 * 3600e3);
    expect(day.to.getTime() - day.from.getTime()).toBe(24 * 3600e3);
  });

  it('send the server the range and the filters it understands', () => {
    const q = filterQuery(readFilters(new URLSearchParams('category=fire&state=all&window=30d'), 3), now);
    expect(q.get('category')).toBe('fire');
    expect(q.get('state')).toBe('all');
    expect(q.get('to')).toBe(now.toISOString());
    expect(new Date(q.get('from')!).getTime()).toBe(now.getTime() - 30 * 24 * 3600e3);
  });

  it('read a custom range as whole days in the deployment zone, whatever the browser zone', () => {
    // Shanghai is UTC+8: 1 March starts at 16:00 UTC on 28 February; 10 March ends at 15:59:59.999 UTC.
    const r = timeRange(readFilters(new URLSearchParams('window=custom&from=2026-03-01&to=2026-03-10'), 3), now);
    expect(r.from.toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(r.to.toISOString()).toBe('2026-03-10T15:59:59.999Z');
  });
});
