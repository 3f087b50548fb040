import { localTime as zonedTime } from '../../i18n/time.ts';
import { useMemo, useRef, useState } from 'react';
import type { FeatureCollection, MultiPolygon } from 'geojson';
import { api, ApiError, type Cell, type CellProperties } from '../../api.ts';
import type { CellPatchBody, ReshapeBody } from '../../../core/contracts/cells.ts';
import { EMPTY_COLLECTION, useOverlay, useSourceData, type Overlay } from '../../map/overlay.ts';
import { usePlanMessages } from '../messages.ts';
import { Icon } from '../icons.tsx';
import type { PlanDraw } from '../draw.ts';
import { cellParts, partsToGeometry } from '../geometry.ts';
import { diffPolygon, propagate, type VertexChange } from '../topology.ts';
import type { Spread } from './edits.ts';
import { conflictOf, reshapeRequest, type Conflict } from './rules.ts';
import { SketchPanel } from './sketch.tsx';
import { useDraftStats } from './stats.ts';
import type { PlanSession } from './session.ts';

const TOPO = 'plan-topo';
const TOPO_OVERLAY: Overlay = {
  sources: { [TOPO]: { type: 'geojson', data: EMPTY_COLLECTION } },
  layers: [
    { id: `${TOPO}-fill`, type: 'fill', source: TOPO, paint: { 'fill-color': '#f59e0b', 'fill-opacity': 0.12 } },
    { id: `${TOPO}-line`, type: 'line', source: TOPO, paint: { 'line-color': '#b45309', 'line-width': 2, 'line-dasharray': [3, 2] } },
  ],
};
const asTopo = (c: Cell) => ({ id: c.id, version: c.properties.version, name: c.properties.name, geometry: c.geometry });

/** Puts `cell` into the drawing as editable polygons (one per part), with a fresh undo history. */
function loadShape(session: PlanSession, s: PlanDraw, cell: Cell) {
  s.draw.clear();
  const features = cellParts(cell.geometry).map((geometry) => ({ type: 'Feature' as const, id: s.draw.getFeatureId(), geometry, properties: { mode: 'polygon' } }));
  s.draw.setMode('select');
  const results = s.draw.addFeatures(features);
  const bad = results.find((r) => !r.valid);
  if (bad) session.setError(bad.reason ?? 'invalid');
  const first = results.find((r) => r.valid);
  if (first) s.draw.selectFeature(first.id!);
  s.draw.clearUndoRedoHistory();
  session.edits.reset();
  session.changed();
}

/** Reshape edits the cell as the server has it now (its version is what the save is checked against). */
export async function startReshape(session: PlanSession) {
  const { selected } = session;
  if (!selected) return;
  session.setBusy(true);
  try {
    const cell = await api<Cell>(`/api/cells/${selected.id}`);
    const s = session.start('reshape');
    session.setBase(cell);
    if (s) loadShape(session, s, cell);
  } catch (e) {
    session.setError(session.errorText(e));
  } finally {
    session.setBusy(false);
  }
}

