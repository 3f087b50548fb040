import { localTime as zonedTime } from '../i18n/time.ts';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { MapMouseEvent } from 'maplibre-gl';
import type { FeatureCollection, LineString, MultiPolygon, Polygon } from 'geojson';
import { api, ApiError, fetchCells, fetchLineage, type Cell, type CellProperties } from '../api.ts';
import type { ViewProps } from '../views.ts';
import { useMap, useMapClick, useMapController } from '../map/context.tsx';
import { useI18n } from '../i18n/index.tsx';
import { CELLS_SOURCE, CELLS_SOURCE_LAYER } from '../map/style.ts';
import { EMPTY_COLLECTION, useOverlay, useSourceData, type Overlay } from '../map/overlay.ts';
import { usePlanMessages } from './messages.ts';
import { Icon } from './icons.tsx';
import { createPlanDraw, isDrawing, drawnFeatures, restoreSnapshot, snapshot, type PlanDraw, type Snapshot } from './draw.ts';
import { cellParts, draftStats, formatArea, partsToGeometry, snapTargets, vertexCount, type DraftStats } from './geometry.ts';
import { CellIndex } from '../../core/coverage/engine.ts';
import { HistoryPanel } from './HistoryPanel.tsx';
import { EditStack } from './edit-stack.ts';
import { diffPolygon, propagate, type TopoCell, type VertexChange } from './topology.ts';
import { traceRing } from './trace.ts';
import './plan.css';

type Tool = 'idle' | 'draw' | 'reshape' | 'split' | 'merge';

interface Conflict {
  /** The cells someone else changed meanwhile, as they are now. */
  current: Cell[];
  /** When their version was saved (ISO), if the server says. */
  savedAt: string | null;
}

