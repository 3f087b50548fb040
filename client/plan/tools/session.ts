import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Polygon } from 'geojson';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Bounds, Cell } from '../../api.ts';
import { cellsQuery, useLineage } from '../../data/cells.ts';
import { keys } from '../../data/keys.ts';
import type { ViewProps } from '../../views.ts';
import { useMap, useMapClick, useMapController } from '../../map/context.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { createPlanDraw, drawnFeatures, isDrawing, type PlanDraw } from '../draw.ts';
import { snapTargets } from '../geometry.ts';
import { useEdits, type Spread } from './edits.ts';
import { drawsShapes, shortcutOf, type Tool } from './rules.ts';

const NO_CELLS: Cell[] = [];

export const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * What the running tool tells the session, as terra-draw modes react to their own events: set on
 * each render of the tool, so the handlers see its current state.
 */
export interface ToolHandlers {
  /** A shape was finished in terra-draw's polygon or linestring mode. */
  onDrawn?: (mode: string, id: string | number) => void;
  /** Reshape with topological editing: the neighbours an edit of the finished shape moves. */
  spread?: Spread;
}

/** The planner's drawing preferences, kept from one tool session to the next. */
interface Prefs {
  snap: boolean;
  topological: boolean;
  trace: boolean;
}

/**
 * The session every tool runs in: which tool runs, the terra-draw drawing, the cell being edited
 * and its neighbours, busy / error / notice, undo and redo, and the keys. The tools (draw.tsx,
 * reshape.tsx, split.tsx, merge.tsx) hold only what is their own.
 */
