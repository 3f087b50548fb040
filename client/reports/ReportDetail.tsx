import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useI18n } from '../i18n/index.tsx';
import { useMap } from '../map/context.tsx';
import type { Action, Report, ReportEvent, ReportsConfig } from './api.ts';
import { applyReportChange } from './cache.ts';
import { useReport, useReportTimeline } from './queries.ts';
import { ActionForm } from './ActionForm.tsx';
import { DueBadge, StateBadge } from './parts.tsx';
import { localTime, nameOf, stars } from './format.ts';
import { useReportMessages, type ReportMessage } from './messages.ts';
import { useSessionMessages } from '../session/messages.ts';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function eventLabel(e: ReportEvent, t: (k: ReportMessage) => string): string {
  const known = ['verify', 'reject', 'dispatch', 'accept', 'rectify', 'close', 'return', 'transfer', 'reopen'];
  if (known.includes(e.action)) return t(`action.${e.action}` as ReportMessage);
  if (['create', 'escalate', 'overdue', 'reroute'].includes(e.action)) return t(`event.${e.action}` as ReportMessage);
  return e.action;
}

/**
 * One report: what, where, who, the photos (thumbnails open the original), every step taken, and a
 * button for each action the server says this user may take now (allowedActions), nothing more.
 * A change by someone else shows at once: the inbox puts what the event stream sends into the cache.
 * Mount it with the report's id as its key (the step being filled in belongs to that report).
 */
