import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('the deployment time zone', () => {
  it('is Asia/Shanghai unless configured, and one zone serves patrols, report months and the client', () => {
    const c = loadConfig({});
    expect([c.timeZone, c.patrols.timeZone, c.command.timeZone]).toEqual(['Asia/Shanghai', 'Asia/Shanghai', 'Asia/Shanghai']);
    const u = loadConfig({ WANGGE_TIME_ZONE: 'Asia/Urumqi' });
    expect([u.timeZone, u.patrols.timeZone, u.command.timeZone]).toEqual(['Asia/Urumqi', 'Asia/Urumqi', 'Asia/Urumqi']);
  });

  it('refuses a zone that does not exist at start, naming the setting', () => {
    expect(() => loadConfig({ WANGGE_TIME_ZONE: 'Asia/Shanghia' })).toThrow(/WANGGE_TIME_ZONE.*Asia\/Shanghia/);
  });
});
