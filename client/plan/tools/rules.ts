import type { MultiPolygon, Polygon } from 'geojson';
import type { Cell } from '../../api.ts';
import type { TopoCell } from '../topology.ts';

/**
 * The pure rules of the planner's tools, apart from React and the map so they can be tested alone:
 * which tool may start, what a key does, what a click in merge mode picks, what a reshape saves.
 */

/** At most one tool runs at a time; 'idle' is the toolbar waiting for a choice. */
export type Tool = 'idle' | 'draw' | 'reshape' | 'split' | 'merge';

/** The tools that draw with terra-draw (merge picks whole cells with clicks instead). */
export const drawsShapes = (tool: Tool) => tool === 'draw' || tool === 'reshape' || tool === 'split';

/**
 * A tool's toolbar button: pressed while it runs (a click ends it), and usable only when no other
 * tool runs and nothing is being saved, so a tool never starts over another one's drawing.
 */
export function toolButton(tool: Tool, which: Tool, { busy, unavailable }: { busy: boolean; unavailable: boolean }) {
  return { pressed: tool === which, disabled: unavailable || busy || (tool !== 'idle' && tool !== which) };
}

export type Shortcut = 'cancel' | 'undo' | 'redo';

/** Esc cancels; Ctrl+Z undoes, Ctrl+Shift+Z or Ctrl+Y redo (Cmd on a Mac). */
export function shortcutOf(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey'>): Shortcut | null {
  const mod = e.ctrlKey || e.metaKey;
  if (e.key === 'Escape') return 'cancel';
  if (mod && (e.key === 'z' || e.key === 'Z')) return e.shiftKey ? 'redo' : 'undo';
  if (mod && (e.key === 'y' || e.key === 'Y')) return 'redo';
  return null;
}

export interface MergePick {
  id: number;
  name: string;
}

/** A cell under the pointer, as the map's rendered features give it. */
export interface MapHit {
  id?: string | number;
  properties: Record<string, unknown>;
}

/**
 * What a click in merge mode picks: the cell of the selected cell's level under the pointer, or,
 * when there is only a cell of another level, its name for the message (merging mixes no levels).
 */
export function mergeHit(hits: MapHit[], level: number): { pick: MergePick } | { otherLevel: string } | null {
  const hit = hits.find((f) => typeof f.id === 'number' && Number(f.properties.level) === level);
  if (hit) return { pick: { id: hit.id as number, name: String(hit.properties.name) } };
  const other = hits.find((f) => typeof f.id === 'number');
  return other ? { otherLevel: String(other.properties.name) } : null;
}

/** A picked cell joins the merge list, or leaves it when it is already there. */
export const togglePick = (list: MergePick[], pick: MergePick) => (list.some((m) => m.id === pick.id) ? list.filter((m) => m.id !== pick.id) : [...list, pick]);

/** A reshape refused because someone else saved meanwhile. */
export interface Conflict {
  /** The cells someone else changed meanwhile, as they are now. */
  current: Cell[];
  /** When their version was saved (ISO), if the server says. */
  savedAt: string | null;
}

/** The 409's `current`: one cell (PATCH) or the stale ones of a batch. */
export function conflictOf(current: Cell | Cell[]): Conflict {
  const cells = ([] as Cell[]).concat(current);
  const savedAt = (cells[0]?.properties as { updatedAt?: string } | undefined)?.updatedAt ?? null;
  return { current: cells, savedAt };
}

/** What saving a reshape sends: the cell alone (PATCH), or with the neighbours it moved in one batch. */
export type ReshapeRequest =
  | { kind: 'patch'; id: number; version: number; geometry: Polygon | MultiPolygon }
  | { kind: 'batch'; cells: { id: number; version: number; geometry: Polygon | MultiPolygon }[] };

/**
 * The reshape to save. Each cell goes with the version the planner saves over: the one they loaded,
 * or, after a conflict they chose to overwrite ("reapply mine"), the one the server has now.
 */
export function reshapeRequest(base: Cell, geometry: Polygon | MultiPolygon, others: TopoCell[], overrides: ReadonlyMap<number, number>): ReshapeRequest {
  const versionOf = (id: number, mine: number) => overrides.get(id) ?? mine;
  const version = versionOf(base.id, base.properties.version);
  if (others.length === 0) return { kind: 'patch', id: base.id, version, geometry };
  return { kind: 'batch', cells: [{ id: base.id, version, geometry }, ...others.map((c) => ({ id: c.id, version: versionOf(c.id, c.version), geometry: c.geometry }))] };
}
