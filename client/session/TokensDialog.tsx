import { localTime as zonedTime } from '../i18n/time.ts';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { useSessionMessages } from './messages.ts';
import type { NewTokenBody, Token } from '../../core/contracts/accounts.ts';
import type { QgisProjectBody } from '../../core/contracts/exports.ts';

/** The signed-in user's API tokens: create one for a script or QGIS, see when each was used, revoke. */
export function TokensDialog({ onClose }: { onClose: () => void }) {
  const t = useSessionMessages();
  const dialog = useRef<HTMLDialogElement>(null);
  const [tokens, setTokens] = useState<Token[]>([]);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => api<Token[]>('/api/tokens').then(setTokens).catch((e: unknown) => setError(String(e instanceof Error ? e.message : e))), []);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    void load();
  }, [load]);

  async function create(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const body: NewTokenBody = { name: name.trim() };
      const token = await api<Required<Token>>('/api/tokens', { method: 'POST', body });
      setCreated(token.token);
      setName('');
      await load();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  /** The project with the token: POSTed, so the token never appears in a URL (logs, proxies, history). */
  async function downloadProject(token: string) {
    setError(null);
    try {
      const text = await api<string>('/api/export/project.qgs', { method: 'POST', body: { token } satisfies QgisProjectBody, headers: { accept: 'application/x-qgis' } });
      const url = URL.createObjectURL(new Blob([text], { type: 'application/x-qgis' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = 'wangge.qgs';
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  async function revoke(id: number) {
    setError(null);
    try {
      await api(`/api/tokens/${id}`, { method: 'DELETE' });
      await load();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <dialog ref={dialog} className="dialog wide" aria-labelledby="tokens-title" onClose={onClose} onCancel={onClose}>
      <div className="form">
        <h2 id="tokens-title">{t('tokens')}</h2>
        <p className="muted">{t('tokensHelp')}</p>
        {created && <p className="form-ok">{t('tokenCreated')} <code className="mono" data-testid="new-token">{created}</code></p>}
        {created && (
          <p>
            <button type="button" className="button" data-testid="token-qgis" onClick={() => void downloadProject(created)}>{t('tokenQgis')}</button>
            <br /><span className="muted">{t('tokenQgisHelp')}</span>
          </p>
        )}
        {error && <p className="form-error" role="alert">{error}</p>}
        <table className="table">
          <tbody>
            {tokens.length === 0 && <tr><td className="muted">{t('tokenNone')}</td></tr>}
            {tokens.map((k) => (
              <tr key={k.id}>
                <td><strong>{k.name}</strong> <span className="mono muted">{k.prefix}…</span><br />
                  <span className="muted">{k.lastUsedAt ? t('tokenLastUsed', { when: zonedTime(k.lastUsedAt, 'datetime') }) : t('tokenNever')}</span></td>
                <td className="row-actions"><button type="button" className="link" onClick={() => void revoke(k.id)}>{t('tokenRevoke')}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
        <form className="inline-form" onSubmit={(e) => void create(e)}>
          <input className="input" aria-label={t('tokenName')} placeholder={t('tokenName')} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
          <button type="submit" className="button primary">{t('tokenCreate')}</button>
        </form>
        <div className="form-actions"><button type="button" className="button" onClick={onClose}>{t('close')}</button></div>
      </div>
    </dialog>
  );
}
