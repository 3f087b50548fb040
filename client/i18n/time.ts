import { formatLocal, type TimeStyle } from '../../core/time/local.ts';
import { currentLang, type Lang } from './lang.ts';

// The deployment's zone, from /api/client-config; until it arrives, the default the server uses.
let zone = 'Asia/Shanghai';

export function setTimeZone(next: string) {
  zone = next;
}

export const timeZone = () => zone;

/** A time as people read it: in the deployment's zone and the UI's language. */
export function localTime(at: string | number | Date, style: TimeStyle = 'short', lang: Lang = currentLang()): string {
  return formatLocal(at, lang, zone, style);
}
