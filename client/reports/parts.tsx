import { localTime as zonedTime } from '../i18n/time.ts';
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import type { Report, State } from './api.ts';
import { remaining, spanText } from './format.ts';
import { useReportMessages } from './messages.ts';

/** The current time, refreshed every `ms` (deadlines count down without a reload). */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export function StateBadge({ state }: { state: State }) {
  const t = useReportMessages();
  return <span className={`badge state-${state}`} data-state={state}>{t(`state.${state}`)}</span>;
}

/**
 * The deadline of the step a report is in: time left, or an overdue badge. The server's `overdue`
 * decides (its clock), the local clock only counts the time.
 */
export function DueBadge({ report }: { report: Pick<Report, 'dueAt' | 'overdue' | 'state'> }) {
  const t = useReportMessages();
  const { lang } = useI18n();
  const now = useNow();
  if (!report.dueAt) return <span className="report-due muted">{t('inbox.noDeadline')}</span>;
  const r = remaining(report.dueAt, now);
  const overdue = report.overdue || r.overdue;
  return (
    <span className={`report-due${overdue ? ' overdue' : ''}`} data-testid="report-due" title={zonedTime(report.dueAt, 'datetime', lang)}>
      {/* One "超期 2分钟", not a badge saying 超期 beside a text saying it again. */}
      {overdue
        ? <span className="badge bad" data-overdue="1">{t('inbox.overdueBy', { span: spanText({ ...r, overdue: true }, lang) })}</span>
        : t('inbox.dueIn', { span: spanText(r, lang) })}
    </span>
  );
}
