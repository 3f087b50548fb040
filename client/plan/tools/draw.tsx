import { useState } from 'react';
import type { Polygon } from 'geojson';
import { api, type Cell, type ClientConfig } from '../../api.ts';
import type { NewCellBody } from '../../../core/contracts/cells.ts';
import { useI18n } from '../../i18n/index.tsx';
import { usePlanMessages } from '../messages.ts';
import { Icon } from '../icons.tsx';
import { partsToGeometry, snapTargets } from '../geometry.ts';
import { traceRing } from '../trace.ts';
import { SketchPanel } from './sketch.tsx';
import { useDraftStats } from './stats.ts';
import type { PlanSession } from './session.ts';

export const maxLevelOf = (config: ClientConfig) => Math.max(...config.levels.map((l) => l.level));

/** The cells a new cell can go under: the selected cell and its ancestors, but not the finest level. */
export const parentOptionsOf = ({ lineage, config }: PlanSession) => lineage.filter((c) => c.properties.level < maxLevelOf(config));

/** Draws a polygon point by point (terra-draw polygon mode); the finished one can still be moved whole. */
export function startDraw(session: PlanSession) {
  session.start('draw', { movable: true })?.draw.setMode('polygon');
}

/** New cell: draw its outline, choose its parent (by default the finest possible) and name it. */
export function DrawTool({ session }: { session: PlanSession }) {
  const t = usePlanMessages();
  const { levelName } = useI18n();
  const { config, plan, selected, lineage, finished, inProgress, prefs, setPref, error, setError, busy, setBusy } = session;
  const parentOptions = parentOptionsOf(session);
  const [parentId, setParentId] = useState<number | null>(() => parentOptions[parentOptions.length - 1]?.id ?? null);
  const [name, setName] = useState('');
  const parent = lineage.find((c) => c.id === parentId) ?? null;
  const stats = useDraftStats(session, parent, parent ? parent.properties.level + 1 : null);

  session.handlers.current = {
    onDrawn: (mode, id) => {
      const s = plan.current;
      if (!s || mode !== 'polygon') return;
      const f = s.draw.getSnapshotFeature(id);
      if (prefs.trace && f?.geometry.type === 'Polygon') {
        const [outer, ...holes] = f.geometry.coordinates as Polygon['coordinates'];
        const traced = traceRing(outer!, snapTargets(session.current).map((target) => target.coords));
        if (traced.length > outer!.length) s.draw.updateFeatureGeometry(id, { type: 'Polygon', coordinates: [traced, ...holes] });
      }
      // The finished polygon stays editable: drag, insert or delete its vertices before saving.
      s.draw.setMode('select');
      s.draw.selectFeature(id);
      session.edits.reset();
    },
  };

  const saveNew = async () => {
    if (!parent) return setError(t('noParentLevel'));
    if (finished.length === 0) return setError(t('drawFirst'));
    if (!name.trim()) return setError(t('nameRequired'));
    setBusy(true);
    setError(null);
    try {
      const body: NewCellBody = { type: 'Feature', geometry: partsToGeometry(finished), properties: { name: name.trim(), level: parent.properties.level + 1, parentId: parent.id } };
      const cell = await api<Cell>('/api/cells', { method: 'POST', body });
      session.saved(t('created', { name: cell.properties.name, code: cell.properties.code }), cell.id, { reloadLineage: false });
    } catch (e) {
      // The drawing stays: the planner fixes what the server names and saves again.
      setError(session.errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <SketchPanel
        session={session}
        hint={inProgress || finished.length === 0 ? t('drawHint') : t('drawnHint')}
        options={(
          <label title={t('traceHelp')}>
            <input type="checkbox" checked={prefs.trace} onChange={(e) => setPref('trace', e.target.checked)} data-testid="plan-trace" />
            {t('trace')}
          </label>
        )}
        stats={stats}
      >
        {prefs.trace && <p className="plan-hint">{t('traceHelp')}</p>}
      </SketchPanel>
      <form className="form plan-form" onSubmit={(e) => { e.preventDefault(); void saveNew(); }}>
        {selected && selected.properties.level >= maxLevelOf(config) && <p className="plan-hint">{t('finestLevel')}</p>}
        <label>
          {t('level')}
          <select value={parent ? parent.properties.level + 1 : ''} onChange={(e) => setParentId(parentOptions.find((c) => c.properties.level === Number(e.target.value) - 1)?.id ?? null)} name="level">
            {parentOptions.map((c) => (
              <option key={c.id} value={c.properties.level + 1}>{levelName(config.levels, c.properties.level + 1)}</option>
            ))}
          </select>
        </label>
        <label>
          {t('parent')}
          <select value={parentId ?? ''} onChange={(e) => setParentId(Number(e.target.value))} name="parent">
            {parentOptions.map((c) => (
              <option key={c.id} value={c.id}>{c.properties.name} ({c.properties.code})</option>
            ))}
          </select>
        </label>
        <label>
          {t('name')}
          <input name="cell-name" value={name} onChange={(e) => setName(e.target.value)} placeholder={t('namePlaceholder')} maxLength={200} />
        </label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="form-actions">
          <button type="button" className="button" onClick={session.endSession}>{t('cancel')}</button>
          <button type="submit" className="button primary" disabled={busy} data-testid="plan-save">
            <Icon name="save" />
            <span>{busy ? t('saving') : t('save')}</span>
          </button>
        </div>
      </form>
    </>
  );
}
