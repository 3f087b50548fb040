import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { reportsApi, TRACK_CODE, type Named, type Tracked } from './api.ts';
import { localTime, nameOf, stars } from './format.ts';
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
          {result.reward !== null && result.rewardStatus === null && <ClaimForm code={result.trackingCode} onDone={() => void lookup(result.trackingCode)} />}
          {result.rewardStatus === 'claimed' && <p className="muted" data-testid="track-claimed">{t('track.claimed', { phone: result.rewardPayee ?? '—' })}</p>}
          {result.rewardStatus === 'paid' && <p className="form-ok" data-testid="track-paid">{t('track.paid')}</p>}
          {result.state === 'closed' && (result.rating
            ? <p data-testid="track-rating">{t('track.rated', { stars: stars(result.rating.score) })}{result.rating.comment ? ` · ${result.rating.comment}` : ''}</p>
            : <RateForm code={result.trackingCode} onDone={() => void lookup(result.trackingCode)} />)}
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

/** 有奖举报: the reporter claims with the claim code from filing, naming who is to be paid. */
function ClaimForm({ code, onDone }: { code: string; onDone: () => void }) {
  const t = useReportMessages();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await reportsApi.claim(code, { claimCode: String(f.get('claimCode')).trim(), name: String(f.get('name')).trim(), phone: String(f.get('phone')).trim() });
      onDone();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="report-claim" data-testid="track-claim">
      <summary>{t('track.claimTitle')}</summary>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>{t('track.claimCode')}<input className="input mono" name="claimCode" required placeholder="XXXX-XXXX" autoCapitalize="characters" spellCheck={false} /></label>
        <label>{t('track.claimName')}<input className="input" name="name" required maxLength={100} autoComplete="name" /></label>
        <label>{t('track.claimPhone')}<input className="input" name="phone" required type="tel" maxLength={40} autoComplete="tel" /></label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <button className="button primary small" type="submit" disabled={busy}>{t('track.claimSubmit')}</button>
      </form>
    </details>
  );
}

/** The reporter's rating of a closed report: 1–5 and an optional comment, once. */
function RateForm({ code, onDone }: { code: string; onDone: () => void }) {
  const t = useReportMessages();
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await reportsApi.rate(code, { score, ...(comment.trim() ? { comment: comment.trim() } : {}) });
      onDone();
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <form className="form report-rate" onSubmit={(e) => void submit(e)} data-testid="track-rate">
      <fieldset>
        <legend>{t('track.rateTitle')}</legend>
        <div className="report-stars" role="radiogroup" aria-label={t('track.rateScore')}>
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n} className={n <= score ? 'on' : ''} title={t('track.star', { n })}>
              <input type="radio" name="score" value={n} checked={score === n} onChange={() => setScore(n)} aria-label={t('track.star', { n })} />
              {n <= score ? '★' : '☆'}
            </label>
          ))}
        </div>
        <label>{t('track.rateComment')}<textarea className="input" maxLength={500} rows={2} value={comment} onChange={(e) => setComment(e.target.value)} /></label>
      </fieldset>
      {error && <p className="form-error" role="alert">{error}</p>}
      <button className="button primary small" type="submit" disabled={score === 0}>{t('track.rateSubmit')}</button>
    </form>
  );
}
