import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { keys } from '../data/keys.ts';
import { useI18n } from '../i18n/index.tsx';
import { PAY_METHODS, reportsApi, type Named, type Reward } from './api.ts';
import type { PayMethod } from '../../core/contracts/reports.ts';
import { localTime, nameOf } from './format.ts';
import { useRewards } from './queries.ts';
import { useReportMessages } from './messages.ts';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Today on the browser's clock, as YYYY-MM-DD for a date input. */
const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/**
 * 有奖举报: what verified public reports in my cells earned their reporters, and whether each is
 * owed (not claimed), claimed (to pay) or paid; a claimed one is paid here (supervisors only).
 */
export function RewardsLedger({ categories }: { categories?: Named[] }) {
  const t = useReportMessages();
  const { lang } = useI18n();
  const [open, setOpen] = useState(false);
  const rewards = useRewards(open);
  const data = rewards.data ?? null;
  const error = rewards.error ? message(rewards.error) : null;
  const [paying, setPaying] = useState<number | null>(null);
  return (
    <section className="panel-section" data-testid="rewards-ledger">
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary className="report-sub">{t('rewards.title')}</summary>
        {error && <p className="form-error" role="alert">{error}</p>}
        {data && (
          <>
            <p className="muted" data-testid="rewards-total">{t('rewards.total', { n: data.total, count: data.items.length })}</p>
            <p className="muted" data-testid="rewards-sums">{t('rewards.sums', { owed: data.owed, claimed: data.claimed, paid: data.paid })}</p>
            <table className="table">
              <thead><tr><th>{t('detail.code')}</th><th>{t('form.category')}</th><th>{t('rewards.amount')}</th><th>{t('rewards.status')}</th><th>{t('rewards.payee')}</th></tr></thead>
              <tbody>
                {data.items.map((w) => (
                  <tr key={w.id} data-testid={`reward-${w.reportId}`} data-status={w.status}>
                    <td className="mono" title={localTime(w.createdAt, lang)}>{w.trackingCode}</td>
                    <td>{nameOf(categories, w.category, lang)}</td>
                    <td>{w.payout?.amount ?? w.amount}</td>
                    <td>
                      <span className={`badge${w.status === 'paid' ? ' ok' : w.status === 'claimed' ? ' warn' : ''}`}>{t(`rewards.status.${w.status}`)}</span>
                      {w.payout && <div className="muted small">{t('rewards.paidLine', { on: w.payout.on, method: t(`rewards.method.${w.payout.method}`), amount: w.payout.amount, by: w.payout.by ?? '—' })}</div>}
                    </td>
                    <td>
                      {[w.payee?.name ?? w.reporter.name, w.payee?.phone ?? w.reporter.contact].filter(Boolean).join(' · ') || '—'}
                      {w.status === 'claimed' && paying !== w.id && (
                        <div><button type="button" className="button small" onClick={() => setPaying(w.id)} data-testid={`reward-pay-${w.reportId}`}>{t('rewards.pay')}</button></div>
                      )}
                      {paying === w.id && <PayoutForm reward={w} onDone={() => setPaying(null)} onCancel={() => setPaying(null)} />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </details>
    </section>
  );
}

/** The payout of a claimed reward: amount (the reward's by default), date, method, a note. */
function PayoutForm({ reward, onDone, onCancel }: { reward: Reward; onDone: () => void; onCancel: () => void }) {
  const t = useReportMessages();
  const queryClient = useQueryClient();
  const payout = useMutation({
    mutationFn: (body: Parameters<typeof reportsApi.payout>[1]) => reportsApi.payout(reward.id, body),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: keys.reports.rewards() });
      onDone();
    },
  });
  const error = payout.error ? message(payout.error) : null;
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const note = String(f.get('note') ?? '').trim();
    payout.mutate({ amount: Number(f.get('amount')), paidOn: String(f.get('paidOn')), method: String(f.get('method')) as PayMethod, ...(note ? { note } : {}) });
  };
  return (
    <form className="form compact" onSubmit={submit} data-testid="reward-payout">
      <label>{t('rewards.amount')}<input className="input" name="amount" type="number" min={0} required defaultValue={reward.amount} /></label>
      <label>{t('rewards.paidOn')}<input className="input" name="paidOn" type="date" required defaultValue={today()} /></label>
      <label>{t('rewards.method')}
        <select className="input" name="method" defaultValue="wechat">
          {PAY_METHODS.map((m) => <option key={m} value={m}>{t(`rewards.method.${m}`)}</option>)}
        </select>
      </label>
      <label>{t('rewards.note')}<input className="input" name="note" maxLength={500} /></label>
      {error && <p className="form-error" role="alert">{error}</p>}
      <div className="form-actions">
        <button type="button" className="button small" onClick={onCancel}>{t('act.cancel')}</button>
        <button type="submit" className="button primary small">{t('rewards.save')}</button>
      </div>
    </form>
  );
}
