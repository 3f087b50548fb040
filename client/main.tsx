import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from './i18n/index.tsx';
import { App } from './App.tsx';
import { DataProvider } from './data/provider.tsx';
import { MapProvider } from './map/context.tsx';
import { SessionProvider } from './session/session.tsx';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <DataProvider>
      <I18nProvider>
        <SessionProvider>
          <MapProvider>
            <App />
          </MapProvider>
        </SessionProvider>
      </I18nProvider>
    </DataProvider>
  </StrictMode>,
);

// The outbox (reports and patrol actions kept offline) is not needed for the first paint: it loads after it.
const offline = () => void import('./offline/outbox.ts').then((m) => m.startOutbox());
if (document.readyState === 'complete') offline();
else window.addEventListener('load', offline, { once: true });
