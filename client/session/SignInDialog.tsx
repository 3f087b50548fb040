import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useSession } from './session.tsx';
import { useSessionMessages } from './messages.ts';

/** A modal sign-in form; the server's refusal (wrong password, locked account) is shown as it explains it. */
export function SignInDialog({ onClose }: { onClose: () => void }) {
  const t = useSessionMessages();
  const { signIn } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
      onClose();
    } catch (err) {
      setError(t('failed', { message: err instanceof Error ? err.message : String(err) }));
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="sign-in-title" onClose={onClose} onCancel={onClose}>
      <form onSubmit={(e) => void submit(e)} className="form">
        <h2 id="sign-in-title">{t('title')}</h2>
        <label>
          {t('username')}
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
        </label>
        <label>
          {t('password')}
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>{t('cancel')}</button>
          <button type="submit" className="button primary" disabled={busy}>{busy ? t('submitting') : t('submit')}</button>
        </div>
      </form>
    </dialog>
  );
}
