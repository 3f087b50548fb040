import { useMemo, useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import type { ViewProps } from '../views.ts';
import { format as formatDate } from 'date-fns';
import { TZDate, tz } from '@date-fns/tz';
import { timeZone } from '../i18n/time.ts';
import { useFarCheckIns, usePatrolCoverage, usePatrolCoverageMap } from './queries.ts';
import { usePatrolLayer } from './layers.ts';
import { usePatrolMessages } from './messages.ts';
import { StatusBadge, errorText, localTime } from './parts.tsx';

const SHOWN = 30;
// Days are the deployment's days (Asia/Shanghai unless configured), not the browser's.
const today = () => formatDate(new Date(), 'yyyy-MM-dd', { in: tz(timeZone()) });
const endOfLocalDay = (day: string) => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, 23, 59, 59, timeZone()).getTime());
};

/**
 * The commander's view of inspection coverage: as of a day (today by default), the cells overdue for
 * a patrol and the units overdue for inspection; on the map, cells shaded by the share of their
 * units inspected and the overdue units as red dots, while the panel is open.
 */
export function PatrolOverview({ config, onSelect }: ViewProps) {
  const t = usePatrolMessages();
  const { lang, levelName } = useI18n();
  const [day, setDay] = useState(today);
  const [level, setLevel] = useState<number | null>(null);

  // Today means now; an earlier day means its end, local time.
  const at = useMemo(() => (day === today() ? null : endOfLocalDay(day).toISOString()), [day]);
  // The far check-ins of the 30 days up to then.
  const farWindow = useMemo(() => {
    const to = at ? new Date(at) : new Date();
    return { from: new Date(to.getTime() - 30 * 86_400_000).toISOString(), to: to.toISOString() };
  }, [at]);
  const farQuery = useFarCheckIns(farWindow);
  const coverageQuery = usePatrolCoverage(at ? { unitStatus: 'overdue', at } : { unitStatus: 'overdue' });
  const layerQuery = usePatrolCoverageMap({ ...(at ? { at } : {}), ...(level !== null ? { level: String(level) } : {}) });
  const far = farQuery.data ?? null;
  const coverage = coverageQuery.data ?? null;
  const layer = layerQuery.data ?? null;
  const failed = coverageQuery.error ?? layerQuery.error ?? farQuery.error;
  const error = failed ? errorText(failed) : null;

  usePatrolLayer(layer?.cells ?? null, layer?.units ?? null);

  const summary = useMemo(() => {
    if (!coverage) return null;
    const ids = new Set(coverage.cells.map((c) => c.id));
    const roots = coverage.cells.filter((c) => c.parentId === null || !ids.has(c.parentId));
    const total = roots.reduce((s, c) => s + c.unitsTotal, 0);
    const done = roots.reduce((s, c) => s + c.unitsInspected, 0);
    const overdueCells = coverage.cells.filter((c) => c.patrolStatus === 'overdue');
    return { total, done, pct: total ? Math.round((1000 * done) / total) / 10 : 0, overdueCells };
  }, [coverage]);

  const month = day.slice(0, 7);

  return (
    <section className="panel-section patrol" aria-labelledby="patrol-overview-title" data-testid="patrol-overview">
      <h3 id="patrol-overview-title">{t('overview.title')}</h3>
      {error && <p className="form-error" role="alert">{error}</p>}
      <div className="patrol-row">
        <label className="patrol-field">
          <span>{t('overview.at')}</span>
          <input className="input" type="date" value={day} max={today()} onChange={(e) => e.target.value && setDay(e.target.value)} />
        </label>
        <label className="patrol-field">
          <span>{t('overview.level')}</span>
          <select className="input" value={level ?? layer?.level ?? ''} onChange={(e) => setLevel(Number(e.target.value))}>
            {config.levels.map((l) => <option key={l.level} value={l.level}>{levelName(config.levels, l.level)}</option>)}
          </select>
        </label>
      </div>
      <p className="muted small">{t('overview.legend')}</p>
      {!coverage && !error && <p className="muted">{t('patrol.loading')}</p>}
      {coverage && summary && (
        <>
          <p data-testid="patrol-summary">{t('overview.summary', { pct: summary.pct, done: summary.done, total: summary.total, overdue: coverage.units.length, cells: summary.overdueCells.length })}</p>
          <h4 className="patrol-sub">{t('overview.overdueUnits', { n: coverage.units.length })}</h4>
          {coverage.units.length === 0 && <p className="muted">{t('overview.noneOverdue')}</p>}
          <ul className="patrol-units" data-testid="patrol-overdue-units">
            {coverage.units.slice(0, SHOWN).map((u) => (
              <li key={u.id} data-testid={`overdue-unit-${u.id}`}>
                <div className="patrol-unit-main">
                  <button type="button" className="link patrol-unit-name" onClick={() => onSelect(u.cellId)}>{u.name}</button>
                  <span className="muted small">{u.cellCode} · {u.lastAt ? t('status.last', { date: localTime(u.lastAt, lang, true) }) : t('status.never')}</span>
                </div>
                <StatusBadge status={u.status} />
              </li>
            ))}
          </ul>
          {coverage.units.length > SHOWN && <p className="muted small">{t('overview.more', { n: coverage.units.length - SHOWN })}</p>}
          <h4 className="patrol-sub">{t('overview.overdueCells', { n: summary.overdueCells.length })}</h4>
          {summary.overdueCells.length === 0 && <p className="muted">{t('overview.noneOverdue')}</p>}
          {summary.overdueCells.length > 0 && (
            <table className="table" data-testid="patrol-overdue-cells">
              <thead><tr><th>{t('overview.cell')}</th><th>{t('overview.pct')}</th><th /></tr></thead>
              <tbody>
                {summary.overdueCells.slice(0, SHOWN).map((c) => (
                  <tr key={c.id}>
                    <td><button type="button" className="link" onClick={() => onSelect(c.id)}>{c.name}</button> <span className="muted small">{c.code}</span></td>
                    <td>{c.pctInspected === null ? '—' : `${c.pctInspected}%`}</td>
                    <td><StatusBadge status={c.patrolStatus} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {summary.overdueCells.length > SHOWN && <p className="muted small">{t('overview.more', { n: summary.overdueCells.length - SHOWN })}</p>}
          {far && (
            <>
              <h4 className="patrol-sub">{t('overview.far', { n: far.items.length })}</h4>
              {far.items.length === 0 ? <p className="muted">{t('overview.noneFar')}</p> : (
                <>
                  <p className="muted small">{t('overview.farHint', { m: far.thresholdM })}</p>
                  <ul className="patrol-list" data-testid="patrol-far-check-ins">
                    {far.items.slice(0, SHOWN).map((v) => (
                      <li key={v.visitId}>
                        <div>
                          <button type="button" className="link patrol-unit-name" onClick={() => v.cellId !== null && onSelect(v.cellId)}>{v.unitName}</button>
                          <span className="muted small">{v.cellName ?? ''} · {localTime(v.at, lang)} · {t('overview.farRow', { who: v.inspector, m: v.distanceM })}</span>
                        </div>
                        <span className="badge warn">{v.distanceM} m</span>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </>
          )}
          <p><a className="button small" href={`/api/inspections/ledger?format=csv&from=${month}&to=${month}&lang=${lang}`} download>{t('overview.ledger')}</a></p>
        </>
      )}
    </section>
  );
}
