import { useRoute } from '../router.ts';
import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import type { ViewProps } from '../views.ts';
import { useReportsConfig } from './queries.ts';
import { useReportMessages } from './messages.ts';
import { ReportForm } from './ReportForm.tsx';
import { TrackBox } from './TrackBox.tsx';
import { PHONE_QUERY } from '../phone.ts';
import { api } from '../api.ts';
import { useQuery } from '@tanstack/react-query';
import { keys } from '../data/keys.ts';
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
  const config = useReportsConfig();
  const cfg = config.data ?? null;
  const [open, setOpen] = useState(false);
  const [lastCode, setLastCode] = useState<string | null>(null);
  // A tracking code found with the search box (#/map?track=WG-…) is looked up here.
  const { params, setParams } = useRoute();
  const tracked = params.get('track');
  // #/map?cell=12&report=1 (the notice board's QR code): the form opens with the place inside that cell.
  const linkedCell = params.get('report') === '1' ? Number(params.get('cell')) || null : null;
  const [start, setStart] = useState<{ cell: Card; point: [number, number] } | null>(null);

  const linkedCard = useQuery({
    queryKey: keys.cells.card(linkedCell ?? 0),
    queryFn: ({ signal }) => api<Card>(`/api/cells/${linkedCell}/card`, { signal }),
    enabled: cfg !== null && linkedCell !== null,
  });
  const linked = linkedCell !== null ? linkedCard.data : undefined;
  useEffect(() => {
    if (!cfg || !linked) return;
    if (linked.pointInside) setStart({ cell: linked, point: linked.pointInside });
    closePanelOnPhone();
    setOpen(true);
    // Opened once: coming back to the map later shows the cell's card, not the form again.
    const next = new URLSearchParams(window.location.hash.split('?')[1] ?? '');
    next.delete('report');
    setParams(next);
  }, [cfg, linked, setParams]);
  const failed = config.error ?? (linkedCell !== null ? linkedCard.error : null);
  const cfgError = failed ? message(failed) : null;

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