export function usePlanSession({ config, selectedId, onSelect }: ViewProps) {
  const { lang } = useI18n();
  const map = useMap();
  const { refreshCells: reloadTiles } = useMapController();
  // After an edit the map reloads its cell tiles. Workaround: that reload races the selection filter
  // change in the same render (MapView), and MapLibre may then keep the old tile; reloading once more
  // when the map has settled makes the edit show.
  const refreshCells = useCallback(() => {
    reloadTiles();
    map?.once('idle', () => reloadTiles());
  }, [map, reloadTiles]);

  const [tool, setTool] = useState<Tool>('idle');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  /** A refused edit in the planner's words: the problem's code, translated (ApiError.message). */
  const errorText = message;

  // The selected cell with its ancestors (the shared lineage query); `reload` is bumped after an edit,
  // which reads what is shown about the edited cell again (reloadCell).
  const queryClient = useQueryClient();
  const lineageQuery = useLineage(selectedId);
  const lineage = useMemo(() => (selectedId === null ? [] : lineageQuery.data ?? []), [selectedId, lineageQuery.data]);
  const lineageError = lineageQuery.error ? message(lineageQuery.error) : null;
  const [reload, setReload] = useState(0);
  const selected = lineage[lineage.length - 1] ?? null;
  /** After an edit of (or a restore to) `cellId`: its lineage, history and card are read again. */
  const reloadCell = useCallback((cellId: number | null) => {
    setReload((r) => r + 1);
    if (cellId !== null) void queryClient.invalidateQueries({ queryKey: keys.cells.one(cellId) });
  }, [queryClient]);

  // The drawing session (terra-draw), re-rendered on each of its changes.
  const plan = useRef<PlanDraw | null>(null);
  const [rev, setRev] = useState(0);
  const changed = useCallback(() => setRev((r) => r + 1), []);
  const [base, setBase] = useState<Cell | null>(null); // reshape / split: the cell being edited
  const edits = useEdits(plan, changed);
  const { clear: clearEdits, undo, redo } = edits;
  const handlers = useRef<ToolHandlers>({});

  const [prefs, setPrefs] = useState<Prefs>({ snap: true, topological: true, trace: false });
  const snapRef = useRef(prefs.snap); // read when a session starts, outside any render
  const setPref = (key: keyof Prefs, on: boolean) => {
    setPrefs((p) => ({ ...p, [key]: on }));
    if (key === 'snap') {
      snapRef.current = on;
      plan.current?.setSnapping(on);
    }
  };

  const endSession = useCallback(() => {
    plan.current?.stop();
    plan.current = null;
    setTool('idle');
    setBase(null);
    clearEdits();
    setRev((r) => r + 1);
  }, [clearEdits]);

  useEffect(() => () => plan.current?.stop(), []);

  // Dispatches terra-draw's finished shapes: edits of finished shapes are undo steps for every tool;
  // a shape drawn is the running tool's business.
  const finish = useRef<(mode: string, action: string, id: string | number) => void>(() => {});
  finish.current = (mode, action, id) => {
    if (!plan.current) return;
    if (mode === 'select') edits.record(handlers.current.spread);
    else if (action === 'draw') handlers.current.onDrawn?.(mode, id);
    setRev((r) => r + 1);
  };

  /** Starts `next`, ending what ran; the tools that draw get a fresh terra-draw (returned). */
  const start = useCallback((next: Tool, { movable = false } = {}) => {
    plan.current?.stop();
    plan.current = null;
    handlers.current = {};
    setError(null);
    setNotice(null);
    setTool(next);
    if (!map || !drawsShapes(next)) return null;
    const s = createPlanDraw(map, { movable });
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
    s.draw.on('finish', (id, context) => finish.current(context.mode, context.action, id));
    plan.current = s;
    return s;
  }, [map]);

  /** After a saved edit: the map shows it, the tool ends, the planner reads what happened on the cell. */
  const saved = (text: string, cellId: number | null, { reloadLineage = true } = {}) => {
    refreshCells();
    endSession();
    setNotice(text);
    onSelect(cellId);
    if (reloadLineage) reloadCell(cellId);
  };

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
      const key = shortcutOf(e);
      if (!key) return;
      ({ cancel: endSession, undo, redo })[key]();
      e.preventDefault();
      e.stopPropagation();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [tool, endSession, undo, redo]);

  // While drawing, map clicks belong to the drawing (merge takes them itself to pick cells).
  const swallow = useCallback(() => {}, []);
  useMapClick(drawsShapes(tool) ? swallow : null);

  // The neighbouring cells in view: what drawing snaps to, and the siblings for the live overlap figure.
  // The box in view is kept while a tool draws; the cells meeting it are a query.
  const [view, setView] = useState<Bounds | null>(null);
  useEffect(() => {
    if (!map || !drawsShapes(tool)) {
      setView(null);
      return;
    }
    const load = () => {
      const b = map.getBounds();
      setView([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]);
    };
    load();
    map.on('moveend', load);
    return () => {
      map.off('moveend', load);
    };
  }, [map, tool]);
  // Snapping is a help: without neighbours (the query failed), drawing still works.
  const inView = useQuery({ ...cellsQuery({ bbox: view ?? [0, 0, 0, 0] }), enabled: view !== null, placeholderData: keepPreviousData });
  const neighbours = useMemo(() => {
    if (view === null || !inView.data) return NO_CELLS;
    return tool === 'reshape' && base ? inView.data.filter((c) => c.id !== base.id) : inView.data;
  }, [view, inView.data, tool, base]);

  // The neighbours as the edit has them now: what drawing snaps to, what tracing follows.
  const current = useMemo(() => neighbours.map((c) => edits.edited.get(c.id)?.geometry ?? c.geometry), [neighbours, edits.edited]);
  useEffect(() => {
    plan.current?.setSnapTargets(snapTargets(current));
  }, [current, rev]);

  // The drawing's figures: the finished polygons and the one being drawn.
  const draw = plan.current?.draw ?? null;
  const features = useMemo(() => (draw ? drawnFeatures(draw) : []), [draw, rev]); // eslint-disable-line react-hooks/exhaustive-deps
  const polygons = features.filter((f) => f.geometry.type === 'Polygon');
  const finished = polygons.filter((f) => !isDrawing(f)).map((f) => f.geometry as Polygon);
  const inProgress = polygons.find(isDrawing);

  return {
    config, lang, map, onSelect, tool, start, endSession, saved, refreshCells,
    busy, setBusy, error: error ?? lineageError, setError, notice, setNotice, errorText,
    lineage, selected, reload, reloadCell,
    plan, rev, changed, handlers, base, setBase, neighbours, current, edits,
    prefs, setPref, finished, inProgress,
  };
}

export type PlanSession = ReturnType<typeof usePlanSession>;
