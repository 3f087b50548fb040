/**
 * Times as people read them: in the deployment's time zone (Asia/Shanghai unless configured), never
 * as UTC ISO strings, whatever zone the reading computer is set to.
 */
export type TimeStyle = 'datetime' | 'short' | 'date' | 'day' | 'time';

const OPTIONS: Record<TimeStyle, Intl.DateTimeFormatOptions> = {
  // 2026/12/4 09:05 · 04/12/2026, 09:05
  datetime: { year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  // 12/4 09:05, for lists of this year's work
  short: { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  date: { year: 'numeric', month: 'numeric', day: 'numeric' },
  day: { month: 'numeric', day: 'numeric' },
  time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
};

const formats = new Map<string, Intl.DateTimeFormat>();

/** True when the runtime knows the IANA zone (a config error is caught at start, not on each page). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function formatLocal(at: string | number | Date, lang: 'zh-CN' | 'en', timeZone: string, style: TimeStyle = 'datetime'): string {
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) return '';
  const key = `${lang}|${timeZone}|${style}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', { ...OPTIONS[style], timeZone });
    formats.set(key, f);
  }
  return f.format(d);
}
