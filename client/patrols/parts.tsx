import { localTime as zonedTime } from '../i18n/time.ts';
import type { Lang } from '../i18n/index.tsx';
import type { CadenceStatus } from './api.ts';
import { usePatrolMessages } from './messages.ts';

const BADGE: Record<CadenceStatus, string> = { ok: 'good', due: 'warn', overdue: 'bad' };

/** A unit's or cell's standing against its cadence. */
export function StatusBadge({ status }: { status: CadenceStatus | null }) {
  const t = usePatrolMessages();
  if (status === null) return <span className="badge">{t('status.none')}</span>;
  return <span className={`badge ${BADGE[status]}`} data-status={status}>{t(`status.${status}`)}</span>;
}

export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A time as people read it in the chosen language; dateOnly for "last inspected" lists. */
export function localTime(iso: string, lang: Lang, dateOnly = false): string {
  return zonedTime(iso, dateOnly ? 'day' : 'short', lang);
}
