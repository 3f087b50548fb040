import { describe, expect, it } from 'vitest';
import type { MultiPolygon } from 'geojson';
import type { Cell } from '../../api.ts';
import { conflictOf, drawsShapes, mergeHit, reshapeRequest, shortcutOf, togglePick, toolButton } from './rules.ts';

const square: MultiPolygon = { type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]] };
const cell = (id: number, version: number, updatedAt?: string) =>
  ({ type: 'Feature', id, geometry: square, properties: { code: `C${id}`, name: `cell ${id}`, level: 3, parentId: 1, version, updatedAt } }) as unknown as Cell;

describe('the toolbar (one tool at a time)', () => {
  it('lets any available tool start when none runs', () => {
    expect(toolButton('idle', 'draw', { busy: false, unavailable: false })).toEqual({ pressed: false, disabled: false });
    expect(toolButton('idle', 'draw', { busy: false, unavailable: true }).disabled).toBe(true);
    expect(toolButton('idle', 'merge', { busy: true, unavailable: false }).disabled).toBe(true);
  });

  it('keeps the running tool pressed (a click ends it) and the others disabled', () => {
    expect(toolButton('reshape', 'reshape', { busy: false, unavailable: false })).toEqual({ pressed: true, disabled: false });
    expect(toolButton('reshape', 'split', { busy: false, unavailable: false })).toEqual({ pressed: false, disabled: true });
    // While its save runs, the running tool cannot be ended from the toolbar either.
    expect(toolButton('reshape', 'reshape', { busy: true, unavailable: false }).disabled).toBe(true);
  });

  it('draws with terra-draw in every tool but merge', () => {
    expect((['idle', 'draw', 'reshape', 'split', 'merge'] as const).filter(drawsShapes)).toEqual(['draw', 'reshape', 'split']);
  });
});

describe('the keys of a running tool', () => {
  const key = (k: string, mods: { ctrlKey?: boolean; metaKey?: boolean; shiftKey?: boolean } = {}) =>
    shortcutOf({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, ...mods });

  it('cancels with Esc, undoes with Ctrl+Z, redoes with Ctrl+Shift+Z or Ctrl+Y (Cmd on a Mac)', () => {
    expect(key('Escape')).toBe('cancel');
    expect(key('z', { ctrlKey: true })).toBe('undo');
    expect(key('z', { metaKey: true })).toBe('undo');
    expect(key('Z', { ctrlKey: true, shiftKey: true })).toBe('redo');
    expect(key('y', { ctrlKey: true })).toBe('redo');
  });

  it('leaves other keys to the page (a plain z is typing)', () => {
    expect(key('z')).toBeNull();
    expect(key('Enter')).toBeNull();
    expect(key('s', { ctrlKey: true })).toBeNull();
  });
});

describe('picking cells to merge', () => {
  const fill = (id: number | undefined, level: number, name: string) => ({ id, properties: { level, name } });

  it('picks the cell of the selected level under the pointer, even over a coarser one', () => {
    expect(mergeHit([fill(1, 2, 'street'), fill(7, 3, 'north')], 3)).toEqual({ pick: { id: 7, name: 'north' } });
  });

  it('names a cell of another level instead of picking it, and ignores what is not a cell', () => {
    expect(mergeHit([fill(1, 2, 'street')], 3)).toEqual({ otherLevel: 'street' });
    expect(mergeHit([fill(undefined, 3, 'preview')], 3)).toBeNull();
    expect(mergeHit([], 3)).toBeNull();
  });

  it('adds a picked cell to the list, and takes it off when picked again', () => {
    const list = togglePick([{ id: 1, name: 'a' }], { id: 2, name: 'b' });
    expect(list.map((m) => m.id)).toEqual([1, 2]);
    expect(togglePick(list, { id: 1, name: 'a' }).map((m) => m.id)).toEqual([2]);
  });
});

describe('saving a reshape', () => {
  it('sends the cell alone, checked against the version loaded', () => {
    expect(reshapeRequest(cell(5, 3), square, [], new Map())).toEqual({ kind: 'patch', id: 5, version: 3, geometry: square });
  });

  it('sends the moved neighbours with it in one batch', () => {
    const request = reshapeRequest(cell(5, 3), square, [{ id: 6, version: 9, name: 'six', geometry: square }], new Map());
    expect(request).toEqual({ kind: 'batch', cells: [{ id: 5, version: 3, geometry: square }, { id: 6, version: 9, geometry: square }] });
  });

  it('after "reapply mine", saves over the versions the server has now', () => {
    const overrides = new Map([[5, 4], [6, 11]]);
    expect(reshapeRequest(cell(5, 3), square, [], overrides)).toMatchObject({ version: 4 });
    const request = reshapeRequest(cell(5, 3), square, [{ id: 6, version: 9, name: 'six', geometry: square }, { id: 8, version: 2, name: 'eight', geometry: square }], overrides);
    expect(request.kind === 'batch' && request.cells.map((c) => [c.id, c.version])).toEqual([[5, 4], [6, 11], [8, 2]]);
  });

  it('reads a conflict from one cell (PATCH) or the stale cells of a batch', () => {
    expect(conflictOf(cell(5, 4, '2026-12-01T08:00:00Z'))).toEqual({ current: [cell(5, 4, '2026-12-01T08:00:00Z')], savedAt: '2026-12-01T08:00:00Z' });
    const many = conflictOf([cell(5, 4), cell(6, 10)]);
    expect(many.current.map((c) => c.id)).toEqual([5, 6]);
    expect(many.savedAt).toBeNull();
  });
});
