import { useRef, useState, type PointerEvent } from 'react';
import type { ViewProps } from '../views.ts';
import { CellCard } from './CellCard.tsx';
import { useCardMessages } from './messages.ts';

/** How far (px) a drag on the handle must go to count as a swipe. */
const SWIPE = 30;

/**
 * On a phone, the card of the tapped cell in a bottom sheet under the map (the map keeps the
 * upper part of the screen). A tap on the handle, or a swipe up or down on it, expands or
 * collapses it; a swipe down on a collapsed sheet, or the close button, closes it.
 */
export function CellSheet({ onClose, ...props }: ViewProps & { onClose: () => void }) {
  const t = useCardMessages();
  const [expanded, setExpanded] = useState(false);
  const drag = useRef<{ y: number; moved: boolean } | null>(null);

  const onPointerDown = (e: PointerEvent) => {
    drag.current = { y: e.clientY, moved: false };
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerUp = (e: PointerEvent) => {
    const start = drag.current;
    drag.current = null;
    if (!start) return;
    const dy = e.clientY - start.y;
    if (dy < -SWIPE) setExpanded(true);
    else if (dy > SWIPE) {
      if (expanded) setExpanded(false);
      else onClose();
    } else setExpanded((x) => !x);
  };

  return (
    <section className={`cell-sheet${expanded ? ' expanded' : ''}`} aria-label={t('sheetLabel')} data-testid="cell-sheet">
      <div className="cell-sheet-bar">
        <button
          type="button" className="cell-sheet-handle" aria-expanded={expanded} data-testid="cell-sheet-handle"
          aria-label={t(expanded ? 'sheetCollapse' : 'sheetExpand')} title={t(expanded ? 'sheetCollapse' : 'sheetExpand')}
          onPointerDown={onPointerDown} onPointerUp={onPointerUp} onPointerCancel={() => (drag.current = null)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              setExpanded((x) => !x);
            }
          }}
        >
          <span aria-hidden="true" />
        </button>
        <button type="button" className="icon-button cell-sheet-close" onClick={onClose} aria-label={t('sheetClose')} title={t('sheetClose')} data-testid="cell-sheet-close">
          <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" /></svg>
        </button>
      </div>
      <div className="cell-sheet-body">
        <CellCard {...props} />
      </div>
    </section>
  );
}
