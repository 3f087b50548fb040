import { describe, expect, it } from 'vitest';
import { cadenceState, inWindow, lookbackStart, monthRange, requiredBetween, shiftByWindow, validatePatrols } from '../../server/patrols/cadence.ts';
import { DEFAULT_PATROL_PLANS, patrolsConfig, type Cadence } from '../../server/patrols/config.ts';
import { DEFAULT_UNIT_TYPES } from '../../server/config.ts';

const TZ = 'Asia/Shanghai';
/** A Beijing wall-clock time as an instant. */
const bj = (s: string) => new Date(`${s}+08:00`);
const daysBefore = (d: Date, n: number) => new Date(d.getTime() - n * 86_400_000);

const weekly: Cadence = { period: 'week' };
const monthly: Cadence = { period: 'month' };
const evenings: Cadence = { period: 'week', times: 2, window: { from: '20:00', to: '01:00' } };

describe('a rolling cadence', () => {
  const now = bj('2025-06-18T10:00:00');

  it('makes a unit inspected 8 days ago on a weekly cadence overdue, and one inspected 6 days ago not', () => {
    expect(cadenceState(weekly, [daysBefore(now, 8)], now, TZ)).toMatchObject({ status: 'overdue', dueAt: null, done: 0, required: 1 });
    const six = cadenceState(weekly, [daysBefore(now, 6)], now, TZ);
    expect(six.status).toBe('ok');
    expect(six.dueAt).toEqual(daysBefore(now, -1));
    expect(six.lastAt).toEqual(daysBefore(now, 6));
    expect(six.done).toBe(1);
  });

  it('is due on the day the window runs out, and overdue from that moment', () => {
    const sevenDaysBeforeAtNoon = bj('2025-06-11T12:00:00');
    expect(cadenceState(weekly, [sevenDaysBeforeAtNoon], now, TZ).status).toBe('due');
    expect(cadenceState(weekly, [sevenDaysBeforeAtNoon], bj('2025-06-18T12:00:00'), TZ).status).toBe('overdue');
  });

  it('calls a never inspected unit overdue, and ignores inspections after the moment asked about', () => {
    expect(cadenceState(weekly, [], now, TZ)).toMatchObject({ status: 'overdue', lastAt: null });
    expect(cadenceState(weekly, [daysBefore(now, -1)], now, TZ)).toMatchObject({ status: 'overdue', lastAt: null });
  });

  it('needs `times` inspections inside the window: twice a week is behind with one', () => {
    const twice: Cadence = { period: 'week', times: 2 };
    expect(cadenceState(twice, [daysBefore(now, 1)], now, TZ).status).toBe('overdue');
    const two = cadenceState(twice, [daysBefore(now, 1), daysBefore(now, 5)], now, TZ);
    expect(two).toMatchObject({ status: 'ok', done: 2, required: 2 });
    // The window runs out when the older of the two leaves it.
    expect(two.dueAt).toEqual(daysBefore(now, -2));
  });

  it('counts windows of several periods (every 2 weeks)', () => {
    const fortnightly: Cadence = { period: 'week', every: 2 };
    expect(cadenceState(fortnightly, [daysBefore(now, 13)], now, TZ).status).toBe('ok');
    expect(cadenceState(fortnightly, [daysBefore(now, 15)], now, TZ).status).toBe('overdue');
  });
});

describe('time-of-day windows', () => {
  const w = evenings.window;

  it('accepts 20:00 to 01:00 across midnight, local time, end excluded', () => {
    expect(inWindow(w, bj('2025-06-18T20:00:00'), TZ)).toBe(true);
    expect(inWindow(w, bj('2025-06-18T23:59:00'), TZ)).toBe(true);
    expect(inWindow(w, bj('2025-06-19T00:30:00'), TZ)).toBe(true);
    expect(inWindow(w, bj('2025-06-19T00:59:59'), TZ)).toBe(true);
    expect(inWindow(w, bj('2025-06-19T01:00:00'), TZ)).toBe(false);
    expect(inWindow(w, bj('2025-06-18T19:59:00'), TZ)).toBe(false);
    expect(inWindow(w, bj('2025-06-18T12:00:00'), TZ)).toBe(false);
  });

  it('reads the window in the configured zone, not the server\'s: 21:00 in Beijing is 13:00 UTC', () => {
    const t = new Date('2025-06-18T13:00:00Z');
    expect(inWindow(w, t, TZ)).toBe(true);
    expect(inWindow(w, t, 'UTC')).toBe(false);
  });

  it('handles a window that does not cross midnight', () => {
    const day = { from: '08:00', to: '18:00' };
    expect(inWindow(day, bj('2025-06-18T08:00:00'), TZ)).toBe(true);
    expect(inWindow(day, bj('2025-06-18T17:59:00'), TZ)).toBe(true);
    expect(inWindow(day, bj('2025-06-18T18:00:00'), TZ)).toBe(false);
    expect(inWindow(day, bj('2025-06-18T07:59:00'), TZ)).toBe(false);
  });

  it('only counts evening patrols for the fire supervisors\' twice-a-week plan', () => {
    const now = bj('2025-06-20T09:00:00');
    const afternoon = [bj('2025-06-17T15:00:00'), bj('2025-06-19T15:00:00')];
    expect(cadenceState(evenings, afternoon, now, TZ)).toMatchObject({ status: 'overdue', done: 0 });
    // One patrol in the evening, one after midnight: both count.
    const night = [bj('2025-06-17T21:30:00'), bj('2025-06-20T00:40:00')];
    const s = cadenceState(evenings, night, now, TZ);
    expect(s).toMatchObject({ status: 'ok', done: 2 });
    expect(s.dueAt).toEqual(bj('2025-06-24T21:30:00'));
  });
});

