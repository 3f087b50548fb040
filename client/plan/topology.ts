import type { MultiPolygon, Polygon, Position } from 'geojson';

/**
 * Topological editing, as QGIS's topological editing mode does it: an edit of one cell's outline is
 * read as a change of a vertex (moved, inserted on an edge, deleted), and the same change is made in
 * every other cell that has that vertex or edge, so shared borders stay shared. Cells come from
 * PostGIS with 7 decimals and are edited with 9, so a shared vertex is the same position in each.
 */

export type VertexChange =
  | { kind: 'move'; from: Position; to: Position }
  | { kind: 'insert'; between: [Position, Position]; at: Position }
  | { kind: 'delete'; at: Position };

const EPS = 1e-10;
export const samePosition = (p: Position, q: Position) => Math.abs(p[0]! - q[0]!) <= EPS && Math.abs(p[1]! - q[1]!) <= EPS;

/** A ring without its closing position. */
const open = (ring: Position[]) => (ring.length > 1 && samePosition(ring[0]!, ring[ring.length - 1]!) ? ring.slice(0, -1) : ring);
const close = (ring: Position[]) => (ring.length ? [...ring, ring[0]!] : ring);

/** What happened to one ring between two states of an edit; undefined when it is not one vertex change (or moves). */
export function diffRing(before: Position[], after: Position[]): VertexChange[] | undefined {
  const b = open(before);
  const a = open(after);
  if (a.length === b.length) {
    const moves: VertexChange[] = [];
    b.forEach((p, i) => {
      if (!samePosition(p, a[i]!)) moves.push({ kind: 'move', from: p, to: a[i]! });
    });
    return moves;
  }
  if (a.length === b.length + 1) {
    const i = firstDifference(b, a);
    if (!b.every((p, j) => samePosition(p, a[j < i ? j : j + 1]!))) return undefined;
    return [{ kind: 'insert', between: [b[(i - 1 + b.length) % b.length]!, b[i % b.length]!], at: a[i]! }];
  }
  if (a.length === b.length - 1) {
    const i = firstDifference(a, b);
    if (!a.every((p, j) => samePosition(p, b[j < i ? j : j + 1]!))) return undefined;
    return [{ kind: 'delete', at: b[i]! }];
  }
  return undefined;
}

function firstDifference(shorter: Position[], longer: Position[]): number {
  const i = shorter.findIndex((p, j) => !samePosition(p, longer[j]!));
  return i === -1 ? shorter.length : i;
}

/** The changes between two states of a drawn polygon, ring by ring; undefined when the rings do not line up. */
export function diffPolygon(before: Polygon, after: Polygon): VertexChange[] | undefined {
  if (before.coordinates.length !== after.coordinates.length) return undefined;
  const out: VertexChange[] = [];
  for (const [i, ring] of before.coordinates.entries()) {
    const changes = diffRing(ring, after.coordinates[i]!);
    if (!changes) return undefined;
    out.push(...changes);
  }
  return out;
}

/** The ring with the change made, or the same array when the change does not touch it. */
function applyToRing(ring: Position[], change: VertexChange): Position[] {
  const r = open(ring);
  let changed = false;
  let next: Position[];
  if (change.kind === 'move') {
    next = r.map((p) => (samePosition(p, change.from) ? ((changed = true), [change.to[0]!, change.to[1]!]) : p));
  } else if (change.kind === 'insert') {
    const [p, q] = change.between;
    next = [];
    r.forEach((v, i) => {
      next.push(v);
      const w = r[(i + 1) % r.length]!;
      if ((samePosition(v, p) && samePosition(w, q)) || (samePosition(v, q) && samePosition(w, p))) {
        next.push([change.at[0]!, change.at[1]!]);
        changed = true;
      }
    });
  } else {
    next = r.filter((v) => !samePosition(v, change.at));
    changed = next.length !== r.length;
    // A triangle keeps its corner: deleting it would leave no ring.
    if (next.length < 3) return ring;
  }
  return changed ? close(next) : ring;
}

/** The geometry with the changes made; the same object when none touches it. */
export function applyChanges(geometry: MultiPolygon, changes: VertexChange[]): MultiPolygon {
  let touched = false;
  const coordinates = geometry.coordinates.map((polygon) => polygon.map((ring) => {
    let r = ring;
    for (const c of changes) r = applyToRing(r, c);
    if (r !== ring) touched = true;
    return r;
  }));
  return touched ? { type: 'MultiPolygon', coordinates } : geometry;
}

export interface TopoCell {
  id: number;
  version: number;
  name: string;
  /** The cell as it is now in the edit (its stored outline until an edit touches it). */
  geometry: MultiPolygon;
}

/** The other cells with the changes made: only those the changes touched are replaced. */
export function propagate(cells: ReadonlyMap<number, TopoCell>, changes: VertexChange[]): Map<number, TopoCell> {
  const out = new Map(cells);
  if (changes.length === 0) return out;
  for (const [id, cell] of cells) {
    const geometry = applyChanges(cell.geometry, changes);
    if (geometry !== cell.geometry) out.set(id, { ...cell, geometry });
  }
  return out;
}

/** Does a polygon (or any part of a cell) have this position as a vertex? */
export function hasVertex(geometry: Polygon | MultiPolygon, at: Position): boolean {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polygons.some((rings) => rings.some((ring) => ring.some((p) => samePosition(p, at))));
}
