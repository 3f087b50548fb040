import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from './i18n/index.tsx';
import { App } from './App.tsx';
import { MapProvider } from './map/context.tsx';
import { SessionProvider } from './session/session.tsx';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <SessionProvider>
        <MapProvider>
          <App />
        </MapProvider>
      </SessionProvider>
    </I18nProvider>
  </StrictMode>,
);

// The service worker and the outbox are not needed for the first paint: they load after it.
const offline = () => void import('./offline/register.ts');
if (document.readyState === 'complete') offline();
else window.addEventListener('load', offline, { once: true });
