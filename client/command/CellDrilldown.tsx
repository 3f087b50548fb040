import { useQuery } from '@tanstack/react-query';
import { format as formatDate } from 'date-fns';
import { tz } from '@date-fns/tz';
import { timeZone } from '../i18n/time.ts';
import { api } from '../api.ts';
import { keys } from '../data/keys.ts';
import { useCommandMessages } from './messages.ts';
import { StateBadge } from '../reports/parts.tsx';
import type { Card } from '../../core/contracts/people.ts';
import type { ReportPage } from '../../core/contracts/reports.ts';

/** date-fns format in the deployment's zone. */
const format = (d: Date, pattern: string) => formatDate(d, pattern, { in: tz(timeZone()) });

/** A cell clicked in the ranking: its reports in the window and who answers for it. */
export function CellDrilldown({ cellId, since, until, categoryName }: { cellId: number; since: Date; until: Date; categoryName: (code: string) => string }) {
  const t = useCommandMessages();
  const q = new URLSearchParams({ cellId: String(cellId), since: since.toISOString(), until: until.toISOString(), limit: '50' }).toString();
  const list = useQuery({
    queryKey: keys.command.cell(cellId, q),
    queryFn: ({ signal }) => api<ReportPage>(`/api/reports?${q}`, { signal }),
  });
  const cardQuery = useQuery({
    queryKey: keys.cells.card(cellId),
    queryFn: ({ signal }) => api<Card>(`/api/cells/${cellId}/card`, { signal }),
  });
  const reports = list.data?.items ?? null;
  const card = cardQuery.data ?? null;
  const failed = list.error ?? cardQuery.error;
  const error = failed ? (failed instanceof Error ? failed.message : String(failed)) : null;

  if (error) return <p className="form-error" role="alert">{error}</p>;
  if (!reports || !card) return <p className="muted small">{t('loading')}</p>;
  return (
    <div className="drilldown" data-testid="drilldown">
      <h4>{t('cellReports', { name: card.name })}</h4>
      <ul className="feed">
        {reports.map((r) => (
          <li key={r.id}>
            <a href={`#/reports?report=${r.id}`}>
              <StateBadge state={r.state} />{r.overdue && <span className="badge bad">{t('state.overdue')}</span>}{' '}
              {categoryName(r.category)} · {format(new Date(r.createdAt), 'MM-dd HH:mm')}
            </a>
          </li>
        ))}
        {reports.length === 0 && <li className="muted">{t('none')}</li>}
      </ul>
      {card.people && card.people.length > 0 && (
        <>
          <h4>{t('responsible')}</h4>
          <ul className="feed">
            {card.people.map((p, i) => <li key={i}>{p.roleName?.zh ?? p.role} · {p.name}{p.phone ? ` · ${p.phone}` : ''}</li>)}
          </ul>
        </>
      )}
    </div>
  );
}
