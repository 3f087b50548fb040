import { useEffect, useState } from 'react';
import { describeProblem } from '../../core/problems/index.ts';
import { useI18n } from '../i18n/index.tsx';
import { localTime } from '../i18n/time.ts';
import { adviceFor, useOfflineMessages } from './messages.ts';
import { discard, flush, onOutboxChange, outboxItems, retry, type OutboxItem } from './outbox.ts';

/** The outbox's items, kept current. */
export function useOutbox(): OutboxItem[] {
  const [items, setItems] = useState<OutboxItem[]>([]);
  useEffect(() => {
    let live = true;
    const load = () => void outboxItems().then((i) => live && setItems(i)).catch(() => undefined);
    load();
    const off = onOutboxChange(load);
    return () => {
      live = false;
      off();
    };
  }, []);
  return items;
}

function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

/**
 * The actions waiting on this phone: how many, each one's state, and for a refused one the server's
 * reason (in the worker's language) and what they can do about it: retry or discard.
 */
export function OutboxPanel() {
  const t = useOfflineMessages();
  const { lang } = useI18n();
  const items = useOutbox();
  const online = useOnline();
  if (items.length === 0 && online) return null;
  return (
    <section className="outbox" data-testid="outbox" aria-live="polite">
      {!online && <p className="form-warn" data-testid="outbox-offline">{t('outbox.offline')}</p>}
      {items.length > 0 && (
        <>
          <div className="outbox-head">
            <strong data-testid="outbox-count">{t('outbox.title', { n: items.length })}</strong>
            {online && <button type="button" className="button small" onClick={() => void flush()}>{t('outbox.sendNow')}</button>}
          </div>
          <ul className="outbox-items">
            {items.map((item) => (
              <li key={item.id} data-testid="outbox-item" data-state={item.state} data-kind={item.kind}>
                <div>
                  <span className={`badge ${item.state === 'refused' ? 'bad' : 'warn'}`}>{t(`outbox.${item.state}`)}</span>{' '}
                  <strong>{t(`outbox.kind.${item.kind}`)}</strong> {item.label}{' '}
                  <span className="muted small">{t('outbox.doneAt', { time: localTime(item.at, 'short', lang) })}</span>
                </div>
                {item.state === 'refused' && (
                  <>
                    <p className="form-error" data-testid="outbox-reason">{describeProblem({ title: item.problem?.title ?? '', ...item.problem }, lang)}</p>
                    <p className="muted small" data-testid="outbox-advice">{t(adviceFor(item.problem?.code, item.problem?.status))}</p>
                    <div className="form-actions">
                      <button type="button" className="button small" onClick={() => void retry(item.id!)}>{t('outbox.retry')}</button>
                      <button type="button" className="button small danger" data-testid="outbox-discard" onClick={() => {
                        if (window.confirm(t('outbox.discardConfirm'))) void discard(item.id!);
                      }}>{t('outbox.discard')}</button>
                    </div>
                  </>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
