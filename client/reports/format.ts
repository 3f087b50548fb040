import { format as formatDate } from 'date-fns';
import { TZDate, tz } from '@date-fns/tz';
import { timeZone } from '../i18n/time.ts';
import { localTime as zonedTime } from '../i18n/time.ts';
import type { Lang } from '../i18n/index.tsx';
import type { Named } from './api.ts';

/** How long until (or since) a deadline, in whole units a person reads at a glance. */
export interface Remaining {
  overdue: boolean;
  days: number;
  hours: number;
  minutes: number;
}

export function remaining(dueAt: string, now: number): Remaining {
  const ms = Date.parse(dueAt) - now;
  const overdue = ms < 0;
  const total = Math.floor(Math.abs(ms) / 60_000);
  return { overdue, days: Math.floor(total / 1440), hours: Math.floor((total % 1440) / 60), minutes: total % 60 };
}

/** "2 d 3 h", "5 h 10 min", "12 min" (or the Chinese units): the two largest units that are not zero. */
export function spanText(r: Remaining, lang: Lang): string {
  const u = lang === 'en' ? { d: ' d', h: ' h', m: ' min' } : { d: '天', h: '小时', m: '分钟' };
  const sep = lang === 'en' ? ' ' : '';
  if (r.days > 0) return `${r.days}${u.d}${r.hours ? `${sep}${r.hours}${u.h}` : ''}`;
  if (r.hours > 0) return `${r.hours}${u.h}${r.minutes ? `${sep}${r.minutes}${u.m}` : ''}`;
  return `${r.minutes}${u.m}`;
}

export const nameOf = (list: Named[] | undefined, code: string, lang: Lang) => {
  const n = list?.find((x) => x.code === code);
  return n ? (lang === 'en' ? n.en : n.zh) : code;
};

export function localTime(iso: string, lang: Lang): string {
  return zonedTime(iso, 'short', lang);
}

/** A size limit as people read it: 10 MB, 512 KB. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
  return `${Math.round(bytes / 1024)} KB`;
}

/**
 * A value for <input type="datetime-local"> (minutes) and back to an ISO instant. The wall clock is
 * the deployment's (Asia/Shanghai unless configured), not the browser's: a deadline typed as 18:00
 * is 18:00 at the office.
 */
export function toLocalInput(d: Date): string {
  return formatDate(d, "yyyy-MM-dd'T'HH:mm", { in: tz(timeZone()) });
}

export function fromLocalInput(v: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(v);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const at = new TZDate(y, mo - 1, d, h, mi, timeZone());
  return Number.isNaN(at.getTime()) ? null : new Date(at.getTime()).toISOString();
}

/** A 1–5 rating as ★★★★☆. */
export const stars = (score: number) => '★'.repeat(score) + '☆'.repeat(5 - score);