interface MergePick {
  id: number;
  name: string;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
/** The version of the reshaped cell the planner is saving over. */
const versionOfBase = (base: Cell | null, overrides: Map<number, number>) => (base ? (overrides.get(base.id) ?? base.properties.version) : '?');
const MERGE_LAYER = 'plan-merge-line';
const FAULTS = 'plan-faults';
const TOPO = 'plan-topo';
const MERGE_OVERLAY: Overlay = {
  layers: [{
    id: MERGE_LAYER, type: 'line', source: CELLS_SOURCE, 'source-layer': CELLS_SOURCE_LAYER, filter: ['in', ['id'], ['literal', []]],
    paint: { 'line-color': '#7c3aed', 'line-width': 3.5, 'line-dasharray': [2, 1] },
  }],
};
const FAULTS_OVERLAY: Overlay = {
  sources: { [FAULTS]: { type: 'geojson', data: EMPTY_COLLECTION } },
  layers: [
    { id: `${FAULTS}-fill`, type: 'fill', source: FAULTS, paint: { 'fill-color': '#dc2626', 'fill-opacity': ['match', ['get', 'kind'], 'outside', 0.55, 0.35] } },
    { id: `${FAULTS}-line`, type: 'line', source: FAULTS, paint: { 'line-color': '#b91c1c', 'line-width': 1.5 } },
  ],
};
const TOPO_OVERLAY: Overlay = {
  sources: { [TOPO]: { type: 'geojson', data: EMPTY_COLLECTION } },
  layers: [
    { id: `${TOPO}-fill`, type: 'fill', source: TOPO, paint: { 'fill-color': '#f59e0b', 'fill-opacity': 0.12 } },
    { id: `${TOPO}-line`, type: 'line', source: TOPO, paint: { 'line-color': '#b45309', 'line-width': 2, 'line-dasharray': [3, 2] } },
  ],
};

/** One undo step of reshaping: the drawn shapes, and the neighbouring cells the edits changed with them. */
interface EditState {
  shapes: Snapshot;
  cells: ReadonlyMap<number, TopoCell>;
}
const NO_CELLS: ReadonlyMap<number, TopoCell> = new Map();
const asTopo = (c: Cell): TopoCell => ({ id: c.id, version: c.properties.version, name: c.properties.name, geometry: c.geometry });

/** The planner's tools on the map: draw a new cell, reshape, split, merge, delete, and the history of a cell. */
export function DrawTools({ config, selectedId, onSelect }: ViewProps) {
  const t = usePlanMessages();
  const { lang, levelName } = useI18n();
  const map = useMap();
  const { refreshCells: reloadTiles } = useMapController();
  // After an edit the map reloads its cell tiles. Workaround: that reload races the selection filter
  // change in the same render (MapView), and MapLibre may then keep the old tile; reloading once more
  // when the map has settled makes the edit show.
  const refreshCells = useCallback(() => {
    reloadTiles();
    map?.once('idle', () => reloadTiles());
  }, [map, reloadTiles]);
  const maxLevel = Math.max(...config.levels.map((l) => l.level));

  const [tool, setTool] = useState<Tool>('idle');
  const [lineage, setLineage] = useState<Cell[]>([]);
  const [reload, setReload] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [deleting, setDeleting] = useState(false);

  // The drawing session (terra-draw), re-rendered on each of its changes.
  const session = useRef<PlanDraw | null>(null);
  const [rev, setRev] = useState(0);
  const [neighbours, setNeighbours] = useState<Cell[]>([]);
  // What the session works on.
  const [base, setBase] = useState<Cell | null>(null); // reshape / split: the cell being edited
  const [parentId, setParentId] = useState<number | null>(null); // draw: the chosen parent
  const [name, setName] = useState('');
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [merge, setMerge] = useState<MergePick[]>([]);
  const [mergeName, setMergeName] = useState('');
  // Snapping, topological editing (shared borders move together) and tracing along neighbours.
  const snapRef = useRef(true);
  const [snapOn, setSnapOn] = useState(true);
  const [topological, setTopological] = useState(true);
  const [trace, setTrace] = useState(false);
  // The neighbouring cells changed with the reshaped cell (topological editing), by id.
  const [edited, setEdited] = useState<ReadonlyMap<number, TopoCell>>(NO_CELLS);
  // Versions the planner chose to overwrite after a conflict ("reapply mine").
  const overrides = useRef(new Map<number, number>());

  const selected = lineage[lineage.length - 1] ?? null;

  useEffect(() => {
    if (selectedId === null) {
      setLineage([]);
      return;
    }
    const controller = new AbortController();
    fetchLineage(selectedId, controller.signal)
      .then(setLineage)
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(message(e));
      });
    return () => controller.abort();
  }, [selectedId, reload]);

  // --- the drawing session -------------------------------------------------------------------

  const finishRef = useRef<(mode: string, action: string, id: string | number) => void>(() => {});

  const endSession = useCallback(() => {
    session.current?.stop();
    session.current = null;
    setTool('idle');
    setBase(null);
    setConflict(null);
    setMerge([]);
    setNeighbours([]);
    setEdited(NO_CELLS);
    overrides.current.clear();
    setRev((r) => r + 1);
  }, []);

  useEffect(() => () => session.current?.stop(), []);

  const startSession = useCallback((next: Tool) => {
    session.current?.stop();
    session.current = null;
    setError(null);
    setNotice(null);
    setConflict(null);
    setTool(next);
    if (!map || next === 'merge' || next === 'idle') return null;
    const s = createPlanDraw(map, { movable: next === 'draw' });
    s.setSnapping(snapRef.current);
    let frame = 0;
    s.draw.on('change', () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setRev((r) => r + 1);
      });
    });
    s.draw.on('history', () => setRev((r) => r + 1));
    s.draw.on('finish', (id, context) => finishRef.current(context.mode, context.action, id));
    session.current = s;
    return s;
  }, [map]);

  // Edits of finished shapes (select mode) are undone from our snapshots; points being drawn by terra-draw.
  const edits = useRef(new EditStack<EditState>({ shapes: new Map(), cells: NO_CELLS }));
  const editing = () => session.current?.draw.getMode() === 'select';
  const resetEdits = () => {
    const s = session.current;
    edits.current.reset({ shapes: s ? snapshot(s.draw) : new Map(), cells: NO_CELLS });
    setEdited(NO_CELLS);
    overrides.current.clear();
  };
  const showEditState = (s: PlanDraw, state: EditState) => {
    restoreSnapshot(s.draw, state.shapes);
    setEdited(state.cells);
  };
  const undo = useCallback(() => {
    const s = session.current;
    if (!s) return;
    if (s.draw.getMode() === 'select') {
      const previous = edits.current.undo();
      if (previous) showEditState(s, previous);
    } else s.draw.undo();
    setRev((r) => r + 1);
  }, []);
  const redo = useCallback(() => {
    const s = session.current;
    if (!s) return;
    if (s.draw.getMode() === 'select') {
      const next = edits.current.redo();
      if (next) showEditState(s, next);
    } else s.draw.redo();
    setRev((r) => r + 1);
  }, []);

  // Esc cancels, Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y) undo and redo; taken before the map's own Esc (clear the selection).
  useEffect(() => {
    if (tool === 'idle') return;
    const onKey = (e: KeyboardEvent) => {
      if (document.querySelector('dialog[open]')) return;
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT')) {
        // In a field, Esc only leaves the field (a second Esc cancels); it must not clear the selection either.
        if (e.key === 'Escape') {
          target.blur();
          e.stopPropagation();
        }
        return;
      }
      const mod = e.ctrlKey || e.metaKey;
      if (e.key === 'Escape') endSession();
      else if (mod && (e.key === 'z' || e.key === 'Z')) (e.shiftKey ? redo : undo)();
      else if (mod && (e.key === 'y' || e.key === 'Y')) redo();
      else return;
      e.preventDefault();
      e.stopPropagation();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [tool, endSession, undo, redo]);

  // While drawing, map clicks belong to the drawing; in merge mode they pick cells.
  const pickForMerge = useCallback((e: MapMouseEvent) => {
    if (!map || !selected) return;
    const level = merge.length ? null : selected.properties.level;
    const fills = config.levels.map((l) => `cells-fill-${l.level}`).filter((id) => map.getLayer(id));
    const hits = map.queryRenderedFeatures(e.point, { layers: fills });
    const wanted = level ?? selected.properties.level;
    const hit = hits.find((f) => typeof f.id === 'number' && Number(f.properties.level) === wanted);
    if (!hit) {
      const other = hits.find((f) => typeof f.id === 'number');
      if (other) setError(t('mergeOtherLevel', { name: String(other.properties.name) }));
      return;
    }
    setError(null);
    const id = hit.id as number;
    setMerge((list) => (list.some((m) => m.id === id) ? list.filter((m) => m.id !== id) : [...list, { id, name: String(hit.properties.name) }]));
  }, [map, selected, merge.length, config.levels, t]);
  const swallow = useCallback(() => {}, []);
  useMapClick(tool === 'merge' ? pickForMerge : tool === 'idle' ? null : swallow);

  // The neighbouring cells in view: what drawing snaps to, and the siblings for the live overlap figure.
  useEffect(() => {
    if (!map || (tool !== 'draw' && tool !== 'reshape' && tool !== 'split')) return;
    let controller = new AbortController();
    const load = () => {
      controller.abort();
      controller = new AbortController();
      const b = map.getBounds();
      fetchCells({ bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()] }, controller.signal)
        .then((cells) => {
          const others = tool === 'reshape' && base ? cells.filter((c) => c.id !== base.id) : cells;
          setNeighbours(others);
        })
        .catch(() => {
          // Snapping is a help: without neighbours, drawing still works.
        });
    };
    load();
    map.on('moveend', load);
    return () => {
      controller.abort();
      map.off('moveend', load);
    };
  }, [map, tool, base]);

  // The neighbours as the edit has them now: what drawing snaps to, what tracing follows.
  const current = useMemo(() => neighbours.map((c) => edited.get(c.id)?.geometry ?? c.geometry), [neighbours, edited]);
  useEffect(() => {
    session.current?.setSnapTargets(snapTargets(current));
  }, [current, rev]);

  /**
   * Topological editing: the vertex changes between the last shapes and these, made in every
   * neighbouring cell that has the vertex or edge (the parent and children included).
   */
  const spread = (before: EditState, shapes: Snapshot): ReadonlyMap<number, TopoCell> => {
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

  const toggleSnap = (on: boolean) => {
    snapRef.current = on;
    setSnapOn(on);
    session.current?.setSnapping(on);
  };

  // --- new cell ------------------------------------------------------------------------------

  const parentOptions = lineage.filter((c) => c.properties.level < maxLevel);
  const parent = lineage.find((c) => c.id === parentId) ?? null;

  const startDraw = () => {
    const defaultParent = parentOptions[parentOptions.length - 1] ?? null;
    setParentId(defaultParent?.id ?? null);
    setName('');
    const s = startSession('draw');
    s?.draw.setMode('polygon');
  };

  // --- reshape -------------------------------------------------------------------------------

  const loadShape = (s: PlanDraw, cell: Cell) => {
    s.draw.clear();
    const features = cellParts(cell.geometry).map((geometry) => ({ type: 'Feature' as const, id: s.draw.getFeatureId(), geometry, properties: { mode: 'polygon' } }));
    s.draw.setMode('select');
    const results = s.draw.addFeatures(features);
    const bad = results.find((r) => !r.valid);
    if (bad) setError(bad.reason ?? 'invalid');
    const first = results.find((r) => r.valid);
    if (first) s.draw.selectFeature(first.id!);
    s.draw.clearUndoRedoHistory();
    resetEdits();
    setRev((r) => r + 1);
  };

  const startReshape = async () => {
    if (!selected) return;
    setBusy(true);
    try {
      const cell = await api<Cell>(`/api/cells/${selected.id}`);
      const s = startSession('reshape');
      setBase(cell);
      if (s) loadShape(s, cell);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  // --- split ---------------------------------------------------------------------------------

  const startSplit = () => {
    if (!selected) return;
    const s = startSession('split');
    setBase(selected);
    s?.draw.setMode('linestring');
  };

  const doSplit = async (line: LineString) => {
    if (!base) return;
    setBusy(true);
    setError(null);
    try {
      const parts = await api<FeatureCollection<MultiPolygon>>(`/api/cells/${base.id}/split`, { method: 'POST', body: line });
      refreshCells();
      endSession();
      setNotice(t('splitDone', { n: parts.features.length }));
      onSelect(base.id);
      setReload((r) => r + 1);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  const splitAgain = () => {
    const s = session.current;
    if (!s) return;
    s.draw.clear();
    s.draw.setMode('linestring');
    setError(null);
    setRev((r) => r + 1);
  };

  finishRef.current = (mode, action, id) => {
    const s = session.current;
    if (!s) return;
    if (mode === 'select') {
      // A vertex dragged, inserted or deleted: one step to undo, with the neighbours it moved.
      const before = edits.current.current;
      const shapes = snapshot(s.draw);
      const cells = tool === 'reshape' && topological ? spread(before, shapes) : before.cells;
      edits.current.push({ shapes, cells });
      setEdited(cells);
    } else if (action !== 'draw') return;
    else if (mode === 'polygon') {
      const f = s.draw.getSnapshotFeature(id);
      if (trace && f?.geometry.type === 'Polygon') {
        const [outer, ...holes] = f.geometry.coordinates as Polygon['coordinates'];
        const traced = traceRing(outer!, snapTargets(current).map((t) => t.coords));
        if (traced.length > outer!.length) s.draw.updateFeatureGeometry(id, { type: 'Polygon', coordinates: [traced, ...holes] });
      }
      // The finished polygon stays editable: drag, insert or delete its vertices before saving.
      s.draw.setMode('select');
      s.draw.selectFeature(id);
      resetEdits();
    } else if (mode === 'linestring') {
      const f = s.draw.getSnapshotFeature(id);
      if (f?.geometry.type === 'LineString') void doSplit(f.geometry);
    }
    setRev((r) => r + 1);
  };

  // --- the drawing's figures -----------------------------------------------------------------

  const draw = session.current?.draw ?? null;
  const features = useMemo(() => (draw ? drawnFeatures(draw) : []), [draw, rev]); // eslint-disable-line react-hooks/exhaustive-deps
  const polygons = features.filter((f) => f.geometry.type === 'Polygon');
  const finished = polygons.filter((f) => !isDrawing(f)).map((f) => f.geometry as Polygon);
  const inProgress = polygons.find(isDrawing);
  const canUndo = draw ? (editing() ? edits.current.canUndo : draw.canUndo()) : false;
  const canRedo = draw ? (editing() ? edits.current.canRedo : draw.canRedo()) : false;

  const statsParent = tool === 'draw' ? parent : tool === 'reshape' ? (lineage[lineage.length - 2] ?? null) : null;
  const statsLevel = tool === 'draw' ? (parent ? parent.properties.level + 1 : null) : base?.properties.level ?? null;
  // The siblings of the drawn cell in a flatbush index, built once per neighbour load (live feedback runs on every change).
  const siblings = useMemo(() => new CellIndex(neighbours
    .filter((c) => c.properties.level === statsLevel && c.properties.parentId === (statsParent?.id ?? null) && c.id !== base?.id)
    .map((c) => ({ id: c.id, geometry: edited.get(c.id)?.geometry ?? c.geometry }))), [neighbours, edited, statsLevel, statsParent, base]);
  const stats: DraftStats | null = useMemo(() => {
    if ((tool !== 'draw' && tool !== 'reshape') || finished.length === 0) return null;
    try {
      const draft = partsToGeometry(finished);
      return draftStats(draft, statsParent ? (edited.get(statsParent.id)?.geometry ?? statsParent.geometry) : null, siblings);
    } catch {
      return null;
    }
  }, [tool, rev, siblings, edited, statsParent]); // eslint-disable-line react-hooks/exhaustive-deps

  // The parts outside the parent and on siblings, red on the map while drawing; the neighbouring
  // cells changed with the edit, dashed, so the planner sees every cell that will be saved.
  useOverlay(map, tool === 'draw' || tool === 'reshape' ? FAULTS_OVERLAY : null);
  useSourceData(map, FAULTS, useMemo(() => ({ type: 'FeatureCollection', features: stats?.faults ?? [] }), [stats]), tool === 'draw' || tool === 'reshape');
  useOverlay(map, tool === 'reshape' ? TOPO_OVERLAY : null);
  useSourceData(map, TOPO, useMemo(() => ({
    type: 'FeatureCollection',
    features: [...edited.values()].map((c) => ({ type: 'Feature', id: c.id, geometry: c.geometry, properties: { name: c.name } })),
  }), [edited]), tool === 'reshape');

  // --- saving --------------------------------------------------------------------------------

  const saveNew = async () => {
    if (!parent) return setError(t('noParentLevel'));
    if (finished.length === 0) return setError(t('drawFirst'));
    if (!name.trim()) return setError(t('nameRequired'));
    setBusy(true);
    setError(null);
    try {
      const cell = await api<Cell>('/api/cells', {
        method: 'POST',
        body: { type: 'Feature', geometry: partsToGeometry(finished), properties: { name: name.trim(), level: parent.properties.level + 1, parentId: parent.id } },
      });
      refreshCells();
      endSession();
      setNotice(t('created', { name: cell.properties.name, code: cell.properties.code }));
      onSelect(cell.id);
    } catch (e) {
      // The drawing stays: the planner fixes what the server names and saves again.
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  const saveShape = async () => {
    if (!base) return;
    if (finished.length === 0) return setError(t('drawFirst'));
    setBusy(true);
    setError(null);
    setConflict(null);
    const versionOf = (id: number, mine: number) => overrides.current.get(id) ?? mine;
    const geometry = partsToGeometry(finished);
    const others = [...edited.values()];
    try {
      let cell: Cell;
      if (others.length === 0) {
        cell = await api<Cell>(`/api/cells/${base.id}`, {
          method: 'PATCH',
          headers: { 'if-match': `"${versionOf(base.id, base.properties.version)}"` },
          body: { type: 'Feature', geometry },
        });
        setNotice(t('reshaped', { name: cell.properties.name, version: cell.properties.version }));
      } else {
        // Topological edit: the cell and every neighbour that shares the moved border, in one transaction.
        const cells = [{ id: base.id, version: versionOf(base.id, base.properties.version), geometry }, ...others.map((c) => ({ id: c.id, version: versionOf(c.id, c.version), geometry: c.geometry }))];
        const saved = await api<FeatureCollection<MultiPolygon, CellProperties>>('/api/cells/reshape', { method: 'POST', body: { cells } });
        cell = saved.features.find((f) => f.id === base.id) as Cell;
        setNotice(t('reshapedWith', { name: cell.properties.name, n: others.length, names: others.map((c) => c.name).join('、') }));
      }
      refreshCells();
      endSession();
      onSelect(cell.id);
      setReload((r) => r + 1);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && e.problem.current) {
        // One cell (PATCH) or the stale ones of a batch; the drawing stays as it is.
        const current = ([] as Cell[]).concat(e.problem.current as Cell | Cell[]);
        const savedAt = (current[0]?.properties as { updatedAt?: string } | undefined)?.updatedAt ?? null;
        setConflict({ current, savedAt });
      } else setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  const loadTheirs = async () => {
    if (!conflict || !session.current || !base) return;
    const s = session.current;
    try {
      const cell = await api<Cell>(`/api/cells/${base.id}`);
      setBase(cell); // reloads the neighbours too
      loadShape(s, cell);
      setConflict(null);
    } catch (e) {
      setError(message(e));
    }
  };

  const reapplyMine = () => {
    if (!conflict) return;
    for (const c of conflict.current) overrides.current.set(c.id, c.properties.version);
    void saveShape();
  };

  // --- merge ---------------------------------------------------------------------------------

  const startMerge = () => {
    if (!selected) return;
    startSession('merge');
    setMerge([{ id: selected.id, name: selected.properties.name }]);
    setMergeName('');
  };

  const doMerge = async () => {
    if (merge.length < 2) return setError(t('mergeNeedTwo'));
    setBusy(true);
    setError(null);
    try {
      const body: { ids: number[]; name?: string } = { ids: merge.map((m) => m.id) };
      if (mergeName.trim()) body.name = mergeName.trim();
      const cell = await api<Cell>('/api/cells/merge', { method: 'POST', body });
      refreshCells();
      endSession();
      setNotice(t('merged', { name: cell.properties.name }));
      onSelect(cell.id);
      setReload((r) => r + 1);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  useOverlay(map, tool === 'merge' ? MERGE_OVERLAY : null);
  useEffect(() => {
    if (map?.getLayer(MERGE_LAYER)) map.setFilter(MERGE_LAYER, ['in', ['id'], ['literal', merge.map((m) => m.id)]]);
  }, [map, merge, tool]);

  // --- delete --------------------------------------------------------------------------------

  const dialog = useRef<HTMLDialogElement>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (deleting && !d.open) d.showModal();
    if (!deleting && d.open) d.close();
  }, [deleting]);

  const doDelete = async () => {
    if (!selected) return;
    setBusy(true);
    setDeleteError(null);
    try {
      await api(`/api/cells/${selected.id}`, { method: 'DELETE' });
      refreshCells();
      setDeleting(false);
      setNotice(t('deleted', { name: selected.properties.name }));
      onSelect(selected.properties.parentId);
    } catch (e) {
      setDeleteError(message(e));
    } finally {
      setBusy(false);
    }
  };

  // --- view ----------------------------------------------------------------------------------

  const active = tool !== 'idle';
  const toolButton = (which: Tool, icon: 'draw' | 'reshape' | 'split' | 'merge', label: string, start: () => void, disabled: boolean) => (
    <button type="button" className="button small plan-tool" aria-pressed={tool === which} disabled={disabled || busy || (active && tool !== which)} onClick={() => (tool === which ? endSession() : start())} data-testid={`plan-${which}`}>
      <Icon name={icon} />
      <span>{label}</span>
    </button>
  );

  return (
    <section className="panel-section plan-tools" aria-labelledby="plan-title" data-testid="plan-tools" data-tool={tool} data-neighbours={neighbours.length}>
      <h3 id="plan-title">{t('title')}</h3>
      {selected ? (
        <p className="plan-selected">{t('selected', { name: selected.properties.name, code: selected.properties.code })} · {levelName(config.levels, selected.properties.level)}</p>
      ) : (
        <p className="plan-hint">{t('hintSelect')}</p>
      )}
      <div className="plan-toolbar" role="toolbar" aria-label={t('title')}>
        {toolButton('draw', 'draw', t('toolDraw'), startDraw, !map || parentOptions.length === 0)}
        {toolButton('reshape', 'reshape', t('toolReshape'), () => void startReshape(), !map || !selected)}
        {toolButton('split', 'split', t('toolSplit'), startSplit, !map || !selected)}
        {toolButton('merge', 'merge', t('toolMerge'), startMerge, !map || !selected)}
        <button type="button" className="button small plan-tool danger" disabled={!selected || busy || active} onClick={() => { setDeleteError(null); setDeleting(true); }} data-testid="plan-delete">
          <Icon name="delete" />
          <span>{t('toolDelete')}</span>
        </button>
        <button type="button" className="button small plan-tool" aria-pressed={historyOpen} disabled={!selected} onClick={() => setHistoryOpen((o) => !o)} data-testid="plan-history">
          <Icon name="history" />
          <span>{t('toolHistory')}</span>
        </button>
      </div>

      {notice && !active && <p className="form-ok" role="status">{notice}</p>}

      {(tool === 'draw' || tool === 'reshape' || tool === 'split') && (
        <div className="plan-session">
          <p className="plan-hint">{tool === 'draw' && !inProgress && finished.length === 0 ? t('drawHint') : tool === 'split' ? t('splitHint') : tool === 'draw' && inProgress ? t('drawHint') : tool === 'draw' ? t('drawnHint') : t('editHint')}</p>
          <div className="plan-undo">
            <button type="button" className="button small" onClick={undo} disabled={!canUndo} data-testid="plan-undo" title="Ctrl+Z">
              <Icon name="undo" />
              <span>{t('undo')}</span>
            </button>
            <button type="button" className="button small" onClick={redo} disabled={!canRedo} data-testid="plan-redo" title="Ctrl+Shift+Z">
              <Icon name="redo" />
              <span>{t('redo')}</span>
            </button>
            <span className="plan-count" data-testid="plan-vertices">
              {inProgress ? t('vertices', { n: Math.max(0, vertexCount(inProgress.geometry as Polygon) - 1) }) : finished.length ? t('vertices', { n: finished.reduce((n, p) => n + vertexCount(p), 0) }) : ''}
            </span>
          </div>
          <div className="plan-options">
            <label title={t('snap')}>
              <input type="checkbox" checked={snapOn} onChange={(e) => toggleSnap(e.target.checked)} data-testid="plan-snap" />
              {t('snap')}
            </label>
            {tool === 'reshape' && (
              <label title={t('topologyHelp')}>
                <input type="checkbox" checked={topological} onChange={(e) => setTopological(e.target.checked)} data-testid="plan-topology" />
                {t('topology')}
              </label>
            )}
            {tool === 'draw' && (
              <label title={t('traceHelp')}>
                <input type="checkbox" checked={trace} onChange={(e) => setTrace(e.target.checked)} data-testid="plan-trace" />
                {t('trace')}
              </label>
            )}
          </div>
          {tool === 'draw' && trace && <p className="plan-hint">{t('traceHelp')}</p>}
          {tool === 'reshape' && edited.size > 0 && (
            <p className="plan-topo-list" data-testid="plan-topo-list" data-ids={[...edited.keys()].join(',')}>
              {t('topologyNeighbours', { n: edited.size, names: [...edited.values()].map((c) => c.name).join('、') })}
            </p>
          )}
          {stats && (
            <ul className="plan-stats" data-testid="plan-stats">
              <li>{t('area', { area: formatArea(stats.area, lang) })}</li>
              {stats.outside > 0 && <li className="bad">{t('outside', { area: formatArea(stats.outside, lang) })}</li>}
              {stats.overlap > 0 && <li className="warn">{t('overlap', { area: formatArea(stats.overlap, lang) })}</li>}
            </ul>
          )}
        </div>
      )}

      {tool === 'draw' && (
        <form className="form plan-form" onSubmit={(e) => { e.preventDefault(); void saveNew(); }}>
          {selected && selected.properties.level >= maxLevel && <p className="plan-hint">{t('finestLevel')}</p>}
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
            <button type="button" className="button" onClick={endSession}>{t('cancel')}</button>
            <button type="submit" className="button primary" disabled={busy} data-testid="plan-save">
              <Icon name="save" />
              <span>{busy ? t('saving') : t('save')}</span>
            </button>
          </div>
        </form>
      )}

      {tool === 'reshape' && (
        <div className="form plan-form">
          {conflict && (
            <div className="plan-conflict" role="alert" data-testid="plan-conflict">
              <strong>{t('conflictTitle')}</strong>
              <p>{conflict.current.length === 1 && conflict.current[0]!.id === base?.id
                ? t('conflictBody', { mine: versionOfBase(base, overrides.current), theirs: conflict.current[0]!.properties.version, when: conflict.savedAt ? zonedTime(conflict.savedAt, 'datetime', lang) : '?' })
                : t('conflictMany', { list: conflict.current.map((c) => `${c.properties.name} (v${c.properties.version})`).join('、') })}</p>
              <div className="form-actions">
                <button type="button" className="button small" onClick={() => void loadTheirs()} data-testid="plan-load-theirs">{t('loadTheirs')}</button>
                <button type="button" className="button small primary" onClick={reapplyMine} data-testid="plan-reapply">{t('reapplyMine')}</button>
              </div>
            </div>
          )}
          {error && <p className="form-error" role="alert">{error}</p>}
          <div className="form-actions">
            <button type="button" className="button" onClick={endSession}>{t('cancel')}</button>
            <button type="button" className="button primary" disabled={busy} onClick={() => void saveShape()} data-testid="plan-save">
              <Icon name="save" />
              <span>{busy ? t('saving') : t('save')}</span>
            </button>
          </div>
        </div>
      )}

      {tool === 'split' && (
        <div className="form plan-form">
          {error && <p className="form-error" role="alert">{error}</p>}
          <div className="form-actions">
            <button type="button" className="button" onClick={endSession}>{t('cancel')}</button>
            {error && <button type="button" className="button" onClick={splitAgain}>{t('splitAgain')}</button>}
          </div>
        </div>
      )}

      {tool === 'merge' && (
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
            <button type="button" className="button" onClick={endSession}>{t('cancel')}</button>
            <button type="button" className="button primary" disabled={busy || merge.length < 2} onClick={() => void doMerge()} data-testid="plan-merge-go">{t('mergeGo', { n: merge.length })}</button>
          </div>
        </div>
      )}

      {tool === 'idle' && error && <p className="form-error" role="alert">{error}</p>}

      {historyOpen && selected && (
        <HistoryPanel
          cell={selected}
          reload={reload}
          onRestored={(cell, version) => {
            refreshCells();
            setNotice(t('restored', { version, now: cell.properties.version }));
            onSelect(cell.id);
            setReload((r) => r + 1);
          }}
        />
      )}

      <dialog ref={dialog} className="dialog" aria-labelledby="plan-delete-title" onClose={() => setDeleting(false)} data-testid="plan-delete-dialog">
        {selected && (
          <div className="form">
            <h2 id="plan-delete-title">{t('deleteTitle')}</h2>
            <p>{t('deleteBody', { name: selected.properties.name, code: selected.properties.code })}</p>
            {deleteError && <p className="form-error" role="alert">{deleteError}</p>}
            <div className="form-actions">
              <button type="button" className="button" onClick={() => setDeleting(false)}>{t('cancel')}</button>
              <button type="button" className="button danger" disabled={busy} onClick={() => void doDelete()} data-testid="plan-delete-go">{t('deleteGo')}</button>
            </div>
          </div>
        )}
      </dialog>
    </section>
  );
}
