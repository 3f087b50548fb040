import type { FeatureCollection, LineString, MultiPolygon } from 'geojson';
import { api } from '../../api.ts';
import type { SplitBody } from '../../../core/contracts/cells.ts';
import { usePlanMessages } from '../messages.ts';
import { SketchPanel } from './sketch.tsx';
import type { PlanSession } from './session.ts';

/** Split: the planner draws a line (terra-draw linestring mode) across the selected cell. */
export function startSplit(session: PlanSession) {
  const { selected } = session;
  if (!selected) return;
  const s = session.start('split');
  session.setBase(selected);
  s?.draw.setMode('linestring');
}

/** Splits the cell as soon as the line is finished; the server cuts it (and says when the line does not cut). */
export function SplitTool({ session }: { session: PlanSession }) {
  const t = usePlanMessages();
  const { plan, base, error, setError, setBusy } = session;

  const doSplit = async (line: LineString) => {
    if (!base) return;
    setBusy(true);
    setError(null);
    try {
      const body: SplitBody = { ...line };
      const parts = await api<FeatureCollection<MultiPolygon>>(`/api/cells/${base.id}/split`, { method: 'POST', body });
      session.saved(t('splitDone', { n: parts.features.length }), base.id);
    } catch (e) {
      setError(session.errorText(e));
    } finally {
      setBusy(false);
    }
  };

  session.handlers.current = {
    onDrawn: (mode, id) => {
      const f = mode === 'linestring' ? plan.current?.draw.getSnapshotFeature(id) : undefined;
      if (f?.geometry.type === 'LineString') void doSplit(f.geometry);
    },
  };

  // A refused line is cleared for another try, in the same session.
  const splitAgain = () => {
    const s = plan.current;
    if (!s) return;
    s.draw.clear();
    s.draw.setMode('linestring');
    setError(null);
    session.changed();
  };

  return (
    <>
      <SketchPanel session={session} hint={t('splitHint')} />
      <div className="form plan-form">
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="form-actions">
          <button type="button" className="button" onClick={session.endSession}>{t('cancel')}</button>
          {error && <button type="button" className="button" onClick={splitAgain}>{t('splitAgain')}</button>}
        </div>
      </div>
    </>
  );
}
