import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { format as formatDate } from 'date-fns';
import { tz } from '@date-fns/tz';
import { timeZone } from '../i18n/time.ts';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import { keys } from '../data/keys.ts';
import { useReportsConfig } from '../reports/queries.ts';
import { useI18n } from '../i18n/index.tsx';
import { useMap } from '../map/context.tsx';
import { useRoute } from '../router.ts';
import type { ViewProps } from '../views.ts';
import { CellDrilldown } from './CellDrilldown.tsx';
import { EvaluationSection, WarningsSection } from './Accountability.tsx';
import { Choropleth, choroplethClasses, metricValue } from './Choropleth.tsx';
import { HEAT_COLORS, HeatLayer, type HeatPoint } from './HeatLayer.tsx';
import { heatPoints, type HeatmapResponse } from './data.ts';
import type { CellStatsResponse as StatsResponse } from '../../core/contracts/command.ts';
import { filterQuery, readFilters, timeRange, writeFilters, METRICS, type Filters } from './filters.ts';
import { useCommandMessages } from './messages.ts';
import { soundPreference, useLiveFeed, type LiveEvent } from './useLiveFeed.ts';
import './command.css';

/** date-fns format in the deployment's zone. */
const format = (d: Date, pattern: string) => formatDate(d, pattern, { in: tz(timeZone()) });

const PLAY_STEP_MS = 900;
type Category = { code: string; zh: string; en: string };
const NO_CATEGORIES: Category[] = [];
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const percent = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);

