import { useRoute } from '../router.ts';
import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import type { ViewProps } from '../views.ts';
import { reportsApi, type ReportsConfig } from './api.ts';
import { useReportMessages } from './messages.ts';
import { ReportForm } from './ReportForm.tsx';
import { TrackBox } from './TrackBox.tsx';
import { PHONE_QUERY } from '../phone.ts';
import { api } from '../api.ts';
import type { Card } from '../../core/contracts/people.ts';
import './reports.css';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * On a phone the side panel covers the map: it is closed (with the header's own toggle) so the
 * place can be clicked on the map.
 */
function closePanelOnPhone() {
  if (!window.matchMedia(PHONE_QUERY).matches) return;
  document.querySelector<HTMLButtonElement>('.panel-toggle[aria-expanded="true"]')?.click();
}

/**
 * Public map: "Report a hazard" (a form in a sheet over the map, so the map stays clickable; a
 * floating button opens it on a phone even while the panel is closed) and "Follow my report".
 */
export function ReportLauncher(_props: ViewProps) {
  const t = useReportMessages();
  const [cfg, setCfg] = useState<ReportsConfig | null>(null);
  const [cfgError, setCfgError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [lastCode, setLastCode] = useState<string | null>(null);
  // A tracking code found with the search box (#/map?track=WG-…) is looked up here.
  const { params, setParams } = useRoute();
  const tracked = params.get('track');
  // #/map?cell=12&report=1 (the notice board's QR code): the form opens with the place inside that cell.
  const linkedCell = params.get('report') === '1' ? Number(params.get('cell')) || null : null;
  const [start, setStart] = useState<{ cell: Card; point: [number, number] } | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    reportsApi.config(ctl.signal).then(setCfg).catch((e: unknown) => {
      if (!ctl.signal.aborted) setCfgError(message(e));
    });
    return () => ctl.abort();
  }, []);

  useEffect(() => {
    if (!cfg || !linkedCell) return;
    const ctl = new AbortController();
    api<Card>(`/api/cells/${linkedCell}/card`, { signal: ctl.signal }).then((cell) => {
      if (cell.pointInside) setStart({ cell, point: cell.pointInside });
      closePanelOnPhone();
      setOpen(true);
      // Opened once: coming back to the map later shows the cell's card, not the form again.
      const next = new URLSearchParams(window.location.hash.split('?')[1] ?? '');
      next.delete('report');
      setParams(next);
    }).catch((e: unknown) => {
      if (!ctl.signal.aborted) setCfgError(message(e));
    });
    return () => ctl.abort();
  }, [cfg, linkedCell, setParams]);

  const begin = () => {
    closePanelOnPhone();
    setStart(null);
    setOpen(true);
  };

  return (
    <>
      <section className="panel-section report-launcher" data-testid="report-launcher">
        <h3>{t('launch.title')}</h3>
        <p className="muted report-intro">{t('launch.intro')}</p>
        {cfgError && <p className="form-error" role="alert">{cfgError}</p>}
        <button type="button" className="button primary report-launch" onClick={begin} disabled={!cfg || open} data-testid="report-launch">
          {t('launch.button')}
        </button>
        <h3 className="report-follow-title">{t('track.title')}</h3>
        <TrackBox key={tracked ?? ''} code={lastCode ?? tracked} categories={cfg?.categories} />
      </section>
      {cfg && !open && createPortal(
        <button type="button" className="report-fab" onClick={begin} data-testid="report-fab">{t('launch.title')}</button>,
        document.body,
      )}
      {cfg && open && createPortal(
        <ReportForm key={start?.cell.id ?? 0} cfg={cfg} start={start ? { point: start.point, cellName: start.cell.name } : undefined} onClose={() => setOpen(false)} onFiled={(f) => setLastCode(f.trackingCode)} />,
        // The shell's sheet place: under the map on a phone (styles.css), floating over it on a wide screen.
        document.getElementById('sheet-host') ?? document.body,
      )}
    </>
  );
}
