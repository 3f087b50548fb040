import { TZDate } from '@date-fns/tz';
import { formatLocal } from '../../core/time/local.ts';
import { problem } from '../problem.ts';
import { localDate } from '../patrols/cadence.ts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The start of local day `YYYY-MM-DD` in the zone, or a 400 naming the field. */
export function localDayStart(text: string, zone: string, field: string): Date {
  const m = DATE.exec(text);
  const bad = () => problem('warnings.bad-date', { field, value: text }, { errors: [{ field, message: 'must be a date YYYY-MM-DD' }] });
  if (!m) throw bad();
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const start = new TZDate(y, mo - 1, d, zone);
  // 2026-02-30 would roll over to March: not a date.
  if (start.getFullYear() !== y || start.getMonth() !== mo - 1 || start.getDate() !== d) throw bad();
  return new Date(start.getTime());
}

/** The local date YYYY-MM-DD of an instant. */
export function localDateOf(at: Date, zone: string): string {
  return localDate(at, zone);
}

/** The start of the local day after `YYYY-MM-DD`. */
export function localDayEnd(text: string, zone: string, field: string): Date {
  const start = localDayStart(text, zone, field);
  const t = new TZDate(start.getTime(), zone);
  return new Date(new TZDate(t.getFullYear(), t.getMonth(), t.getDate() + 1, zone).getTime());
}

/**
 * A window of local days [from, to] (both included) from the query; without from, 1 January of the
 * year of `to` (or of now); without to, today. Thresholds such as "3 warnings in a period" are
 * counted in it.
 */
export function dayWindow(from: string | undefined, to: string | undefined, zone: string, now: Date): { from: string; to: string; start: Date; end: Date } {
  const toText = to ?? localDateOf(now, zone);
  const end = localDayEnd(toText, zone, 'querystring.to');
  const fromText = from ?? `${toText.slice(0, 4)}-01-01`;
  const start = localDayStart(fromText, zone, 'querystring.from');
  if (start.getTime() >= end.getTime()) {
    throw problem('warnings.window-empty', { from: fromText, to: toText }, { errors: [{ field: 'querystring.from', message: 'must not be after to' }] });
  }
  return { from: fromText, to: toText, start, end };
}

/** 2026年3月1日 in the zone. */
export function chineseDate(at: Date | string, zone: string): string {
  const [y, m, d] = formatLocal(at, 'zh-CN', zone, 'date').split('/');
  return `${y}年${Number(m)}月${Number(d)}日`;
}

export const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
