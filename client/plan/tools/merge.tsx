import { useCallback, useEffect, useState } from 'react';
import type { MapMouseEvent } from 'maplibre-gl';
import { api, type Cell } from '../../api.ts';
import type { MergeBody } from '../../../core/contracts/cells.ts';
import { useMapClick } from '../../map/context.tsx';
import { CELLS_SOURCE, CELLS_SOURCE_LAYER } from '../../map/style.ts';
import { useOverlay, type Overlay } from '../../map/overlay.ts';
import { usePlanMessages } from '../messages.ts';
import { mergeHit, togglePick, type MergePick } from './rules.ts';
import type { PlanSession } from './session.ts';

const MERGE_LAYER = 'plan-merge-line';
const MERGE_OVERLAY: Overlay = {
  layers: [{
    id: MERGE_LAYER, type: 'line', source: CELLS_SOURCE, 'source-layer': CELLS_SOURCE_LAYER, filter: ['in', ['id'], ['literal', []]],
    paint: { 'line-color': '#7c3aed', 'line-width': 3.5, 'line-dasharray': [2, 1] },
  }],
};

/** Merge needs no drawing: the planner picks cells on the map, starting from the selected one. */
export function startMerge(session: PlanSession) {
  if (session.selected) session.start('merge');
}

/** Merge: the picked cells (same level) outlined on the map and listed, then merged under an optional new name. */
export function MergeTool({ session }: { session: PlanSession }) {
  const t = usePlanMessages();
  const { map, config, selected, error, setError, busy, setBusy } = session;
  const [merge, setMerge] = useState<MergePick[]>(() => (selected ? [{ id: selected.id, name: selected.properties.name }] : []));
  const [mergeName, setMergeName] = useState('');

  // Map clicks pick cells of the selected cell's level, from the rendered fills.
  const pickForMerge = useCallback((e: MapMouseEvent) => {
    if (!map || !selected) return;
    const fills = config.levels.map((l) => `cells-fill-${l.level}`).filter((id) => map.getLayer(id));
    const hit = mergeHit(map.queryRenderedFeatures(e.point, { layers: fills }), selected.properties.level);
    if (!hit) return;
    if ('otherLevel' in hit) return setError(t('mergeOtherLevel', { name: hit.otherLevel }));
    setError(null);
    setMerge((list) => togglePick(list, hit.pick));
  }, [map, selected, config.levels, t, setError]);
  useMapClick(pickForMerge);

  useOverlay(map, MERGE_OVERLAY);
  useEffect(() => {
    if (map?.getLayer(MERGE_LAYER)) map.setFilter(MERGE_LAYER, ['in', ['id'], ['literal', merge.map((m) => m.id)]]);
  }, [map, merge]);

  const doMerge = async () => {
    if (merge.length < 2) return setError(t('mergeNeedTwo'));
    setBusy(true);
    setError(null);
    try {
      const body: MergeBody = { ids: merge.map((m) => m.id) };
      if (mergeName.trim()) body.name = mergeName.trim();
      const cell = await api<Cell>('/api/cells/merge', { method: 'POST', body });
      session.saved(t('merged', { name: cell.properties.name }), cell.id);
    } catch (e) {
      setError(session.errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="form plan-form">
      <p className="plan-hint">{t('mergeHint')}</p>
      <h4 className="plan-subtitle">{t('mergeList', { n: merge.length })}</h4>
      <ul className="plan-merge-list" data-testid="plan-merge-list">
        {merge.map((m) => (
          <li key={m.id}>
            <span>{m.name}</span>
            <button type="button" className="link" onClick={() => setMerge((l) => l.filter((x) => x.id !== m.id))}>{t('remove')}</button>
          </li>
        ))}
      </ul>
      <label>
        {t('mergeName')}
        <input name="merge-name" value={mergeName} onChange={(e) => setMergeName(e.target.value)} maxLength={200} />
      </label>
      {error && <p className="form-error" role="alert">{error}</p>}
      <div className="form-actions">
        <button type="button" className="button" onClick={session.endSession}>{t('cancel')}</button>
        <button type="button" className="button primary" disabled={busy || merge.length < 2} onClick={() => void doMerge()} data-testid="plan-merge-go">{t('mergeGo', { n: merge.length })}</button>
      </div>
    </div>
  );
}
