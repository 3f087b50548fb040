import { useCallback, useRef, useState, type RefObject } from 'react';
import { restoreSnapshot, snapshot, type PlanDraw, type Snapshot } from '../draw.ts';
import { EditStack } from '../edit-stack.ts';
import type { TopoCell } from '../topology.ts';

/** One undo step of editing finished shapes: the drawn shapes, and the neighbouring cells the edits changed with them. */
export interface EditState {
  shapes: Snapshot;
  cells: ReadonlyMap<number, TopoCell>;
}

/** Reshape's topological editing: the neighbours an edit from `before` to `shapes` moves with it. */
export type Spread = (before: EditState, shapes: Snapshot) => ReadonlyMap<number, TopoCell>;

export const NO_CELLS: ReadonlyMap<number, TopoCell> = new Map();

/**
 * Undo and redo. While a shape is being drawn, terra-draw's own history takes back points; once it is
 * finished (select mode), our snapshots undo whole edits, neighbours moved with them included
 * (terra-draw knows nothing of the neighbours).
 */
export function useEdits(plan: RefObject<PlanDraw | null>, changed: () => void) {
  const stack = useRef(new EditStack<EditState>({ shapes: new Map(), cells: NO_CELLS }));
  // The neighbouring cells changed with the edited cell (topological editing), by id.
  const [edited, setEdited] = useState<ReadonlyMap<number, TopoCell>>(NO_CELLS);
  const editing = () => plan.current?.draw.getMode() === 'select';

  /** Starts the history again from the shapes as they are (a shape finished, or a cell loaded). */
  const reset = () => {
    const s = plan.current;
    stack.current.reset({ shapes: s ? snapshot(s.draw) : new Map(), cells: NO_CELLS });
    setEdited(NO_CELLS);
  };

  /** A vertex dragged, inserted or deleted: one step to undo, with the neighbours it moved. */
  const record = (spread: Spread | undefined) => {
    const s = plan.current;
    if (!s) return;
    const before = stack.current.current;
    const shapes = snapshot(s.draw);
    const cells = spread ? spread(before, shapes) : before.cells;
    stack.current.push({ shapes, cells });
    setEdited(cells);
  };

  const show = useCallback((s: PlanDraw, state: EditState) => {
    restoreSnapshot(s.draw, state.shapes);
    setEdited(state.cells);
  }, []);
  const step = useCallback((back: boolean) => {
    const s = plan.current;
    if (!s) return;
    if (s.draw.getMode() === 'select') {
      const state = back ? stack.current.undo() : stack.current.redo();
      if (state) show(s, state);
    } else if (back) s.draw.undo();
    else s.draw.redo();
    changed();
  }, [plan, show, changed]);
  const undo = useCallback(() => step(true), [step]);
  const redo = useCallback(() => step(false), [step]);

  const draw = plan.current?.draw ?? null;
  return {
    edited,
    /** Forgets the neighbours changed (the session ended). */
    clear: useCallback(() => setEdited(NO_CELLS), []),
    reset,
    record,
    undo,
    redo,
    canUndo: draw ? (editing() ? stack.current.canUndo : draw.canUndo()) : false,
    canRedo: draw ? (editing() ? stack.current.canRedo : draw.canRedo()) : false,
  };
}
