/**
 * Undo and redo of the edits made to finished shapes (vertex drags, inserts, deletes): snapshots of
 * the drawing, the present one included. (While a shape is being drawn, terra-draw's own per-mode
 * history removes the last point.)
 */
export class EditStack<T> {
  private past: T[] = [];
  private future: T[] = [];

  constructor(private present: T) {}

  /** Starts again from `present`, forgetting the history. */
  reset(present: T) {
    this.present = present;
    this.past = [];
    this.future = [];
  }

  /** Records an edit that led to `next`; what was undone can no longer be redone. */
  push(next: T) {
    this.past.push(this.present);
    this.present = next;
    this.future = [];
  }

  /** The state shown now. */
  get current(): T {
    return this.present;
  }

  get canUndo() {
    return this.past.length > 0;
  }

  get canRedo() {
    return this.future.length > 0;
  }

  /** The state to show after undoing, or undefined when there is nothing to undo. */
  undo(): T | undefined {
    const previous = this.past.pop();
    if (previous === undefined) return undefined;
    this.future.push(this.present);
    this.present = previous;
    return previous;
  }

  redo(): T | undefined {
    const next = this.future.pop();
    if (next === undefined) return undefined;
    this.past.push(this.present);
    this.present = next;
    return next;
  }
}