/** The commander's screen: where hazards are now, which cells are failing, what is overdue. */
export function CommandPanel({ config, selectedId, onSelect }: ViewProps) {
  const t = useCommandMessages();
  const { lang, levelName } = useI18n();
  const map = useMap();
  const { params, setParams } = useRoute();
  const defaultLevel = config.levels[Math.min(2, config.levels.length - 1)]?.level ?? 1;
  const filters = useMemo(() => readFilters(params, defaultLevel), [params, defaultLevel]);
  const update = useCallback((patch: Partial<Filters>) => setParams(writeFilters({ ...filters, ...patch }, defaultLevel)), [filters, setParams, defaultLevel]);

  const reportsConfig = useReportsConfig();
  const categories = reportsConfig.data?.categories ?? NO_CATEGORIES;
  const [playing, setPlaying] = useState(false);
  const [now, setNow] = useState(() => new Date());
  const [month, setMonth] = useState(() => format(new Date(), 'yyyy-MM'));

  const query = useMemo(() => filterQuery(filters, now), [filters, now]);

  // The heatmap for the area in view: asked for again when the view or the filters change.
  const [view, setView] = useState<string | null>(null);
  useEffect(() => {
    if (!map) return;
    const moved = () => {
      const b = map.getBounds();
      const q = new URLSearchParams();
      q.set('bbox', [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(','));
      q.set('zoom', String(Math.round(map.getZoom())));
      setView(q.toString());
    };
    moved();
    map.on('moveend', moved);
    return () => {
      map.off('moveend', moved);
    };
  }, [map]);

  const heatQuery = useMemo(() => (view === null ? null : `${new URLSearchParams(query)}&${view}`), [query, view]);
  const heatResult = useQuery({
    queryKey: keys.command.heatmap(heatQuery ?? ''),
    queryFn: ({ signal }) => api<HeatmapResponse>(`/api/heatmap?${heatQuery}`, { signal }),
    enabled: heatQuery !== null,
    placeholderData: keepPreviousData,
  });
  const heat = heatResult.data ?? null;

  const statsQuery = useMemo(() => {
    const q = new URLSearchParams(query);
    q.set('level', String(filters.level));
    return q.toString();
  }, [query, filters.level]);
  const statsResult = useQuery({
    queryKey: keys.command.stats(statsQuery),
    queryFn: ({ signal }) => api<StatsResponse>(`/api/stats/cells?${statsQuery}`, { signal }),
    placeholderData: keepPreviousData,
  });
  const stats = statsResult.data ?? null;
  const failed = heatResult.error ?? statsResult.error ?? reportsConfig.error;
  const error = failed ? errorText(failed) : null;

  // Points of reports that came on the live stream since this heatmap was read (until the next one).
  const [live, setLive] = useState<{ heat: HeatmapResponse | null; points: HeatPoint[] }>({ heat: null, points: [] });
  const points = useMemo(() => [...(heat ? heatPoints(heat) : []), ...(live.heat === heat ? live.points : [])], [heat, live]);

  // Live: a new report shows on the heatmap at once (points mode); figures and bins refresh shortly after.
  const refreshSoon = useRef<number | null>(null);
  const onEvent = useCallback((e: LiveEvent) => {
    const { report } = e;
    const matches = (!filters.category || report.category === filters.category) && (!filters.severity || report.severity === filters.severity);
    if (e.type === 'created' && matches && heat?.mode !== 'bins' && filters.daysBack === 0) {
      const point: HeatPoint = { position: report.location.coordinates, weight: heat?.severityWeights[report.severity] ?? 1 };
      setLive((l) => ({ heat, points: l.heat === heat ? [...l.points, point] : [point] }));
    }
    if (refreshSoon.current === null) {
      refreshSoon.current = window.setTimeout(() => {
        refreshSoon.current = null;
        if (filters.daysBack === 0) setNow(new Date());
      }, 1500);
    }
  }, [filters, heat]);
  useEffect(() => () => {
    if (refreshSoon.current !== null) window.clearTimeout(refreshSoon.current);
  }, []);
  const [sound, setSound] = useState(soundPreference.get);
  const { events, connected } = useLiveFeed(onEvent, sound);

  // The time slider plays the window forward, a day per step, up to now.
  const maxDaysBack = filters.window === '24h' ? 7 : 30;
  useEffect(() => {
    if (!playing) return;
    const timer = window.setInterval(() => {
      if (filters.daysBack <= 0) setPlaying(false);
      else update({ daysBack: filters.daysBack - 1 });
    }, PLAY_STEP_MS);
    return () => window.clearInterval(timer);
  }, [playing, filters.daysBack, update]);

  const range = useMemo(() => timeRange(filters, now), [filters, now]);
  const name = (c: Category) => (lang === 'zh-CN' ? c.zh : c.en);
  const categoryName = (code: string) => {
    const c = categories.find((x) => x.code === code);
    return c ? name(c) : code;
  };
  const ranked = useMemo(() => stats?.cells ?? [], [stats]);
  const selectedStats = ranked.find((c) => c.id === selectedId) ?? null;
  const legend = useMemo(() => choroplethClasses(ranked.map((c) => metricValue(c, filters.metric)).filter((v): v is number => v !== null), filters.metric), [ranked, filters.metric]);
  const legendValue = (v: number) => (filters.metric === 'rate' ? percent(v) : filters.metric === 'pctInspected' ? `${Math.round(v)}%` : String(Math.round(v * 10) / 10));

  return (
    <div className="view-panel command">
      <HeatLayer points={points} visible />
      <Choropleth level={filters.level} metric={filters.metric} cells={ranked} />
      <section className="panel-section" aria-labelledby="command-filters">
        <h3 id="command-filters">{t('filters')}</h3>
        <div className="filter-grid">
          <label>{t('category')}
            <select className="input" value={filters.category ?? ''} onChange={(e) => update({ category: e.target.value || null })} data-testid="filter-category">
              <option value="">{t('allCategories')}</option>
              {categories.map((c) => <option key={c.code} value={c.code}>{name(c)}</option>)}
            </select>
          </label>
          <label>{t('severity')}
            <select className="input" value={filters.severity ?? ''} onChange={(e) => update({ severity: (e.target.value || null) as Filters['severity'] })} data-testid="filter-severity">
              <option value="">{t('allSeverities')}</option>
              <option value="ordinary">{t('severity.ordinary')}</option>
              <option value="major">{t('severity.major')}</option>
            </select>
          </label>
          <label>{t('state')}
            <select className="input" value={filters.state} onChange={(e) => update({ state: e.target.value as Filters['state'] })} data-testid="filter-state">
              {(['open', 'overdue', 'closed', 'all'] as const).map((s) => <option key={s} value={s}>{t(`state.${s}`)}</option>)}
            </select>
          </label>
          <label>{t('window')}
            <select className="input" value={filters.window} onChange={(e) => update({ window: e.target.value as Filters['window'], daysBack: 0 })} data-testid="filter-window">
              {(['24h', '7d', '30d', 'custom'] as const).map((w) => <option key={w} value={w}>{t(`window.${w}`)}</option>)}
            </select>
          </label>
          {filters.window === 'custom' && (
            <>
              <label>{t('from')}<input className="input" type="date" value={filters.from ?? ''} onChange={(e) => update({ from: e.target.value || null })} /></label>
              <label>{t('to')}<input className="input" type="date" value={filters.to ?? ''} onChange={(e) => update({ to: e.target.value || null })} /></label>
            </>
          )}
        </div>
        <div className="slider-row">
          <button type="button" className="button small" onClick={() => {
            if (!playing && filters.daysBack === 0) update({ daysBack: maxDaysBack });
            setPlaying(!playing);
          }} aria-pressed={playing} data-testid="play">{playing ? t('pause') : t('play')}</button>
          <input
            type="range"
            min={-maxDaysBack}
            max={0}
            step={1}
            value={-filters.daysBack}
            onChange={(e) => update({ daysBack: -Number(e.target.value) })}
            aria-label={t('slider', { when: format(range.to, 'yyyy-MM-dd HH:mm') })}
            data-testid="replay"
          />
          {filters.daysBack > 0 && <button type="button" className="link" onClick={() => update({ daysBack: 0 })}>{t('now')}</button>}
        </div>
        <p className="muted small">{t('slider', { when: format(range.to, 'yyyy-MM-dd HH:mm') })}</p>
      </section>

      {error && <p className="form-error" role="alert">{error}</p>}

      <section className="panel-section">
        <h3>{t('heatmap')}</h3>
        <div className="heat-legend" aria-hidden="true">
          <span>{t('heatLegendLow')}</span>
          <span className="heat-ramp" style={{ background: `linear-gradient(to right, ${HEAT_COLORS.map((c) => `rgb(${c.join(',')})`).join(', ')})` }} />
          <span>{t('heatLegendHigh')}</span>
        </div>
        {heat && (
          <p className="muted small" data-testid="heat-count">
            {heat.mode === 'bins' ? t('heatModeBins', { n: heat.total, bins: heat.bins?.length ?? 0 }) : t('heatMode', { n: points.length })}
          </p>
        )}
      </section>

      {stats && (
        <section className="panel-section">
          <h3>{t('kpis')}</h3>
          <dl className="kpis" data-testid="kpis">
            <div><dt>{t('kpi.found')}</dt><dd data-kpi="found">{stats.kpis.found}</dd></div>
            <div><dt>{t('kpi.verified')}</dt><dd>{stats.kpis.verified}</dd></div>
            <div><dt>{t('kpi.rectified')}</dt><dd>{stats.kpis.rectified}</dd></div>
            <div><dt>{t('kpi.rate')}</dt><dd>{percent(stats.kpis.rate)}</dd></div>
            <div className={stats.kpis.overdue ? 'bad' : ''}><dt>{t('kpi.overdue')}</dt><dd>{stats.kpis.overdue}</dd></div>
            <div><dt>{t('kpi.major')}</dt><dd>{stats.kpis.majorSupervised}</dd></div>
          </dl>
        </section>
      )}

      <section className="panel-section">
        <div className="section-head">
          <h3>{t('ranking')}</h3>
        </div>
        <div className="filter-grid">
          <label>{t('level')}
            <select className="input" value={filters.level} onChange={(e) => update({ level: Number(e.target.value) })} data-testid="stats-level">
              {config.levels.map((l) => <option key={l.level} value={l.level}>{levelName(config.levels, l.level)}</option>)}
            </select>
          </label>
          <label>{t('metric')}
            <select className="input" value={filters.metric} onChange={(e) => update({ metric: e.target.value as Filters['metric'] })} data-testid="stats-metric">
              {METRICS.map((m) => <option key={m} value={m}>{t(`metric.${m}`)}</option>)}
            </select>
          </label>
        </div>
        {stats && (
          <div className="choropleth-legend" data-testid="choropleth-legend" aria-label={t('legend')}>
            <span className="muted small">{t('legend')} · {t(`metric.${filters.metric}`)}</span>
            <ul>
              {legend.map((c) => (
                <li key={c.color}>
                  <span className="swatch" style={{ background: c.color }} />
                  {c.from === null && c.to === null ? '—'
                    : c.from === null ? t('legendBelow', { to: legendValue(c.to!) })
                      : c.to === null ? t('legendAbove', { from: legendValue(c.from) })
                        : t('legendRange', { from: legendValue(c.from), to: legendValue(c.to) })}
                  <span className="muted"> · {t('legendCells', { n: c.count })}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
        {!stats ? <p className="muted">{t('loading')}</p> : (
          <table className="table ranking" data-testid="ranking">
            <thead><tr><th>{t('cell')}</th><th>{t('metric.reports')}</th><th>{t('metric.overdue')}</th><th>{t('kpi.rate')}</th><th>{t('metric.medianHours')}</th><th>{t('metric.pctInspected')}</th></tr></thead>
            <tbody>
              {ranked.slice(0, 50).map((c) => (
                <tr key={c.id} className={c.id === selectedId ? 'selected' : ''} onClick={() => onSelect(c.id)}>
                  <td title={c.name}><button type="button" className="link">{c.name}</button></td>
                  <td>{c.reports}</td>
                  <td className={c.overdue ? 'bad' : ''}>{c.overdue}</td>
                  <td>{percent(c.rate)}</td>
                  <td>{c.medianHours === null ? t('none') : t('hours', { n: Math.round(c.medianHours) })}</td>
                  <td className={c.unitsOverdue ? 'bad' : ''} title={c.unitsOverdue ? `${t('metric.unitsOverdue')}: ${c.unitsOverdue}` : undefined}>
                    {c.pctInspected === null ? t('none') : `${c.pctInspected}%`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {selectedStats && <CellDrilldown cellId={selectedStats.id} since={range.from} until={range.to} categoryName={categoryName} />}
      </section>

      <section className="panel-section">
        <div className="section-head">
          <h3>{t('live')} <span className={`live-dot${connected ? ' on' : ''}`} aria-hidden="true" /></h3>
          <label className="small">
            <input type="checkbox" checked={sound} onChange={(e) => { soundPreference.set(e.target.checked); setSound(e.target.checked); }} data-testid="feed-sound" /> {t('sound')}
          </label>
        </div>
        {events.length === 0 ? <p className="muted small">{t('liveEmpty')}</p> : (
          <ul className="feed" data-testid="live-feed">
            {events.map((e) => (
              <li key={e.report.id} data-report-id={e.report.id} data-severity={e.report.severity} className={e.report.severity === 'major' ? 'major' : undefined}>
                <button type="button" className="link" onClick={() => map?.flyTo({ center: e.report.location.coordinates, zoom: Math.max(map.getZoom(), 14) })}>
                  <span className={`badge${e.report.severity === 'major' ? ' bad' : ''}`}>{t(`severity.${e.report.severity}`)}</span>{' '}
                  <span className="feed-category">{categoryName(e.report.category)}</span> · <span className="feed-place">{e.report.cellName ?? t('noPlace')}</span>
                  <span className="muted"> · {t(`event.${e.type}`)} {format(new Date(e.at), 'HH:mm:ss')}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="panel-section">
        <h3>{t('monthly')}</h3>
        <div className="inline-form">
          <input className="input" type="month" value={month} onChange={(e) => setMonth(e.target.value)} aria-label={t('month')} />
          <a className="button small" href={`/api/reports/monthly.csv?month=${month}&level=${filters.level}`} download data-testid="monthly-csv">{t('monthlyCsv')}</a>
          <a className="button small" href={`/api/reports/monthly.xlsx?month=${month}&level=${filters.level}`} download data-testid="monthly-xlsx">{t('monthlyXlsx')}</a>
          <a className="button small" href={`/api/reports/monthly.html?month=${month}&level=${filters.level}`} target="_blank" rel="noreferrer">{t('monthlyPrint')}</a>
        </div>
      </section>

      <WarningsSection />
      <EvaluationSection level={filters.level} />
    </div>
  );
}
