import { useCallback, useMemo, useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { useMap } from '../map/context.tsx';
import { useRoute } from '../router.ts';
import { useSession } from '../session/session.tsx';
import { RewardsLedger } from './RewardsLedger.tsx';
import type { ViewProps } from '../views.ts';
import { OPEN_STATES, STATES, type InboxFilter, type State } from './api.ts';
import { useReportList, useReportsConfig } from './queries.ts';
import { nameOf } from './format.ts';
import { useReportsLayer } from './layer.ts';
import { useReportMessages } from './messages.ts';
import { DueBadge, StateBadge } from './parts.tsx';
import { ReportDetail } from './ReportDetail.tsx';
import { isFull, useReportEvents, type StreamedReport } from './useReportEvents.ts';
import './reports.css';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The filter kept in the URL (#/reports?state=open&category=fire&overdue=1&report=12): shareable, reloadable. */
function filterOf(params: URLSearchParams): InboxFilter & { stateKey: string } {
  const stateKey = params.get('state') ?? 'open';
  const state: readonly State[] = stateKey === 'open' ? OPEN_STATES : stateKey === 'all' ? [] : (STATES.includes(stateKey as State) ? [stateKey as State] : OPEN_STATES);
  return { stateKey, state, category: params.get('category') ?? undefined, overdue: params.get('overdue') === '1' ? true : undefined };
}

/**
 * The work list of grid workers and commanders: the reports of their cells (and below), overdue
 * first, filtered by state, category and overdue; updated live from /api/events; shown as points on
 * the map. Opening one shows its detail with the actions the server allows this user.
 */
export function ReportInbox({ selectedId }: ViewProps) {
  const t = useReportMessages();
  const { lang } = useI18n();
  const route = useRoute();
  const { params, setParams } = route;
  const filter = useMemo(() => filterOf(params), [params]);
  const openId = Number(params.get('report')) || null;
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const map = useMap();
  const supervisor = useSession().may('reports.supervise');

  const update = useCallback((changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    setParams(next);
  }, [params, setParams]);

  const config = useReportsConfig();
  const cfg = config.data ?? null;
  const { state, category, overdue } = filter;
  const stateKey = filter.stateKey;
  // state is derived from stateKey; depending on the key keeps one list per filter.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const listFilter = useMemo<InboxFilter>(() => ({ state, category, overdue }), [stateKey, category, overdue]);
  const list = useReportList(listFilter);
  const items = list.data?.items ?? null;
  const failed = list.error ?? config.error;
  const error = failed ? message(failed) : null;

  // A report created or changed by anyone is already in the cache (the lists, the report, its
  // timeline: useReportEvents); here a new one is marked.
  const connected = useReportEvents(useCallback((e: StreamedReport) => {
    if (!isFull(e.report)) return; // outside my cells: the stream sends only a summary
    const r = e.report;
    if (e.type === 'created') setFresh((s) => new Set(s).add(r.id));
  }, []));

  const open = useCallback((id: number | null) => update({ report: id === null ? null : String(id) }), [update]);
  useReportsLayer(items ?? [], openId, open);

  return (
    <>
      {openId !== null && cfg && (
        <ReportDetail key={openId} id={openId} cfg={cfg} targetCellId={selectedId} onBack={() => open(null)} />
      )}
      <section className="panel-section report-inbox" data-testid="report-inbox">
        <div className="section-head">
          <h3>{t('inbox.title')}</h3>
          <span className="report-live" data-live={connected ? '1' : '0'} data-testid="report-live">{connected ? t('inbox.live') : t('inbox.offline')}</span>
        </div>
        <div className="report-filters">
          <select className="input" aria-label={t('inbox.state')} value={stateKey} onChange={(e) => update({ state: e.target.value, report: null })} data-testid="filter-state">
            <option value="open">{t('inbox.open')}</option>
            <option value="all">{t('inbox.allStates')}</option>
            {STATES.map((s) => <option key={s} value={s}>{t(`state.${s}`)}</option>)}
          </select>
          <select className="input" aria-label={t('inbox.category')} value={category ?? ''} onChange={(e) => update({ category: e.target.value || null, report: null })} data-testid="filter-category">
            <option value="">{t('inbox.allCategories')}</option>
            {cfg?.categories.map((c) => <option key={c.code} value={c.code}>{nameOf(cfg.categories, c.code, lang)}</option>)}
          </select>
          <label className="report-check">
            <input type="checkbox" checked={overdue === true} onChange={(e) => update({ overdue: e.target.checked ? '1' : null, report: null })} data-testid="filter-overdue" />
            {t('inbox.overdueOnly')}
          </label>
        </div>
        {error && <p className="form-error" role="alert">{error}</p>}
        {!items && !error && <p className="muted">{t('inbox.loading')}</p>}
        {items && (
          <>
            <p className="muted small" data-testid="report-count">{t('inbox.count', { n: items.length })}</p>
            {items.length === 0 && <p className="muted">{t('inbox.empty')}</p>}
            <ul className="report-list">
              {items.map((r) => (
                <li key={r.id} className={`report-item${r.id === openId ? ' selected' : ''}`} data-testid={`report-item-${r.id}`} data-state={r.state}>
                  <button
                    type="button" onClick={() => {
                      open(r.id);
                      // Opened from the list: bring it into view (a click on the map is already there).
                      if (map && !map.getBounds().contains(r.location.coordinates)) map.easeTo({ center: r.location.coordinates });
                    }} aria-current={r.id === openId ? 'true' : undefined}>
                    <span className="report-item-top">
                      <StateBadge state={r.state} />
                      <span className="report-item-cat">{nameOf(cfg?.categories, r.category, lang)}</span>
                      <span className={`badge${r.severity === 'major' ? ' bad' : ''}`}>{t(`severity.${r.severity}`)}</span>
                      {r.supervised && <span className="badge bad">{t('inbox.supervised')}</span>}
                      {r.escalationLevel > 0 && <span className="badge warn">{t('inbox.escalated', { n: r.escalationLevel })}</span>}
                      {fresh.has(r.id) && <span className="badge good" data-testid="report-new">{t('inbox.new')}</span>}
                    </span>
                    <span className="report-item-desc">{r.description}</span>
                    <span className="report-item-meta">
                      <span>{r.cellName ?? t('inbox.gap')}</span>
                      <DueBadge report={r} />
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      {supervisor && <RewardsLedger categories={cfg?.categories} />}
    </>
  );
}
