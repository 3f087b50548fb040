import { useEffect, useState, type FormEvent } from 'react';
import { format as formatDate } from 'date-fns';
import { tz } from '@date-fns/tz';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import { keys } from '../data/keys.ts';
import { useI18n } from '../i18n/index.tsx';
import { localTime, timeZone } from '../i18n/time.ts';
import { useAccountabilityMessages } from './accountabilityMessages.ts';
import {
  WARNING_LEVELS, type CellEvaluation, type DemocraticBody, type Evaluation, type Notice, type NoticeBody, type WarningLevel, type Warnings,
} from '../../core/contracts/accountability.ts';

interface Named { zh: string; en: string }

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const local = (d: Date, pattern: string) => formatDate(d, pattern, { in: tz(timeZone()) });
/** Rows of the warning list drawn at once: a year of a large district holds thousands. */
const LIST_MAX = 500;
const fig = (v: number | null) => (v === null ? '—' : v.toFixed(1));

/**
 * 预警与问责: the warnings of the people in my cells in a period, the people who reached a threshold
 * first, with a numbered notice (预警通知书) to issue for each and links to those issued.
 */
export function WarningsSection() {
  const t = useAccountabilityMessages();
  const { lang } = useI18n();
  const [from, setFrom] = useState(() => `${local(new Date(), 'yyyy')}-01-01`);
  const [to, setTo] = useState(() => local(new Date(), 'yyyy-MM-dd'));
  const [cell, setCell] = useState('');
  const [issuing, setIssuing] = useState<number | null>(null);
  const [open, setOpen] = useState(false);
  const [listOpen, setListOpen] = useState(false);
  const queryClient = useQueryClient();

  const warningsQuery = useQuery({
    queryKey: keys.command.warnings({ from, to, cellId: Number(cell) || null }),
    queryFn: ({ signal }) => api<Warnings>(`/api/warnings?from=${from}&to=${to}${cell ? `&cellId=${cell}` : ''}`, { signal }),
    enabled: open && !!from && !!to,
    placeholderData: keepPreviousData,
  });
  const data = warningsQuery.data ?? null;
  const error = warningsQuery.error ? errorText(warningsQuery.error) : null;

  // The server filters by cell; people keep their count over all cells (the thresholds count them all).
  const cellId = Number(cell) || null;
  const warnings = data?.warnings ?? [];
  const people = data?.people ?? [];
  const name = (n: Named) => (lang === 'zh-CN' ? n.zh : n.en);

  return (
    <section className="panel-section" data-testid="warnings-section">
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary><h3 style={{ display: 'inline' }}>{t('warnings')}</h3></summary>
        <div className="inline-form">
          <label>{t('from')} <input className="input" type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="warnings-from" /></label>
          <label>{t('to')} <input className="input" type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="warnings-to" /></label>
        </div>
        <select className="input" value={cell} onChange={(e) => setCell(e.target.value)} aria-label={t('cell')} data-testid="warnings-cell" style={{ width: '100%' }}>
          <option value="">{t('allCells')}</option>
          {(data?.cells ?? []).map((c) => <option key={c.id} value={c.id}>{c.name} ({c.count})</option>)}
        </select>
        {error && <p className="form-error" role="alert">{error}</p>}
        {data && <p className="muted small">{t('thresholds', data.thresholds)}</p>}
        {data && people.length === 0 && <p className="muted">{t('none')}</p>}
        {data && people.length > 0 && (
          <div className="accountability-scroll"><table className="table" data-testid="warnings-people">
            <thead><tr><th>{t('person')}</th><th>{t('cell')}</th><th>{t('count')}</th><th>{t('level')}</th><th>{t('notices')}</th></tr></thead>
            <tbody>
              {people.map((p) => (
                <tr key={p.personId} data-testid={`warned-${p.personId}`} data-level={p.level ?? ''}>
                  <td>{p.name}</td>
                  <td>{p.cells.map((c) => c.name).join('、')}</td>
                  <td>{cellId === null ? p.count : `${p.inCell} / ${p.count}`}</td>
                  <td><span className={`badge${p.level === 'publicNotice' ? ' bad' : p.level ? ' warn' : ''}`}>{t(p.level ? `level.${p.level}` : 'level.none')}</span></td>
                  <td>
                    {p.notices.map((n) => <div key={n.id}><a href={n.url} target="_blank" rel="noreferrer" data-testid={`notice-${n.id}`}>{n.number}</a></div>)}
                    {p.level && issuing !== p.personId && (
                      <button type="button" className="button small" onClick={() => setIssuing(p.personId)} data-testid={`issue-${p.personId}`}>{t('issue')}</button>
                    )}
                    {issuing === p.personId && p.level && (
                      <IssueForm personId={p.personId} reached={p.level} from={from} to={to} onCancel={() => setIssuing(null)} onDone={() => { setIssuing(null); void queryClient.invalidateQueries({ queryKey: keys.command.warningLists() }); }} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table></div>
        )}
        {warnings.length > 0 && (
          <details onToggle={(e) => setListOpen(e.currentTarget.open)}>
            <summary className="report-sub">{t('details')} ({data?.total ?? warnings.length})</summary>
            {listOpen && data && data.total > Math.min(LIST_MAX, warnings.length) && <p className="muted small">{t('firstOnly', { n: Math.min(LIST_MAX, warnings.length), total: data.total })}</p>}
            {listOpen && (
            <div className="accountability-scroll"><table className="table" data-testid="warnings-list">
              <thead><tr><th>{t('person')}</th><th>{t('role')}</th><th>{t('cell')}</th><th>{t('report')}</th><th>{t('step')}</th><th>{t('when')}</th></tr></thead>
              <tbody>
                {warnings.slice(0, LIST_MAX).map((w) => (
                  <tr key={`${w.reportId}-${w.personId}`}>
                    <td>{w.personName}</td>
                    <td>{w.roles.map(name).join('、') || '—'}</td>
                    <td>{w.cellName ?? '—'}</td>
                    <td><a className="mono" href={w.reportUrl}>{w.trackingCode}</a></td>
                    <td>{(['verify', 'dispatch', 'rectify', 'check'] as const).includes(w.step as 'verify') ? t(`step.${w.step as 'verify'}`) : w.step}</td>
                    <td>{localTime(w.at, 'short', lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table></div>
            )}
          </details>
        )}
      </details>
    </section>
  );
}

function IssueForm({ personId, reached, from, to, onDone, onCancel }: { personId: number; reached: WarningLevel; from: string; to: string; onDone: () => void; onCancel: () => void }) {
  const t = useAccountabilityMessages();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    try {
      const notice = await api<Notice>('/api/warnings/notices', {
        method: 'POST', body: { personId, level: f.get('level') as WarningLevel, note: String(f.get('note') ?? '') || undefined, from, to } satisfies NoticeBody,
      });
      window.open(notice.url, '_blank', 'noopener');
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const allowed = WARNING_LEVELS.slice(0, WARNING_LEVELS.indexOf(reached) + 1);
  return (
    <form className="stack" onSubmit={submit} data-testid={`issue-form-${personId}`}>
      <label>{t('issueLevel')}{' '}
        <select className="input" name="level" defaultValue={reached}>
          {allowed.map((l) => <option key={l} value={l}>{t(`level.${l}`)}</option>)}
        </select>
      </label>
      <label>{t('note')} <input className="input" name="note" maxLength={2000} /></label>
      {error && <p className="form-error" role="alert">{error}</p>}
      <div className="inline-form">
        <button type="submit" className="button small primary" disabled={busy} data-testid={`issue-submit-${personId}`}>{t('issueSubmit')}</button>
        <button type="button" className="button small" onClick={onCancel}>{t('cancel')}</button>
      </div>
    </form>
  );
}

/** The current month and quarter in the deployment's zone. */
const thisMonth = () => local(new Date(), 'yyyy-MM');

/**
 * 考评: the cells of a level ranked by the weighted total of their measured figures and the 民主测评
 * score entered here; the people ranked below; the 通报 to print.
 */
export function EvaluationSection({ level }: { level: number }) {
  const t = useAccountabilityMessages();
  const [kind, setKind] = useState<'month' | 'quarter'>('month');
  const [month, setMonth] = useState(thisMonth);
  const [quarter, setQuarter] = useState(() => `${thisMonth().slice(0, 4)}-Q${Math.ceil(Number(thisMonth().slice(5)) / 3)}`);
  const period = kind === 'month' ? month : quarter;
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const evaluations = useQuery({
    queryKey: keys.command.evaluations(period, level),
    queryFn: ({ signal }) => api<Evaluation>(`/api/evaluations?period=${period}&level=${level}`, { signal }),
    enabled: open && !!period,
    placeholderData: keepPreviousData,
  });
  const data = evaluations.data ?? null;
  // A score refused on saving shows until the table is read again.
  const [saveError, setError] = useState<{ data: Evaluation | null; message: string } | null>(null);
  const error = evaluations.error ? errorText(evaluations.error) : saveError && saveError.data === data ? saveError.message : null;

  const year = period.slice(0, 4);
  return (
    <section className="panel-section" data-testid="evaluation-section">
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary><h3 style={{ display: 'inline' }}>{t('evaluation')}</h3></summary>
        <div className="inline-form">
          <select className="input" value={kind} onChange={(e) => setKind(e.target.value as 'month' | 'quarter')} aria-label={t('period')} data-testid="evaluation-kind">
            <option value="month">{t('monthly')}</option>
            <option value="quarter">{t('quarterly')}</option>
          </select>
          {kind === 'month'
            ? <input className="input" type="month" value={month} onChange={(e) => setMonth(e.target.value)} aria-label={t('period')} data-testid="evaluation-month" />
            : (
              <select className="input" value={quarter} onChange={(e) => setQuarter(e.target.value)} aria-label={t('period')}>
                {[1, 2, 3, 4].map((q) => <option key={q} value={`${year}-Q${q}`}>{year} {t('quarter', { q })}</option>)}
              </select>
            )}
          <a className="button small" href={`/evaluations/${period}/notice?level=${level}`} target="_blank" rel="noreferrer" data-testid="evaluation-notice">{t('noticePrint')}</a>
        </div>
        {error && <p className="form-error" role="alert">{error}</p>}
        {data && (
          <>
            <p className="muted small">{t('weights', { ...data.weights, penalty: data.warningPenalty })}</p>
            {data.cells.length === 0 ? <p className="muted">{t('noCells')}</p> : (
              <div className="accountability-scroll"><table className="table" data-testid="evaluation-cells">
                <thead><tr><th>{t('rank')}</th><th>{t('cell')}</th><th>{t('onTime')}</th><th>{t('rectification')}</th><th>{t('patrol')}</th><th>{t('satisfaction')}</th><th>{t('democratic')}</th><th>{t('total')}</th></tr></thead>
                <tbody>
                  {data.cells.map((c) => (
                    <tr key={c.id} data-testid={`evaluation-cell-${c.id}`} data-rank={c.rank ?? ''}>
                      <td>{c.rank ?? '—'}</td>
                      <td>{c.name}</td>
                      <td className="num">{fig(c.onTime)}</td>
                      <td className="num">{fig(c.rectification)}</td>
                      <td className="num">{fig(c.patrol)}</td>
                      <td className="num">{fig(c.satisfaction)}</td>
                      <td><DemocraticInput period={data.period} cell={c} onSaved={() => void queryClient.invalidateQueries({ queryKey: keys.command.evaluations(data.period, level) })} onError={(message) => setError({ data, message })} /></td>
                      <td className="num"><strong>{fig(c.total)}</strong></td>
                    </tr>
                  ))}
                </tbody>
              </table></div>
            )}
            {data.people.length > 0 && (
              <details>
                <summary className="report-sub">{t('people')}</summary>
                <div className="accountability-scroll"><table className="table" data-testid="evaluation-people">
                  <thead><tr><th>{t('rank')}</th><th>{t('person')}</th><th>{t('average')}</th><th>{t('warningsCount')}</th><th>{t('score')}</th></tr></thead>
                  <tbody>
                    {data.people.map((p) => (
                      <tr key={p.personId}><td>{p.rank ?? '—'}</td><td>{p.name}</td><td className="num">{fig(p.average)}</td><td className="num">{p.warnings}</td><td className="num">{fig(p.score)}</td></tr>
                    ))}
                  </tbody>
                </table></div>
              </details>
            )}
          </>
        )}
      </details>
    </section>
  );
}

/** The 民主测评 score, edited in place: saved on Enter or with the button. */
function DemocraticInput({ period, cell, onSaved, onError }: { period: string; cell: CellEvaluation; onSaved: () => void; onError: (e: string) => void }) {
  const t = useAccountabilityMessages();
  const [value, setValue] = useState(cell.democratic === null ? '' : String(cell.democratic));
  useEffect(() => setValue(cell.democratic === null ? '' : String(cell.democratic)), [cell.democratic]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api(`/api/evaluations/${period}/cells/${cell.id}/democratic`, { method: 'PUT', body: { score: Number(value) } satisfies DemocraticBody });
      onSaved();
    } catch (err) {
      onError(errorText(err));
    }
  };
  return (
    <form className="inline-form" onSubmit={save}>
      <input className="input" type="number" min={0} max={100} step="0.1" required value={value} onChange={(e) => setValue(e.target.value)}
        aria-label={`${t('democratic')} ${cell.name}`} data-testid={`democratic-${cell.id}`} style={{ width: '5em' }} />
      <button type="submit" className="button small" data-testid={`democratic-save-${cell.id}`}>{t('save')}</button>
    </form>
  );
}
