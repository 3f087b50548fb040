import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/index.tsx';
import type { Named } from './api.ts';
import { localTime, nameOf } from './format.ts';
import { useReportMessages } from './messages.ts';

interface Reward {
  id: number;
  reportId: number;
  trackingCode: string;
  category: string;
  severity: 'ordinary' | 'major';
  amount: number;
  createdAt: string;
  paidAt: string | null;
  reporter: { name: string | null; contact: string | null };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** 有奖举报: what verified public reports in my cells earned their reporters (supervisors only). Loaded when opened. */
export function RewardsLedger({ categories, stamp }: { categories?: Named[]; stamp: number }) {
  const t = useReportMessages();
  const { lang } = useI18n();
  const [open, setOpen] = useState(false);
  const [data, setData] = useState<{ total: number; items: Reward[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    const ctl = new AbortController();
    api<{ total: number; items: Reward[] }>('/api/rewards', { signal: ctl.signal }).then(setData).catch((e: unknown) => {
      if (!ctl.signal.aborted) setError(message(e));
    });
    return () => ctl.abort();
  }, [open, stamp]);
  return (
    <section className="panel-section" data-testid="rewards-ledger">
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary className="report-sub">{t('rewards.title')}</summary>
        {error && <p className="form-error" role="alert">{error}</p>}
        {data && (
          <>
            <p className="muted" data-testid="rewards-total">{t('rewards.total', { n: data.total, count: data.items.length })}</p>
            <table className="table">
              <thead><tr><th>{t('detail.code')}</th><th>{t('form.category')}</th><th>{t('rewards.amount')}</th><th>{t('detail.reporter')}</th></tr></thead>
              <tbody>
                {data.items.map((w) => (
                  <tr key={w.id} data-testid={`reward-${w.reportId}`}>
                    <td className="mono" title={localTime(w.createdAt, lang)}>{w.trackingCode}</td>
                    <td>{nameOf(categories, w.category, lang)}</td>
                    <td>{w.amount}</td>
                    <td>{[w.reporter.name, w.reporter.contact].filter(Boolean).join(' · ') || '—'}</td>
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
