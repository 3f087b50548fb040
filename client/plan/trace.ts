import type { Position } from 'geojson';
import { samePosition } from './topology.ts';

/**
 * Trace along a neighbour: when two corners clicked one after the other both lie on a neighbouring
 * cell's boundary, the new cell follows that boundary between them (the shorter way round) instead
 * of cutting straight across, so it shares the neighbour's border vertex for vertex.
 */

/** Where a position lies on a ring: s = i + t, on the edge from vertex i to i+1 (t = 0 at the vertex). */
function locate(ring: Position[], p: Position, tolerance: number): number | undefined {
  const n = ring.length;
  for (let i = 0; i < n; i++) if (samePosition(ring[i]!, p)) return i;
  for (let i = 0; i < n; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % n]!;
    const dx = b[0]! - a[0]!;
    const dy = b[1]! - a[1]!;
    const len2 = dx * dx + dy * dy;
    if (len2 === 0) continue;
    const t = ((p[0]! - a[0]!) * dx + (p[1]! - a[1]!) * dy) / len2;
    if (t <= 0 || t >= 1) continue;
    if (Math.hypot(a[0]! + t * dx - p[0]!, a[1]! + t * dy - p[1]!) <= tolerance) return i + t;
  }
  return undefined;
}

const dist = (p: Position, q: Position) => Math.hypot(q[0]! - p[0]!, q[1]! - p[1]!);

function pathLength(from: Position, via: Position[], to: Position): number {
  let length = 0;
  let prev = from;
  for (const v of [...via, to]) {
    length += dist(prev, v);
    prev = v;
  }
  return length;
}

/** The ring's vertices strictly between positions sa and sb, going forward (+1) or backward (−1). */
function between(ring: Position[], sa: number, sb: number, direction: 1 | -1): Position[] {
  const n = ring.length;
  const d = (x: number, y: number) => (((direction === 1 ? y - x : x - y) % n) + n) % n;
  const span = d(sa, sb);
  const out: { k: number; at: number }[] = [];
  for (let k = 0; k < n; k++) {
    const at = d(sa, k);
    if (at > 0 && at < span) out.push({ k, at });
  }
  return out.sort((x, y) => x.at - y.at).map(({ k }) => ring[k]!);
}

/** The shortest way along one of the rings from p to q, as the vertices in between; undefined if no ring holds both. */
export function traceBetween(p: Position, q: Position, rings: Position[][], tolerance = 1e-8): Position[] | undefined {
  let best: { via: Position[]; length: number } | undefined;
  for (const closed of rings) {
    const ring = closed.length > 1 && samePosition(closed[0]!, closed[closed.length - 1]!) ? closed.slice(0, -1) : closed;
    if (ring.length < 3) continue;
    const sa = locate(ring, p, tolerance);
    const sb = sa === undefined ? undefined : locate(ring, q, tolerance);
    if (sa === undefined || sb === undefined || sa === sb) continue;
    for (const direction of [1, -1] as const) {
      const via = between(ring, sa, sb, direction);
      const length = pathLength(p, via, q);
      if (!best || length < best.length) best = { via, length };
    }
  }
  return best?.via;
}

/**
 * A drawn ring (open or closed) with every straight edge whose two ends lie on one neighbour's
 * boundary replaced by the way along that boundary. Returned closed.
 */
export function traceRing(drawn: Position[], rings: Position[][], tolerance = 1e-8): Position[] {
  const r = drawn.length > 1 && samePosition(drawn[0]!, drawn[drawn.length - 1]!) ? drawn.slice(0, -1) : drawn;
  const out: Position[] = [];
  r.forEach((p, i) => {
    out.push(p);
    const q = r[(i + 1) % r.length]!;
    const via = traceBetween(p, q, rings, tolerance);
    if (via) out.push(...via.map((v) => [v[0]!, v[1]!]));
  });
  return out.length ? [...out, out[0]!] : out;
}
