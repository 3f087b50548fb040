import { tz } from '@date-fns/tz';
// One module each: the date-fns index loads all of its ~250 modules at start.
import { addDays } from 'date-fns/addDays';
import { addMonths } from 'date-fns/addMonths';
import { addWeeks } from 'date-fns/addWeeks';
import { differenceInCalendarDays } from 'date-fns/differenceInCalendarDays';
import { endOfDay } from 'date-fns/endOfDay';
import { format } from 'date-fns/format';
import { startOfMonth } from 'date-fns/startOfMonth';
import type { Cadence, PatrolPlanConfig, PatrolsConfig } from './config.ts';

/**
 * Cadence arithmetic. A cadence is a rolling window: {period: 'week', times: 2} means at least two
 * qualifying inspections in the last 7 days, whenever one looks. An inspection qualifies when it
 * falls inside the plan's time-of-day window (if any). All calendar arithmetic (a month after
 * 31 January is 28 or 29 February; days, time windows) runs in the configured time zone, never in
 * the server's.
 */

export type { CadenceStatus } from '../../core/contracts/patrols.ts';
import type { CadenceStatus } from '../../core/contracts/patrols.ts';

export interface CadenceState {
  status: CadenceStatus;
  /** The latest inspection (qualifying or not) up to `at`; null = never inspected. */
  lastAt: Date | null;
  /** When the window will no longer hold enough qualifying inspections; null when it already does not. */
  dueAt: Date | null;
  /** Qualifying inspections in the current window, and how many are required. */
  done: number;
  required: number;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutesOf(hhmm: string): number {
  const m = HHMM.exec(hhmm);
  if (!m) throw new Error(`"${hhmm}" is not a time of day HH:MM (00:00–23:59)`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** True when `at` falls in the window [from, to) in the time zone; a window with from > to crosses midnight. */
export function inWindow(window: Cadence['window'], at: Date, timeZone: string): boolean {
  if (!window) return true;
  const local = Number(format(at, 'H', { in: tz(timeZone) })) * 60 + Number(format(at, 'm', { in: tz(timeZone) }));
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  if (from === to) return true;
  return from < to ? local >= from && local < to : local >= from || local < to;
}

/** `d` plus n windows of the cadence (n may be negative), in the time zone. */
export function shiftByWindow(cadence: Cadence, d: Date, timeZone: string, n = 1): Date {
  const k = (cadence.every ?? 1) * n;
  const opts = { in: tz(timeZone) };
  const out = cadence.period === 'day' ? addDays(d, k, opts) : cadence.period === 'week' ? addWeeks(d, k, opts) : addMonths(d, k, opts);
  return new Date(out.getTime());
}

const memoTable = new Map<string, number>();
function memo(key: string, compute: () => Date): number {
  let v = memoTable.get(key);
  if (v === undefined) {
    if (memoTable.size > 10_000) memoTable.clear();
    v = compute().getTime();
    memoTable.set(key, v);
  }
  return v;
}

/**
 * Where a cadence stands at `at`, given the times of the inspections (any order; those after `at`
 * are ignored). Due = the window runs out before the end of the local day; overdue = it has run out.
 */
export function cadenceState(cadence: Cadence, inspections: Date[], at: Date, timeZone: string): CadenceState {
  const required = cadence.times ?? 1;
  const past = inspections.filter((d) => d.getTime() <= at.getTime()).sort((a, b) => b.getTime() - a.getTime());
  const lastAt = past[0] ?? null;
  const qualifying = past.filter((d) => inWindow(cadence.window, d, timeZone));
  // The same for every unit of a coverage computation: worked out once (time zone arithmetic is not cheap).
  const key = `${cadence.period}|${cadence.every ?? 1}|${at.getTime()}|${timeZone}`;
  const windowStart = memo(`${key}|start`, () => shiftByWindow(cadence, at, timeZone, -1));
  const dayEnd = memo(`${timeZone}|${at.getTime()}|end`, () => endOfDay(at, { in: tz(timeZone) }));
  const done = qualifying.filter((d) => d.getTime() > windowStart).length;
  const anchor = qualifying[required - 1];
  const dueAt = anchor ? shiftByWindow(cadence, anchor, timeZone) : null;
  let status: CadenceStatus;
  if (!dueAt || dueAt.getTime() <= at.getTime()) status = 'overdue';
  else if (dueAt.getTime() <= dayEnd) status = 'due';
  else status = 'ok';
  return { status, lastAt, dueAt: status === 'overdue' ? null : dueAt, done, required };
}

/** How far back inspections matter for cadenceState at `at` (the longest window of the plans, and a day). */
export function lookbackStart(plans: PatrolPlanConfig[], at: Date, timeZone: string): Date {
  let earliest = at;
  for (const p of plans) {
    const s = shiftByWindow(p.cadence, at, timeZone, -1);
    if (s < earliest) earliest = s;
  }
  return addDays(earliest, -1);
}

/**
 * Inspections a cadence asks for in [from, to) (a ledger month): `times` per window, prorated by the
 * calendar days covered and rounded up, so a weekly plan owes 5 in a 31-day month and a monthly plan 1.
 */
export function requiredBetween(cadence: Cadence, from: Date, to: Date, timeZone: string): number {
  const days = differenceInCalendarDays(to, from, { in: tz(timeZone) });
  const every = cadence.every ?? 1;
  const times = cadence.times ?? 1;
  if (cadence.period === 'month') {
    const months = (differenceInCalendarDays(addMonths(from, 1, { in: tz(timeZone) }), from, { in: tz(timeZone) }));
    return Math.ceil((times * days) / (months * every) - 1e-9);
  }
  const windowDays = (cadence.period === 'week' ? 7 : 1) * every;
  return Math.ceil((times * days) / windowDays - 1e-9);
}

/** The local month "YYYY-MM" as [start, next start). */
export function monthRange(month: string, timeZone: string): [Date, Date] {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new Error(`"${month}" is not a month YYYY-MM`);
  const start = startOfMonth(new Date(`${month}-15T12:00:00Z`), { in: tz(timeZone) });
  return [new Date(start.getTime()), new Date(addMonths(start, 1, { in: tz(timeZone) }).getTime())];
}

/** The local month "YYYY-MM" that contains `at`. */
export const monthOf = (at: Date, timeZone: string) => format(at, 'yyyy-MM', { in: tz(timeZone) });

/** The local date "YYYY-MM-DD" of `at`. */
export const localDate = (at: Date, timeZone: string) => format(at, 'yyyy-MM-dd', { in: tz(timeZone) });

/** The plans that apply to a cell of a level, and the plan a unit type follows (the first that lists it). */
export const cellPlans = (config: PatrolsConfig, level: number) => config.plans.filter((p) => p.level === level);
export const unitPlan = (config: PatrolsConfig, type: string) => config.plans.find((p) => p.unitTypes?.includes(type)) ?? null;

/** Checks the configuration once at start: a bad window or cadence should stop the server, not a request. */
export function validatePatrols(config: PatrolsConfig, unitTypes: string[]): void {
  try {
    tz(config.timeZone)(Date.now());
    new Intl.DateTimeFormat('en', { timeZone: config.timeZone });
  } catch {
    throw new Error(`patrols.timeZone "${config.timeZone}" is not an IANA time zone`);
  }
  const codes = new Set<string>();
  for (const p of config.plans) {
    const where = `patrols.plans "${p.code}"`;
    if (codes.has(p.code)) throw new Error(`${where}: the code is used twice`);
    codes.add(p.code);
    if ((p.level === undefined) === !p.unitTypes?.length) throw new Error(`${where}: give either a level or unitTypes`);
    if (!['day', 'week', 'month'].includes(p.cadence.period)) throw new Error(`${where}: cadence.period must be day, week or month`);
    for (const k of ['every', 'times'] as const) {
      const v = p.cadence[k];
      if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new Error(`${where}: cadence.${k} must be a whole number ≥ 1`);
    }
    if (p.cadence.window) {
      try {
        minutesOf(p.cadence.window.from);
        minutesOf(p.cadence.window.to);
      } catch (e) {
        throw new Error(`${where}: cadence.window: ${(e as Error).message}`);
      }
    }
    for (const t of p.unitTypes ?? []) if (!unitTypes.includes(t)) throw new Error(`${where}: unknown unit type "${t}"`);
  }
  if (!config.checklists.default) throw new Error('patrols.checklists needs a "default" list');
}