describe('month boundaries', () => {
  it('puts a month after 31 January on 28 February (29 in a leap year)', () => {
    expect(shiftByWindow(monthly, bj('2025-01-31T10:00:00'), TZ)).toEqual(bj('2025-02-28T10:00:00'));
    expect(shiftByWindow(monthly, bj('2028-01-31T10:00:00'), TZ)).toEqual(bj('2028-02-29T10:00:00'));
    const lastJan = [bj('2025-01-31T10:00:00')];
    expect(cadenceState(monthly, lastJan, bj('2025-02-27T10:00:00'), TZ).status).toBe('ok');
    expect(cadenceState(monthly, lastJan, bj('2025-02-28T09:00:00'), TZ).status).toBe('due');
    expect(cadenceState(monthly, lastJan, bj('2025-03-01T08:00:00'), TZ).status).toBe('overdue');
  });

  it('counts months in local time: 1 a.m. on 31 March in Beijing is still 30 March in UTC', () => {
    const t = bj('2025-03-31T01:00:00');
    expect(shiftByWindow(monthly, t, TZ)).toEqual(bj('2025-04-30T01:00:00'));
    // In UTC the same instant is 30 March 17:00, and a month later lands on 1 May in Beijing.
    expect(shiftByWindow(monthly, t, 'UTC')).toEqual(bj('2025-05-01T01:00:00'));
  });

  it('gives local calendar months and the inspections each plan owes in them', () => {
    const [start, end] = monthRange('2025-02', TZ);
    expect(start).toEqual(bj('2025-02-01T00:00:00'));
    expect(end).toEqual(bj('2025-03-01T00:00:00'));
    expect(requiredBetween({ period: 'day' }, start, end, TZ)).toBe(28);
    expect(requiredBetween(weekly, start, end, TZ)).toBe(4);
    expect(requiredBetween(evenings, start, end, TZ)).toBe(8);
    expect(requiredBetween(monthly, start, end, TZ)).toBe(1);
    expect(requiredBetween({ period: 'month', times: 2 }, start, end, TZ)).toBe(2);
    const [s31, e31] = monthRange('2025-03', TZ);
    expect(requiredBetween(weekly, s31, e31, TZ)).toBe(5);
    expect(requiredBetween({ period: 'day' }, s31, e31, TZ)).toBe(31);
  });

  it('looks back as far as the longest plan window', () => {
    const at = bj('2025-03-31T12:00:00');
    expect(lookbackStart(DEFAULT_PATROL_PLANS, at, TZ)).toEqual(bj('2025-02-27T12:00:00'));
  });
});

describe('days and weeks across a change of UTC offset', () => {
  it('keep the wall-clock time: a day after noon is noon, on the DST days of New York and Berlin', () => {
    // Spring forward: that day has 23 hours.
    expect(shiftByWindow({ period: 'day' }, new Date('2025-03-08T17:00:00Z'), 'America/New_York').toISOString()).toBe('2025-03-09T16:00:00.000Z');
    // Fall back: that week has 7 × 24 + 1 hours.
    expect(shiftByWindow({ period: 'week' }, new Date('2025-10-22T10:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2025-10-29T11:00:00.000Z');
    expect(shiftByWindow({ period: 'week' }, new Date('2025-10-29T11:00:00Z'), 'Europe/Berlin', -1).toISOString()).toBe('2025-10-22T10:00:00.000Z');
  });
});

describe('patrol configuration', () => {
  const types = DEFAULT_UNIT_TYPES.map((t) => t.code);

  it('accepts the defaults: every default unit type follows a plan', () => {
    const config = patrolsConfig();
    expect(() => validatePatrols(config, types)).not.toThrow();
    for (const t of types) expect(config.plans.some((p) => p.unitTypes?.includes(t)), t).toBe(true);
  });

  it('refuses a bad window, a bad zone, an unknown unit type and a plan without a target, naming the plan', () => {
    const plan = DEFAULT_PATROL_PLANS[0]!;
    expect(() => validatePatrols(patrolsConfig({ plans: [{ ...plan, cadence: { period: 'week', window: { from: '25:00', to: '01:00' } } }] }), types)).toThrow(/area_daily.*25:00/);
    expect(() => validatePatrols(patrolsConfig({ timeZone: 'Mars/Olympus' }), types)).toThrow(/Mars\/Olympus/);
    expect(() => validatePatrols(patrolsConfig({ plans: [{ ...plan, level: undefined, unitTypes: ['casino'] }] }), types)).toThrow(/casino/);
    expect(() => validatePatrols(patrolsConfig({ plans: [{ ...plan, level: undefined }] }), types)).toThrow(/either a level or unitTypes/);
    expect(() => validatePatrols(patrolsConfig({ plans: [{ ...plan, cadence: { period: 'week', times: 0 } }] }), types)).toThrow(/times/);
  });
});
