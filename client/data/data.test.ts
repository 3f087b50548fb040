import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api.ts';
import { applyReportChange } from '../reports/cache.ts';
import type { Report } from '../reports/api.ts';
import { invalidateAssignments } from '../people/queries.ts';
import { invalidateCells } from './cells.ts';
import { shouldRetry } from './client.ts';
import { keys } from './keys.ts';

const client = () => new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } });
const isStale = (c: QueryClient, key: readonly unknown[]) => c.getQueryState(key)?.isInvalidated ?? false;

describe('the query keys', () => {
  it('nest what is read about a cell under the cell, so one prefix reaches it all', () => {
    const one = keys.cells.one(7);
    for (const key of [keys.cells.card(7), keys.cells.duties(7), keys.cells.lineage(7), keys.cells.assignments(7)]) {
      expect(key.slice(0, one.length)).toEqual(one);
    }
    expect(keys.cells.card(7)).not.toEqual(keys.cells.card(8));
    expect(keys.cells.children(3)).toEqual(keys.cells.list({ parentId: 3 }));
    expect(keys.reports.events(5).slice(0, 3)).toEqual(keys.reports.one(5));
  });
});

describe('retries', () => {
  it('never retries a refused request (4xx), retries a failure that may pass once', () => {
    expect(shouldRetry(0, new ApiError(404, 'Not Found', ''))).toBe(false);
    expect(shouldRetry(0, new ApiError(422, 'Unprocessable', ''))).toBe(false);
    expect(shouldRetry(0, new ApiError(503, 'Unavailable', ''))).toBe(true);
    expect(shouldRetry(0, new TypeError('Failed to fetch'))).toBe(true);
    expect(shouldRetry(1, new TypeError('Failed to fetch'))).toBe(false);
  });
});

describe('invalidating after cell edits', () => {
  it('reads lists again and marks per-cell queries stale without refetching them', async () => {
    const c = client();
    c.setQueryData(keys.cells.level(1), []);
    c.setQueryData(keys.cells.card(9), { id: 9 });
    c.setQueryData(keys.clientConfig(), {});
    invalidateCells(c);
    expect(isStale(c, keys.cells.level(1))).toBe(true);
    expect(isStale(c, keys.cells.card(9))).toBe(true);
    expect(isStale(c, keys.clientConfig())).toBe(false);
  });

  it('a saved list invalidates that cell’s assignments and card, and the gaps; not other cells nor the cell’s geometry', async () => {
    const c = client();
    for (const key of [keys.cells.assignments(1), keys.cells.card(1), keys.cells.feature(1), keys.cells.card(2), keys.people.gaps({ parentId: 1 })]) c.setQueryData(key, {});
    await invalidateAssignments(c, 1);
    expect(isStale(c, keys.cells.assignments(1))).toBe(true);
    expect(isStale(c, keys.cells.card(1))).toBe(true);
    expect(isStale(c, keys.people.gaps({ parentId: 1 }))).toBe(true);
    expect(isStale(c, keys.cells.feature(1))).toBe(false);
    expect(isStale(c, keys.cells.card(2))).toBe(false);
    await invalidateAssignments(c, null);
    expect(isStale(c, keys.cells.card(2))).toBe(true);
  });
});

const report = (id: number, patch: Partial<Report> = {}) =>
  ({ id, state: 'reported', category: 'fire', overdue: false, dueAt: null, version: 1, ...patch }) as Report;

describe('a changed report into the cache (applyReportChange)', () => {
  it('goes into every list whose filter it matches, in inbox order, and leaves the others', async () => {
    const c = client();
    const open = keys.reports.list({ state: ['reported', 'verified'] });
    const closed = keys.reports.list({ state: ['closed'] });
    const fire = keys.reports.list({ category: 'fire' });
    c.setQueryData(open, { items: [report(1), report(3, { state: 'verified' })] });
    c.setQueryData(closed, { items: [] });
    c.setQueryData(fire, { items: [report(1)] });

    await applyReportChange(c, report(2, { overdue: true }));
    expect(c.getQueryData<{ items: Report[] }>(open)!.items.map((r) => r.id)).toEqual([2, 1, 3]);
    expect(c.getQueryData<{ items: Report[] }>(closed)!.items).toEqual([]);
    expect(c.getQueryData<{ items: Report[] }>(fire)!.items.map((r) => r.id)).toEqual([2, 1]);

    // Closed: out of the open list, into the closed one.
    await applyReportChange(c, report(1, { state: 'closed', version: 2 }));
    expect(c.getQueryData<{ items: Report[] }>(open)!.items.map((r) => r.id)).toEqual([2, 3]);
    expect(c.getQueryData<{ items: Report[] }>(closed)!.items.map((r) => r.id)).toEqual([1]);
  });

  it('replaces the cached report only with a newer version, after its timeline is read again', async () => {
    const c = client();
    c.setQueryData(keys.reports.one(4), report(4, { version: 3, state: 'verified' }));
    await applyReportChange(c, report(4, { version: 2, state: 'reported' }));
    expect(c.getQueryData<Report>(keys.reports.one(4))!.state).toBe('verified');

    let reads = 0;
    await c.fetchQuery({ queryKey: keys.reports.events(4), queryFn: async () => [{ n: ++reads }] });
    await applyReportChange(c, report(4, { version: 4, state: 'dispatched' }));
    expect(reads).toBe(2);
    expect(c.getQueryData<Report>(keys.reports.one(4))!.state).toBe('dispatched');
  });
});
