import { describe, expect, it } from 'vitest';
import { inboxOrder, inboxQuery, keyFor, matchesFilter, TRACK_CODE, type Report } from './api.ts';
import { fromLocalInput, remaining, sizeText, spanText, toLocalInput } from './format.ts';

const report = (over: Partial<Report>): Report => ({ id: 1, state: 'reported', category: 'fire', overdue: false, dueAt: null, ...over }) as Report;

describe('Idempotency-Key per submission', () => {
  it('reuses the key when the very same report is sent again, and takes a new one when it changed', () => {
    const first = keyFor(null, 'A');
    expect(first.key).toMatch(/^[0-9a-f]{32}$/);
    expect(keyFor(first, 'A').key).toBe(first.key);
    const second = keyFor(first, 'B');
    expect(second.key).not.toBe(first.key);
    expect(keyFor(second, 'A').key).not.toBe(first.key);
  });
});

describe('inbox filter and order', () => {
  it('keeps a streamed report only when it matches the filter', () => {
    const r = report({ state: 'verified', category: 'fire', overdue: true });
    expect(matchesFilter(r, {})).toBe(true);
    expect(matchesFilter(r, { state: ['reported', 'verified'] })).toBe(true);
    expect(matchesFilter(r, { state: ['closed'] })).toBe(false);
    expect(matchesFilter(r, { category: 'price' })).toBe(false);
    expect(matchesFilter(r, { overdue: true })).toBe(true);
    expect(matchesFilter({ ...r, overdue: false }, { overdue: true })).toBe(false);
  });

  it('sorts like the server: overdue first, then by due date, no deadline last', () => {
    const list = [
      report({ id: 1, dueAt: null }),
      report({ id: 2, dueAt: '2030-01-02T00:00:00Z' }),
      report({ id: 3, dueAt: '2030-01-01T00:00:00Z' }),
      report({ id: 4, dueAt: '2030-01-05T00:00:00Z', overdue: true }),
    ];
    expect(list.sort(inboxOrder).map((r) => r.id)).toEqual([4, 3, 2, 1]);
  });

  it('asks the list endpoint with repeated state parameters', () => {
    expect(inboxQuery({ state: ['reported', 'verified'], category: 'fire', overdue: true }).toString())
      .toBe('state=reported&state=verified&category=fire&overdue=true&limit=500');
  });

  it('recognises tracking codes in any case', () => {
    expect(TRACK_CODE.test('WG-0A1B2-C3D4E')).toBe(true);
    expect(TRACK_CODE.test('wg-0a1b2-c3d4e')).toBe(true);
    expect(TRACK_CODE.test('WG-0A1B2C3D4E')).toBe(false);
  });
});

describe('deadlines as people read them', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  it('counts the time left and the time overdue', () => {
    const left = remaining('2030-01-03T05:30:00Z', now);
    expect(left).toEqual({ overdue: false, days: 2, hours: 5, minutes: 30 });
    expect(spanText(left, 'en')).toBe('2 d 5 h');
    expect(spanText(left, 'zh-CN')).toBe('2天5小时');
    const late = remaining('2029-12-31T21:15:00Z', now);
    expect(late).toEqual({ overdue: true, days: 0, hours: 2, minutes: 45 });
    expect(spanText(late, 'en')).toBe('2 h 45 min');
    expect(spanText(remaining('2030-01-01T00:07:00Z', now), 'zh-CN')).toBe('7分钟');
  });

  it('shows size limits and round-trips a local date-time input', () => {
    expect(sizeText(10 * 1024 * 1024)).toBe('10 MB');
    expect(sizeText(512 * 1024)).toBe('512 KB');
    const d = new Date('2030-01-02T01:05:00Z');
    // The office's wall clock (Asia/Shanghai), whatever zone the browser is in.
    expect(toLocalInput(d)).toBe('2030-01-02T09:05');
    expect(fromLocalInput('2030-01-02T09:05')).toBe(d.toISOString());
    expect(fromLocalInput(toLocalInput(d))).toBe(d.toISOString());
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('tomorrow')).toBeNull();
  });
});