/** Reshape: drag, insert and delete vertices; shared borders move along (topological editing); a stale save is a conflict to resolve. */
export function ReshapeTool({ session }: { session: PlanSession }) {
  const t = usePlanMessages();
  const { map, lang, plan, base, lineage, neighbours, edits, finished, prefs, setPref, error, setError, busy, setBusy } = session;
  const { edited } = edits;
  const [conflict, setConflict] = useState<Conflict | null>(null);
  // Versions the planner chose to overwrite after a conflict ("reapply mine").
  const overrides = useRef(new Map<number, number>());
  const stats = useDraftStats(session, lineage[lineage.length - 2] ?? null, base?.properties.level ?? null);

  // The neighbouring cells changed with the edit, dashed, so the planner sees every cell that will be saved.
  useOverlay(map, TOPO_OVERLAY);
  useSourceData(map, TOPO, useMemo(() => ({
    type: 'FeatureCollection',
    features: [...edited.values()].map((c) => ({ type: 'Feature', id: c.id, geometry: c.geometry, properties: { name: c.name } })),
  }), [edited]));

  /**
   * Topological editing: the vertex changes between the last shapes and these, made in every
   * neighbouring cell that has the vertex or edge (the parent and children included).
   */
  const spread: Spread = (before, shapes) => {
    const changes: VertexChange[] = [];
    for (const [id, g] of shapes) {
      const old = before.shapes.get(id);
      if (old?.type === 'Polygon' && g.type === 'Polygon') changes.push(...(diffPolygon(old, g) ?? []));
    }
    if (changes.length === 0) return before.cells;
    const candidates = new Map(neighbours.map((c) => [c.id, before.cells.get(c.id) ?? asTopo(c)]));
    const next = new Map(before.cells);
    for (const [id, c] of propagate(candidates, changes)) if (c !== candidates.get(id)) next.set(id, c);
    return next;
  };
  session.handlers.current = { spread: prefs.topological ? spread : undefined };

  const saveShape = async () => {
    if (!base) return;
    if (finished.length === 0) return setError(t('drawFirst'));
    setBusy(true);
    setError(null);
    setConflict(null);
    const others = [...edited.values()];
    const request = reshapeRequest(base, partsToGeometry(finished), others, overrides.current);
    try {
      let cell: Cell;
      let done: string;
      if (request.kind === 'patch') {
        const body: CellPatchBody = { type: 'Feature', geometry: request.geometry };
        cell = await api<Cell>(`/api/cells/${base.id}`, { method: 'PATCH', headers: { 'if-match': `"${request.version}"` }, body });
        done = t('reshaped', { name: cell.properties.name, version: cell.properties.version });
      } else {
        // Topological edit: the cell and every neighbour that shares the moved border, in one transaction.
        const body: ReshapeBody = { cells: request.cells };
        const saved = await api<FeatureCollection<MultiPolygon, CellProperties>>('/api/cells/reshape', { method: 'POST', body });
        cell = saved.features.find((f) => f.id === base.id) as Cell;
        done = t('reshapedWith', { name: cell.properties.name, n: others.length, names: others.map((c) => c.name).join('、') });
      }
      session.saved(done, cell.id);
    } catch (e) {
      // The drawing stays as it is; the planner chooses whose version wins.
      if (e instanceof ApiError && e.status === 409 && e.problem.current) setConflict(conflictOf(e.problem.current as Cell | Cell[]));
      else setError(session.errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const loadTheirs = async () => {
    if (!conflict || !plan.current || !base) return;
    const s = plan.current;
    try {
      const cell = await api<Cell>(`/api/cells/${base.id}`);
      session.setBase(cell); // reloads the neighbours too
      loadShape(session, s, cell);
      overrides.current.clear();
      setConflict(null);
    } catch (e) {
      setError(session.errorText(e));
    }
  };

  const reapplyMine = () => {
    if (!conflict) return;
    for (const c of conflict.current) overrides.current.set(c.id, c.properties.version);
    void saveShape();
  };

  const mine = base ? (overrides.current.get(base.id) ?? base.properties.version) : '?';
  return (
    <>
      <SketchPanel
        session={session}
        hint={t('editHint')}
        options={(
          <label title={t('topologyHelp')}>
            <input type="checkbox" checked={prefs.topological} onChange={(e) => setPref('topological', e.target.checked)} data-testid="plan-topology" />
            {t('topology')}
          </label>
        )}
        stats={stats}
      >
        {edited.size > 0 && (
          <p className="plan-topo-list" data-testid="plan-topo-list" data-ids={[...edited.keys()].join(',')}>
            {t('topologyNeighbours', { n: edited.size, names: [...edited.values()].map((c) => c.name).join('、') })}
          </p>
        )}
      </SketchPanel>
      <div className="form plan-form">
        {conflict && (
          <div className="plan-conflict" role="alert" data-testid="plan-conflict">
            <strong>{t('conflictTitle')}</strong>
            <p>{conflict.current.length === 1 && conflict.current[0]!.id === base?.id
              ? t('conflictBody', { mine, theirs: conflict.current[0]!.properties.version, when: conflict.savedAt ? zonedTime(conflict.savedAt, 'datetime', lang) : '?' })
              : t('conflictMany', { list: conflict.current.map((c) => `${c.properties.name} (v${c.properties.version})`).join('、') })}</p>
            <div className="form-actions">
              <button type="button" className="button small" onClick={() => void loadTheirs()} data-testid="plan-load-theirs">{t('loadTheirs')}</button>
              <button type="button" className="button small primary" onClick={reapplyMine} data-testid="plan-reapply">{t('reapplyMine')}</button>
            </div>
          </div>
        )}
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="form-actions">
          <button type="button" className="button" onClick={session.endSession}>{t('cancel')}</button>
          <button type="button" className="button primary" disabled={busy} onClick={() => void saveShape()} data-testid="plan-save">
            <Icon name="save" />
            <span>{busy ? t('saving') : t('save')}</span>
          </button>
        </div>
      </div>
    </>
  );
}
