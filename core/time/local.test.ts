import { describe, expect, it } from 'vitest';
import { formatLocal, isTimeZone } from './local.ts';

describe('formatLocal', () => {
  const at = '2026-12-03T23:30:00Z'; // 07:30 on 4 December in Shanghai, still 3 December in UTC

  it('shows the deployment time zone, not UTC and not the computer’s zone', () => {
    expect(formatLocal(at, 'zh-CN', 'Asia/Shanghai')).toBe('2026/12/4 07:30');
    expect(formatLocal(at, 'en', 'Asia/Shanghai')).toBe('04/12/2026, 07:30');
    expect(formatLocal(at, 'zh-CN', 'Asia/Urumqi', 'time')).toBe('05:30');
    expect(formatLocal(at, 'zh-CN', 'Asia/Shanghai', 'day')).toBe('12/4');
  });

  it('crosses the day line as the zone does', () => {
    expect(formatLocal(at, 'zh-CN', 'UTC', 'date')).toBe('2026/12/3');
    expect(formatLocal(at, 'zh-CN', 'Asia/Shanghai', 'date')).toBe('2026/12/4');
  });

  it('gives nothing for a time that is not one', () => {
    expect(formatLocal('not a time', 'zh-CN', 'Asia/Shanghai')).toBe('');
  });

  it('knows real zones from typos', () => {
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Asia/Shanghia')).toBe(false);
  });
});
