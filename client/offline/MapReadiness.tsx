import { useMapReadiness } from './readiness.ts';
import { useOfflineMessages } from './messages.ts';

/** Whether the map of the worker's cells is on the phone yet: they see it before walking into a basement. */
export function MapReadinessNote() {
  const t = useOfflineMessages();
  const r = useMapReadiness();
  if (r.state === 'idle' || !r.zooms) return null;
  const text = t(`map.${r.state}`, { done: r.done, total: r.total, from: r.zooms[0], to: r.zooms[1] });
  return (
    <p className={`small ${r.state === 'partial' ? 'form-warn' : 'muted'}`} data-testid="offline-map" data-state={r.state} aria-live="polite">
      {text}
    </p>
  );
}
