import type { ReactNode } from 'react';
import type { Polygon } from 'geojson';
import { usePlanMessages } from '../messages.ts';
import { Icon } from '../icons.tsx';
import { formatArea, vertexCount, type DraftStats } from '../geometry.ts';
import type { PlanSession } from './session.ts';

interface Props {
  session: PlanSession;
  hint: string;
  /** The tool's own options, after snapping. */
  options?: ReactNode;
  /** What the tool shows under the options. */
  children?: ReactNode;
  stats?: DraftStats | null;
}

/** What every drawing tool shows while it draws: how, undo and redo, the vertex count, snapping, the live figures. */
export function SketchPanel({ session, hint, options, children, stats }: Props) {
  const t = usePlanMessages();
  const { edits, finished, inProgress, prefs, setPref, lang } = session;
  return (
    <div className="plan-session">
      <p className="plan-hint">{hint}</p>
      <div className="plan-undo">
        <button type="button" className="button small" onClick={edits.undo} disabled={!edits.canUndo} data-testid="plan-undo" title="Ctrl+Z">
          <Icon name="undo" />
          <span>{t('undo')}</span>
        </button>
        <button type="button" className="button small" onClick={edits.redo} disabled={!edits.canRedo} data-testid="plan-redo" title="Ctrl+Shift+Z">
          <Icon name="redo" />
          <span>{t('redo')}</span>
        </button>
        <span className="plan-count" data-testid="plan-vertices">
          {inProgress ? t('vertices', { n: Math.max(0, vertexCount(inProgress.geometry as Polygon) - 1) }) : finished.length ? t('vertices', { n: finished.reduce((n, p) => n + vertexCount(p), 0) }) : ''}
        </span>
      </div>
      <div className="plan-options">
        <label title={t('snap')}>
          <input type="checkbox" checked={prefs.snap} onChange={(e) => setPref('snap', e.target.checked)} data-testid="plan-snap" />
          {t('snap')}
        </label>
        {options}
      </div>
      {children}
      {stats && (
        <ul className="plan-stats" data-testid="plan-stats">
          <li>{t('area', { area: formatArea(stats.area, lang) })}</li>
          {stats.outside > 0 && <li className="bad">{t('outside', { area: formatArea(stats.outside, lang) })}</li>}
          {stats.overlap > 0 && <li className="warn">{t('overlap', { area: formatArea(stats.overlap, lang) })}</li>}
        </ul>
      )}
    </div>
  );
}
