import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { reportsApi, TRACK_CODE, type Named, type Tracked } from './api.ts';
import { localTime, nameOf } from './format.ts';
import { useReportMessages } from './messages.ts';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * "Follow my report": a tracking code → its state, the cell handling it and the public replies
 * (GET /api/reports/track/:code shows nothing about people). A code given from outside (just filed)
 * is looked up at once.
 */
export function TrackBox({ code: given, categories, testId = 'report-track' }: { code?: string | null; categories?: Named[]; testId?: string }) {
  const t = useReportMessages();
  const { lang } = useI18n();
  const [code, setCode] = useState(given ?? '');
  const [result, setResult] = useState<Tracked | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const lookup = useCallback(async (value: string) => {
    setError(null);
    if (!TRACK_CODE.test(value.trim())) {
      setResult(null);
      setError(t('track.badCode'));
      return;
    }
    setBusy(true);
    try {
      setResult(await reportsApi.track(value));
    } catch (e) {
      setResult(null);
      setError(message(e));
    } finally {
      setBusy(false);
    }
  }, [t]);

  useEffect(() => {
    if (!given) return;
    setCode(given);
    void lookup(given);
  }, [given, lookup]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void lookup(code);
  };

  return (
    <div className="report-track" data-testid={testId}>
      <form className="inline-form" onSubmit={submit}>
        <input
          className="input mono" name="trackingCode" aria-label={t('track.code')} placeholder="WG-XXXXX-XXXXX"
          value={code} onChange={(e) => setCode(e.target.value)} autoCapitalize="characters" spellCheck={false}
        />
        <button className="button small" type="submit" disabled={busy}>{t('track.lookup')}</button>
      </form>
      {error && <p className="form-error" role="alert">{error}</p>}
      {result && (
        <div className="report-track-result" data-testid="track-result" data-state={result.state}>
          <dl className="report-facts">
            <dt>{t('track.state')}</dt>
            <dd><span className={`badge state-${result.state}`} data-testid="track-state">{lang === 'en' ? result.stateName.en : result.stateName.zh}</span></dd>
            <dt>{t('form.category')}</dt>
            <dd>{nameOf(categories, result.category, lang)} · {t(`severity.${result.severity}`)}</dd>
            <dt>{t('track.cell')}</dt>
            <dd>{result.cellName ?? t('track.unassigned')}</dd>
            <dt>{t('track.filed')}</dt>
            <dd>{localTime(result.createdAt, lang)}</dd>
          </dl>
          {result.reward !== null && <p className="form-ok">{t('track.reward', { n: result.reward })}</p>}
          <h4 className="report-sub">{t('track.timeline')}</h4>
          <ol className="report-timeline">
            {result.timeline.map((e, i) => (
              <li key={i}>
                <span className="report-time">{localTime(e.at, lang)}</span>
                {e.state && <span className={`badge state-${e.state}`}>{t(`state.${e.state}`)}</span>}
                {e.reply && <p className="report-reply" data-testid="track-reply">{t('track.reply', { text: e.reply })}</p>}
              </li>
            ))}
          </ol>
        </div>
      )}
    </div>
  );
}
