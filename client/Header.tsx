import { useState, type ReactNode } from 'react';
import { useI18n } from './i18n/index.tsx';
import { formatHash, type View } from './router.ts';
import { useSessionMessages } from './session/messages.ts';
import { useSession } from './session/session.tsx';
import { SignInDialog } from './session/SignInDialog.tsx';
import { TokensDialog } from './session/TokensDialog.tsx';

interface Props {
  panelOpen: boolean;
  onTogglePanel: () => void;
  /** The views this user may open, in tab order, and the one showing. */
  views: View[];
  view: View;
  /** The search box (it needs the map and the selection, which the shell holds). */
  search?: ReactNode;
}

export function Header({ panelOpen, onTogglePanel, views, view, search }: Props) {
  const { lang, setLang, t } = useI18n();
  const ts = useSessionMessages();
  const { user, status, signOut } = useSession();
  const [signingIn, setSigningIn] = useState(false);
  const [tokensOpen, setTokensOpen] = useState(false);
  return (
    <header className="header">
      <button
        type="button"
        className="icon-button panel-toggle"
        onClick={onTogglePanel}
        aria-expanded={panelOpen}
        aria-controls="side-panel"
        aria-label={t(panelOpen ? 'panel.hide' : 'panel.show')}
        title={t(panelOpen ? 'panel.hide' : 'panel.show')}
      >
        <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true"><path d="M3 5h14M3 10h14M3 15h14" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" /></svg>
      </button>
      <div className="brand">
        <svg className="brand-mark" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
          <rect x="2" y="2" width="20" height="20" rx="5" fill="#1d4ed8" />
          <path d="M8.7 2v20M15.3 2v20M2 8.7h20M2 15.3h20" stroke="#fff" strokeOpacity="0.55" strokeWidth="1.3" />
          <rect x="8.7" y="8.7" width="6.6" height="6.6" fill="#fff" fillOpacity="0.9" />
        </svg>
        <span className="brand-name">网格 <span className="brand-latin">Wangge</span></span>
        <span className="brand-subtitle">{t('app.subtitle')}</span>
      </div>
      {search}
      {views.length > 1 && (
        <nav className="views" aria-label={ts('nav.label')}>
          {views.map((v) => (
            <a key={v} href={formatHash(v)} className="view-tab" aria-current={v === view ? 'page' : undefined} data-testid={`nav-${v}`}>
              {ts(`nav.${v}`)}
            </a>
          ))}
        </nav>
      )}
      {status === 'ready' && (user ? (
        <div className="user-menu" data-testid="user-menu">
          <span className="user-name" title={ts('signedInAs', { name: user.displayName, role: ts(`role.${user.role}`) })}>
            {user.displayName}<span className="user-role">{ts(`role.${user.role}`)}</span>
          </span>
          <button type="button" className="button small tokens-button" onClick={() => setTokensOpen(true)}>{ts('tokens')}</button>
          <button type="button" className="button small" onClick={() => void signOut()} data-testid="sign-out">{ts('signOut')}</button>
        </div>
      ) : (
        <button type="button" className="button small primary" onClick={() => setSigningIn(true)} data-testid="sign-in">{ts('signIn')}</button>
      ))}
      {signingIn && <SignInDialog onClose={() => setSigningIn(false)} />}
      {tokensOpen && <TokensDialog onClose={() => setTokensOpen(false)} />}
      <button
        type="button"
        className="lang-toggle"
        onClick={() => setLang(lang === 'zh-CN' ? 'en' : 'zh-CN')}
        aria-label={t('lang.switchLabel')}
        lang={lang === 'zh-CN' ? 'en' : 'zh-CN'}
      >
        {t('lang.switch')}
      </button>
    </header>
  );
}
