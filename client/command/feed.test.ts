import { describe, expect, it } from 'vitest';
import { mergeFeed, type LiveEvent } from './useLiveFeed.ts';
import { choroplethClasses } from './Choropleth.tsx';

const event = (id: number, severity: 'ordinary' | 'major', at: number, state = 'reported'): LiveEvent => ({
  type: 'created',
  at,
  report: { id, severity, state, category: 'fire', cellName: '清姜社区', createdAt: '', location: { type: 'Point', coordinates: [107, 34] } },
});

describe('the live feed', () => {
  it('keeps major hazards first, then the newest, one line per report', () => {
    let list: LiveEvent[] = [];
    list = mergeFeed(list, event(1, 'ordinary', 1));
    list = mergeFeed(list, event(2, 'major', 2));
    list = mergeFeed(list, event(3, 'ordinary', 3));
    expect(list.map((e) => e.report.id)).toEqual([2, 3, 1]);
    list = mergeFeed(list, { ...event(1, 'ordinary', 4, 'verified'), type: 'changed' });
    expect(list.map((e) => e.report.id)).toEqual([2, 1, 3]);
    expect(list.find((e) => e.report.id === 1)!.report.state).toBe('verified');
  });
});

describe('the choropleth legend', () => {
  it('counts the cells of each class', () => {
    const classes = choroplethClasses([0, 1, 2, 5, 10], 'reports');
    expect(classes.map((c) => c.count)).toEqual([2, 1, 1, 0, 1]);
    expect(classes.reduce((n, c) => n + c.count, 0)).toBe(5);
    expect(classes[0]).toMatchObject({ from: null, to: 2 });
  });

  it('shows one class when every cell has nothing', () => {
    expect(choroplethClasses([0, 0], 'reports')).toEqual([expect.objectContaining({ from: null, to: 0, count: 0 }), expect.objectContaining({ from: 0, to: null, count: 2 })]);
  });
});
