import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { api } from '../api.ts';
import { cellsQuery } from '../data/cells.ts';
import { keys } from '../data/keys.ts';
import type { ViewProps } from '../views.ts';
import { useMap, useMapClick, useMapController } from '../map/context.tsx';
import { EMPTY_COLLECTION, useOverlay, useSourceData, type Overlay } from '../map/overlay.ts';
import { useSession } from '../session/session.tsx';
import { useDivideMessages } from './divide-messages.ts';
import type {
  AreasWorkload, Balance, CellWorkload, CommitBody, CommitResult, PartitionBody, Proposal, Rebalance, RebalanceBody, WeightsBody, WorkloadBody,
} from '../../core/contracts/partition.ts';
import type { ReshapeBody } from '../../core/contracts/cells.ts';
import { createPlanDraw, type PlanDraw } from './draw.ts';
import { applyChanges, diffPolygon } from './topology.ts';

const WEIGHTS = ['households', 'units', 'areaKm2', 'reports', 'patrolHours'] as const;
type Weights = Record<(typeof WEIGHTS)[number], string>;
const LAYER = 'plan-divide';
/** Coordinates as the editor keeps them (terra-draw's precision): shared vertices stay equal. */
const round9 = (g: MultiPolygon): MultiPolygon => ({ type: 'MultiPolygon', coordinates: g.coordinates.map((p) => p.map((r) => r.map(([x, y]) => [Math.round(x! * 1e9) / 1e9, Math.round(y! * 1e9) / 1e9]))) });
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const fmtMaxMin = (b: Balance) => (b.maxMin === null ? '–' : b.maxMin.toFixed(2));

/** Workload share → colour: blue light, amber at the mean, red heavy. */
const SHARE_COLOUR = ['interpolate', ['linear'], ['get', 'share'], 0.7, '#2563eb', 1, '#fbbf24', 1.3, '#dc2626'];
/** The proposed (or rebalanced) cells coloured by their share of the balanced workload. */
const DIVIDE_OVERLAY: Overlay = {
  sources: { [LAYER]: { type: 'geojson', data: EMPTY_COLLECTION } },
  layers: [
    { id: `${LAYER}-fill`, type: 'fill', source: LAYER, paint: { 'fill-color': SHARE_COLOUR as never, 'fill-opacity': 0.45 } },
    { id: `${LAYER}-line`, type: 'line', source: LAYER, paint: { 'line-color': '#1e293b', 'line-width': 2 } },
  ],
};

/**
 * The workload of the selected cell's children (table and choropleth, balance and band), and its
 * automatic division into N cells of comparable workload: preview on the map, regenerate, commit.
 */
