/** Validity: the OGC rules PostGIS applies, in the cases that matter for drawn and imported cells. */
import Flatbush from 'flatbush';
import { featureCollection } from '@turf/helpers';
import { union } from '@turf/union';
import type { Areal, Pt } from './definitions.ts';
import { polygonsOf } from './measure.ts';
import type { Feature, MultiPolygon } from 'geojson';

const orient = (a: Pt, b: Pt, c: Pt) => (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
const onSeg = (a: Pt, b: Pt, p: Pt) =>
  Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);

/** 0: disjoint; 1: touch at an endpoint; 2: proper crossing or collinear overlap. */
function segRelation(a: Pt, b: Pt, c: Pt, d: Pt): 0 | 1 | 2 {
  const o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
  if (o1 === 0 && o2 === 0) {
    // Collinear: overlapping by more than a point is a fault.
    const inner = [c, d].filter((p) => onSeg(a, b, p)).length + [a, b].filter((p) => onSeg(c, d, p)).length;
    if (inner === 0) return 0;
    const shared = (a[0] === c[0] && a[1] === c[1]) || (a[0] === d[0] && a[1] === d[1]) || (b[0] === c[0] && b[1] === c[1]) || (b[0] === d[0] && b[1] === d[1]);
    return shared && inner <= 2 ? 1 : 2;
  }
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return 2;
  if ((o1 === 0 && onSeg(a, b, c)) || (o2 === 0 && onSeg(a, b, d)) || (o3 === 0 && onSeg(c, d, a)) || (o4 === 0 && onSeg(c, d, b))) return 1;
  return 0;
}

/** Why a polygon or multipolygon is not valid, or null when it is. */
export function invalidReason(g: Areal): string | null {
  const segs: { a: Pt; b: Pt; ring: number; i: number; n: number }[] = [];
  let ringNo = 0;
  for (const rings of polygonsOf(g)) {
    for (const ring of rings) {
      if (ring.some((p) => !Number.isFinite(p[0]) || !Number.isFinite(p[1]))) return 'Invalid Coordinate';
      const pts: Pt[] = [];
      for (const p of ring) {
        const q: Pt = [p[0]!, p[1]!];
        const last = pts[pts.length - 1];
        if (!last || last[0] !== q[0] || last[1] !== q[1]) pts.push(q);
      }
      if (pts.length < 4) return 'Too few points in geometry component';
      const first = pts[0]!, last = pts[pts.length - 1]!;
      if (first[0] !== last[0] || first[1] !== last[1]) return 'Ring is not closed';
      const n = pts.length - 1;
      for (let i = 0; i < n; i++) segs.push({ a: pts[i]!, b: pts[i + 1]!, ring: ringNo, i, n });
      ringNo++;
    }
  }
  if (segs.length === 0) return 'Empty geometry';
  const index = new Flatbush(segs.length);
  for (const s of segs) index.add(Math.min(s.a[0], s.b[0]), Math.min(s.a[1], s.b[1]), Math.max(s.a[0], s.b[0]), Math.max(s.a[1], s.b[1]));
  index.finish();
  for (let k = 0; k < segs.length; k++) {
    const s = segs[k]!;
    for (const j of index.search(Math.min(s.a[0], s.b[0]), Math.min(s.a[1], s.b[1]), Math.max(s.a[0], s.b[0]), Math.max(s.a[1], s.b[1]))) {
      if (j <= k) continue;
      const t = segs[j]!;
      const rel = segRelation(s.a, s.b, t.a, t.b);
      if (rel === 0) continue;
      if (s.ring === t.ring) {
        const adjacent = Math.abs(s.i - t.i) === 1 || Math.abs(s.i - t.i) === s.n - 1;
        // Neighbouring segments share a vertex; only folding back onto each other (a spike) is wrong.
        if (adjacent && rel === 1) continue;
        return 'Self-intersection';
      }
      // Rings may touch at a point, never cross or share an edge.
      if (rel === 2) return 'Self-intersection';
    }
  }
  return null;
}

/** Resolves self-intersections the way ST_MakeValid does for the usual faults (bow-ties, overlapping parts). */
export function makeValid(g: Areal): Areal | null {
  const usable = polygonsOf(g)
    .map((rings) => rings.filter((r) => r.length >= 4))
    .filter((rings) => rings.length > 0);
  if (!usable.length) return null;
  const f: Feature<MultiPolygon> = { type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: usable } };
  return union(featureCollection([f, f]))?.geometry ?? null;
}