export function ReportDetail({ id, cfg, targetCellId, onBack }: {
  id: number; cfg: ReportsConfig; targetCellId: number | null; onBack: () => void;
}) {
  const t = useReportMessages();
  const ts = useSessionMessages();
  const roleName = (role: string | null | undefined) => (role && ['admin', 'planner', 'commander', 'worker'].includes(role) ? ts(`role.${role}` as 'role.admin') : (role ?? ''));
  const { lang } = useI18n();
  const map = useMap();
  const queryClient = useQueryClient();
  const reportQuery = useReport(id);
  const timeline = useReportTimeline(id);
  // Shown once both the report and its timeline are read, as one.
  const loaded = reportQuery.data !== undefined && timeline.data !== undefined;
  const report = loaded ? reportQuery.data : null;
  const events: ReportEvent[] = timeline.data ?? [];
  const failed = reportQuery.error ?? (loaded ? null : timeline.error);
  const error = failed ? message(failed) : null;
  const [acting, setActing] = useState<Action | null>(null);
  const [done, setDone] = useState<string | null>(null);

  // The step is done: the form closes when the report and its timeline show it.
  const changed = (r: Report) => {
    void applyReportChange(queryClient, r).then(() => {
      if (acting) setDone(t('detail.done', { action: t(`action.${acting}`) }));
      setActing(null);
    });
  };

  const locate = () => report && map?.flyTo({ center: report.location.coordinates, zoom: Math.max(map.getZoom(), 16) });

  return (
    <section className="panel-section report-detail" data-testid="report-detail" data-state={report?.state}>
      <div className="report-detail-head">
        <h3>{t('detail.title', { id })}</h3>
        <button type="button" className="button small" onClick={onBack} data-testid="report-back">{t('detail.back')}</button>
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
      {!report && !error && <p className="muted">{t('detail.loading')}</p>}
      {report && (
        <>
          <div className="report-item-top">
            <StateBadge state={report.state} />
            <span className="report-item-cat">{nameOf(cfg.categories, report.category, lang)}</span>
            <span className={`badge${report.severity === 'major' ? ' bad' : ''}`}>{t(`severity.${report.severity}`)}</span>
            {report.supervised && <span className="badge bad">{t('inbox.supervised')}</span>}
            {report.escalationLevel > 0 && <span className="badge warn">{t('inbox.escalated', { n: report.escalationLevel })}</span>}
          </div>
          <p className="report-desc" data-testid="report-description">{report.description}</p>
          <dl className="report-facts">
            <dt>{t('detail.cell')}</dt>
            <dd>{report.cellName ?? t('inbox.gap')} <button type="button" className="link" onClick={locate}>{t('detail.locate')}</button></dd>
            <dt>{t('detail.due')}</dt>
            <dd><DueBadge report={report} /></dd>
            <dt>{t('detail.source')}</dt>
            <dd>{t(`source.${report.source}`)} · {localTime(report.createdAt, lang)}</dd>
            <dt>{t('detail.reporter')}</dt>
            <dd>{report.reporter ? [report.reporter.name, report.reporter.contact].filter(Boolean).join(' · ') || '—' : t('detail.confidential')}</dd>
            {(report.assignees.length > 0 || report.department) && (
              <>
                <dt>{t('detail.assignees')}</dt>
                <dd>{[...report.assignees.map((a) => a.name), report.department].filter(Boolean).join('、')}</dd>
              </>
            )}
            <dt>{t('detail.code')}</dt>
            <dd className="mono">{report.trackingCode}</dd>
            {report.rating && (
              <>
                <dt>{t('detail.rating')}</dt>
                <dd data-testid="report-rating">{stars(report.rating.score)}{report.rating.comment ? ` · ${report.rating.comment}` : ''}</dd>
              </>
            )}
          </dl>
          {report.photos.some((p) => p.purpose === 'report') && (
            <>
              <h4 className="report-sub">{t('detail.photos')}</h4>
              <ul className="report-photos" data-testid="report-detail-photos">
                {report.photos.filter((p) => p.purpose === 'report').map((p) => (
                  <li key={p.id}>
                    <a href={p.url} target="_blank" rel="noreferrer" title={t('detail.openPhoto')}>
                      <img src={p.thumbUrl} alt={t('detail.openPhoto')} loading="lazy" />
                    </a>
                  </li>
                ))}
              </ul>
            </>
          )}

          <h4 className="report-sub">{t('detail.actions')}</h4>
          {done && <p className="form-ok" role="status">{done}</p>}
          {report.allowedActions.length === 0 ? (
            <p className="muted" data-testid="report-no-actions">{t('detail.noActions')}</p>
          ) : (
            <div className="report-actions">
              {report.allowedActions.map((a) => (
                <button
                  key={a} type="button" className={`button small${a === 'reject' ? ' danger' : ''}`} aria-pressed={acting === a}
                  data-testid={`act-${a}`} onClick={() => {
                    setDone(null);
                    setActing(acting === a ? null : a);
                  }}
                >
                  {t(`action.${a}`)}
                </button>
              ))}
            </div>
          )}
          {acting && report.allowedActions.includes(acting) && (
            <ActionForm
              key={`${acting}-${report.version}`} report={report} action={acting} cfg={cfg} targetCellId={targetCellId}
              onDone={changed} onCancel={() => setActing(null)}
            />
          )}

          <h4 className="report-sub">{t('detail.timeline')}</h4>
          <ol className="report-timeline" data-testid="report-timeline">
            {events.map((e) => (
              <li key={e.id} data-action={e.action}>
                <span className="report-time">{localTime(e.at, lang)}</span>
                <strong>{eventLabel(e, t)}</strong>
                {e.toCellName && e.toCell !== e.fromCell && e.fromCell !== null && <span data-testid="event-to-cell"> → {e.toCellName}</span>}
                {e.toState && e.toState !== e.fromState && <> → <StateBadge state={e.toState} /></>}
                <span className="muted" data-testid="event-who"> · {e.userName ? (lang === 'en' ? `${e.userName} (${roleName(e.userRole)})` : `${e.userName}（${roleName(e.userRole)}）`) : e.user ?? (e.action === 'create' ? t(`source.${report.source}`) : t('event.system'))}</span>
                {e.note && <p className="report-note">{t('event.note', { text: e.note })}</p>}
                {e.reply && <p className="report-reply">{t('event.reply', { text: e.reply })}</p>}
                {e.photos.length > 0 && (
                  <ul className="report-photos">
                    {e.photos.map((p) => (
                      <li key={p.id}><a href={p.url} target="_blank" rel="noreferrer"><img src={p.thumbUrl} alt={t('detail.openPhoto')} loading="lazy" /></a></li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