export function DividePanel({ selectedId, onSelect }: ViewProps) {
  const t = useDivideMessages();
  const { may } = useSession();
  const map = useMap();
  const { refreshCells } = useMapController();
  const [choropleth, setChoropleth] = useState(false);
  const [count, setCount] = useState('4');
  const [seed, setSeed] = useState('1');
  const [followChildren, setFollowChildren] = useState(false);
  const [weights, setWeights] = useState<Weights>({ households: '1', units: '10', areaKm2: '20', reports: '2', patrolHours: '1' });
  const [proposal, setProposal] = useState<Proposal | null>(null);
  const [rebalance, setRebalance] = useState<Rebalance | null>(null);
  const [replace, setReplace] = useState(false);
  // Adjusting the proposal's borders by hand: each part a polygon in terra-draw, by its drawing id.
  const session = useRef<PlanDraw | null>(null);
  const parts = useRef(new Map<string | number, { index: number; polygon: Polygon }>());
  const [adjusting, setAdjusting] = useState(false);
  const latest = useRef<Proposal | null>(null);
  latest.current = proposal;
  useEffect(() => () => session.current?.stop(), []);
  // While adjusting, clicks on the map pick parts to edit, not cells to select.
  const swallow = () => {};
  useMapClick(adjusting ? swallow : null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const allowed = may('cells.edit');
  const queryClient = useQueryClient();

  // A new cell: what was proposed or adjusted for the previous one goes.
  useEffect(() => {
    session.current?.stop();
    session.current = null;
    parts.current.clear();
    setAdjusting(false);
    setProposal(null);
    setRebalance(null);
    setError(null);
  }, [allowed, selectedId]);

  // The children's workload and outlines; an edit here invalidates the workload (reloadWorkload),
  // the outlines come again with every cell list (refreshCells).
  const enabled = allowed && selectedId !== null;
  const workloadQuery = useQuery({
    queryKey: keys.cells.workload(selectedId ?? 0),
    queryFn: ({ signal }) => api<CellWorkload>(`/api/cells/${selectedId}/workload`, { signal }),
    enabled,
  });
  const kidsQuery = useQuery({ ...cellsQuery({ parentId: selectedId ?? 0 }), enabled });
  const workload = enabled && kidsQuery.data ? workloadQuery.data ?? null : null;
  const kids = kidsQuery.data;
  const children = useMemo<FeatureCollection<MultiPolygon> | null>(() => {
    if (!workload || !kids) return null;
    const byId = new Map(workload.cells.map((c) => [c.id, c]));
    return {
      type: 'FeatureCollection',
      features: kids.map((k) => ({ type: 'Feature', id: k.id, geometry: k.geometry, properties: { share: workload.balance.mean > 0 ? (byId.get(k.id)?.workload ?? 0) / workload.balance.mean : 1 } })),
    };
  }, [workload, kids]);
  const loadError = enabled ? workloadQuery.error ?? kidsQuery.error : null;
  const shownError = error ?? (loadError ? message(loadError) : null);
  const reloadWorkload = () => {
    if (selectedId !== null) void queryClient.invalidateQueries({ queryKey: keys.cells.workload(selectedId) });
  };

  // The rebalanced cells as they would be, over the others as they are.
  const rebalanced: FeatureCollection<MultiPolygon> | null = rebalance && children ? {
    type: 'FeatureCollection',
    features: children.features.map((c) => {
      const moved = rebalance.features.find((f) => f.properties.id === c.id);
      const share = (w: number) => (rebalance.balance.mean > 0 ? w / rebalance.balance.mean : 1);
      return moved ? { ...c, geometry: moved.geometry, properties: { share: share(moved.properties.workload) } } : c;
    }),
  } : null;
  const shown = proposal ?? rebalanced ?? (choropleth ? children : null);
  useOverlay(map, shown ? DIVIDE_OVERLAY : null);
  useSourceData(map, LAYER, shown);

  if (!allowed) return null;

  const run = async (withSeed: string) => {
    if (selectedId === null) return;
    stopAdjusting();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const p = await api<Proposal>(`/api/cells/${selectedId}/partition`, { method: 'POST', body: { count: Number(count), seed: Number(withSeed), weights: weightBody(), ...(followChildren ? { followChildren: true } : {}) } satisfies PartitionBody });
      setProposal(p);
      setSeed(withSeed);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  const stopAdjusting = () => {
    session.current?.stop();
    session.current = null;
    parts.current.clear();
    setAdjusting(false);
  };
  /** The parts as edited, measured again by the server (each unit counted once), into the proposal. */
  const remeasure = async (base: Proposal) => {
    const byIndex = new Map<number, Polygon['coordinates'][]>();
    for (const { index, polygon } of parts.current.values()) byIndex.set(index, [...(byIndex.get(index) ?? []), polygon.coordinates]);
    const features = base.features.map((f) => ({ ...f, geometry: { type: 'MultiPolygon' as const, coordinates: byIndex.get(f.properties.index) ?? f.geometry.coordinates } }));
    const m = await api<AreasWorkload>('/api/workload', { method: 'POST', body: { features: features.map((f) => ({ geometry: { ...f.geometry } })), weights: weightBody() } satisfies WorkloadBody });
    setProposal({
      ...base, balance: m.balance,
      features: features.map((f, i) => ({ ...f, properties: { ...f.properties, ...m.areas[i]!, share: m.balance.mean > 0 ? m.areas[i]!.workload / m.balance.mean : 1 } })),
    });
  };

  const startAdjusting = () => {
    if (!map || !proposal) return;
    const s = createPlanDraw(map);
    s.setSnapping(false);
    session.current = s;
    const rounded = { ...proposal, features: proposal.features.map((f) => ({ ...f, geometry: round9(f.geometry) })) };
    setProposal(rounded);
    const features = rounded.features.flatMap((f) => f.geometry.coordinates.map((coordinates) => ({
      type: 'Feature' as const, id: s.draw.getFeatureId(), geometry: { type: 'Polygon' as const, coordinates }, properties: { mode: 'polygon', index: f.properties.index },
    })));
    s.draw.setMode('select');
    s.draw.addFeatures(features);
    for (const f of features) parts.current.set(f.id, { index: f.properties.index, polygon: f.geometry });
    // A vertex moved, inserted or deleted in one part is changed in every part that has it.
    s.draw.on('finish', (id, context) => {
      if (context.mode !== 'select') return;
      const now = s.draw.getSnapshotFeature(id);
      const before = parts.current.get(id);
      if (!now || now.geometry.type !== 'Polygon' || !before) return;
      const changes = diffPolygon(before.polygon, now.geometry as Polygon) ?? [];
      parts.current.set(id, { ...before, polygon: now.geometry as Polygon });
      for (const [other, part] of parts.current) {
        if (other === id) continue;
        const moved = applyChanges({ type: 'MultiPolygon', coordinates: [part.polygon.coordinates] }, changes);
        if (moved.coordinates[0] === part.polygon.coordinates) continue;
        const polygon: Polygon = { type: 'Polygon', coordinates: moved.coordinates[0]! };
        s.draw.updateFeatureGeometry(other, polygon);
        parts.current.set(other, { ...part, polygon });
      }
      if (latest.current) void remeasure(latest.current).catch((e: unknown) => setError(message(e)));
    });
    setAdjusting(true);
  };

  const weightBody = (): WeightsBody => Object.fromEntries(WEIGHTS.map((k) => [k, Number(weights[k]) || 0]));

  const planRebalance = async () => {
    if (selectedId === null) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const r = await api<Rebalance>(`/api/cells/${selectedId}/rebalance`, { method: 'POST', body: { weights: weightBody() } satisfies RebalanceBody });
      if (r.features.length) setRebalance(r);
      else setNotice(t('rebalanceNone'));
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  const applyRebalance = async () => {
    if (!rebalance) return;
    setBusy(true);
    setError(null);
    try {
      const body: ReshapeBody = { cells: rebalance.features.map((f) => ({ id: f.properties.id, version: f.properties.version, geometry: f.geometry })) };
      await api('/api/cells/reshape', { method: 'POST', body });
      setNotice(t('applied', { n: rebalance.features.length }));
      setRebalance(null);
      refreshCells();
      reloadWorkload();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  const commit = async () => {
    if (selectedId === null || !proposal) return;
    stopAdjusting();
    setBusy(true);
    setError(null);
    try {
      const out = await api<CommitResult>(`/api/cells/${selectedId}/partition/commit`, {
        method: 'POST', body: { type: 'FeatureCollection', features: proposal.features.map((f) => ({ type: 'Feature', geometry: { ...f.geometry } })), replaceChildren: replace } satisfies CommitBody,
      });
      setProposal(null);
      setNotice(t('committed', { n: out.created.length }));
      refreshCells();
      onSelect(selectedId);
      reloadWorkload();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  const existing = workload?.cells.length ?? 0;
  return (
    <section className="panel-section divide" data-testid="divide">
      <div className="section-head"><h3>{t('title')}</h3></div>
      {shownError && <p className="form-error" role="alert">{shownError}</p>}
      {notice && <p className="form-ok" role="status">{notice}</p>}
      {selectedId === null ? <p className="muted small">{t('select')}</p> : (
        <>
          <h4 className="plan-subtitle">{t('children')}</h4>
          {workload && existing === 0 && <p className="muted small">{t('noChildren')}</p>}
          {workload && existing > 0 && (
            <>
              <table className="table small" data-testid="workload-table">
                <thead><tr><th>{t('name')}</th><th>{t('households')}</th><th>{t('units')}</th><th>{t('reports')}</th><th>{t('workload')}</th></tr></thead>
                <tbody>
                  {workload.cells.map((c) => (
                    <tr key={c.id} data-band={c.outsideBand ?? ''}>
                      <td>{c.name}</td><td>{c.households}</td><td>{c.units}</td><td>{c.reports}</td>
                      <td>{Math.round(c.workload)}{c.outsideBand && <span className="badge"> {t(c.outsideBand)}</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="small" data-testid="workload-balance">{t('cv', { cv: workload.balance.cv.toFixed(3), maxMin: fmtMaxMin(workload.balance) })}</p>
              {workload.band && <p className="muted small">{t('band', { metric: t(workload.band.metric === 'households' ? 'households' : 'workload'), min: workload.band.min, max: workload.band.max, n: workload.outsideBand.length })}</p>}
              <label className="small"><input type="checkbox" checked={choropleth} onChange={(e) => setChoropleth(e.target.checked)} /> {t('showMap')}</label>
              {existing > 1 && !rebalance && (
                <div className="form-actions"><button type="button" className="button small" disabled={busy} onClick={() => void planRebalance()}>{t('rebalance')}</button></div>
              )}
              {rebalance && (
                <div data-testid="rebalance-plan">
                  <p className="small">{t('rebalancePlan', { n: rebalance.features.length, tiles: rebalance.moved.tiles, area: Math.round(rebalance.moved.areaM2), before: rebalance.before.cv.toFixed(3), after: rebalance.balance.cv.toFixed(3) })}</p>
                  <div className="form-actions">
                    <button type="button" className="button small primary" disabled={busy} onClick={() => void applyRebalance()}>{t('apply')}</button>
                    <button type="button" className="button small" disabled={busy} onClick={() => setRebalance(null)}>{t('discard')}</button>
                  </div>
                </div>
              )}
            </>
          )}
          <h4 className="plan-subtitle">{t('divide')}</h4>
          <div className="divide-grid">
            <label>{t('count')}<input className="input" name="divide-count" type="number" min={2} max={500} value={count} onChange={(e) => setCount(e.target.value)} /></label>
            <label>{t('seed')}<input className="input" name="divide-seed" type="number" min={0} value={seed} onChange={(e) => setSeed(e.target.value)} /></label>
          </div>
          {children && children.features.length > 0 && (
            <label className="small" title={t('followChildrenHint')}>
              <input type="checkbox" name="divide-follow" checked={followChildren} onChange={(e) => setFollowChildren(e.target.checked)} /> {t('followChildren')}
            </label>
          )}
          <details>
            <summary className="small">{t('weights')}</summary>
            <div className="divide-grid">
              {WEIGHTS.map((k) => (
                <label key={k} className="small">{t(`w${k[0]!.toUpperCase()}${k.slice(1)}` as 'wHouseholds')}
                  <input className="input" name={`weight-${k}`} type="number" min={0} step="any" value={weights[k]} onChange={(e) => setWeights({ ...weights, [k]: e.target.value })} />
                </label>
              ))}
            </div>
          </details>
          <div className="form-actions">
            <button type="button" className="button small" disabled={busy} onClick={() => void run(seed)}>{t('preview')}</button>
            {proposal && <button type="button" className="button small" disabled={busy} onClick={() => void run(String(Number(seed) + 1))}>{t('regenerate')}</button>}
          </div>
          {busy && <p className="muted small">{t('working')}</p>}
          {proposal && (
            <div data-testid="divide-proposal">
              <p className="small" data-testid="divide-summary">{t('proposal', { n: proposal.features.length, cv: proposal.balance.cv.toFixed(3), maxMin: fmtMaxMin(proposal.balance), tiles: proposal.tiles.count, side: Math.round(proposal.tiles.sideM) })}</p>
              <table className="table small">
                <thead><tr><th>{t('index')}</th><th>{t('households')}</th><th>{t('units')}</th><th>{t('workload')}</th><th>{t('share')}</th></tr></thead>
                <tbody>
                  {proposal.features.map((f) => (
                    <tr key={f.properties.index} data-workload={f.properties.workload}>
                      <td>{f.properties.index}</td><td>{f.properties.households}</td><td>{f.properties.units}</td><td>{Math.round(f.properties.workload)}</td><td>{f.properties.share.toFixed(2)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {adjusting && <p className="muted small">{t('adjustHint')}</p>}
              {existing > 0 && <label className="small"><input type="checkbox" name="divide-replace" checked={replace} onChange={(e) => setReplace(e.target.checked)} /> {t('replace', { n: existing })}</label>}
              <div className="form-actions">
                <button type="button" className="button small primary" disabled={busy || (existing > 0 && !replace)} onClick={() => void commit()}>{t('commit')}</button>
                <button type="button" className="button small" disabled={busy} aria-pressed={adjusting} onClick={() => (adjusting ? stopAdjusting() : startAdjusting())}>{t(adjusting ? 'adjustDone' : 'adjust')}</button>
                <button type="button" className="button small" disabled={busy} onClick={() => { stopAdjusting(); setProposal(null); }}>{t('discard')}</button>
              </div>
            </div>
          )}
        </>
      )}
    </section>
  );
}
