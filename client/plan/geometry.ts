import type { Feature, LineString, MultiPolygon, Polygon, Position } from 'geojson';
import { CellIndex, drawingFeedback } from '../../core/coverage/engine.ts';

/**
 * Pure geometry helpers of the planner's drawing tools: snapping to neighbouring cells, and the
 * conversions between the server's MultiPolygon cells and the single polygons terra-draw edits.
 */

export interface Pixel {
  x: number;
  y: number;
}
export type ProjectFn = (lng: number, lat: number) => Pixel;

/** A ring (or line) a drawing can snap to: its positions and their bounding box. */
export interface SnapTarget {
  coords: Position[];
  bbox: [number, number, number, number];
}

export interface Snapped {
  position: Position;
  kind: 'vertex' | 'edge';
  /** Distance from the pointer, in pixels. */
  distance: number;
}

function bboxOf(coords: Position[]): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of coords) {
    b[0] = Math.min(b[0], x!);
    b[1] = Math.min(b[1], y!);
    b[2] = Math.max(b[2], x!);
    b[3] = Math.max(b[3], y!);
  }
  return b;
}

/** Every ring of the given (Multi)Polygons as snap targets. */
export function snapTargets(geometries: (Polygon | MultiPolygon)[]): SnapTarget[] {
  const out: SnapTarget[] = [];
  for (const g of geometries) {
    const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    for (const polygon of polygons) for (const ring of polygon) if (ring.length >= 2) out.push({ coords: ring, bbox: bboxOf(ring) });
  }
  return out;
}

/**
 * The position to snap the pointer to: the nearest vertex of a target within `tolerancePx` pixels,
 * else the nearest point on a target's edge within it (vertices win, so shared corners stay exact).
 * `slackDeg` is the tolerance in degrees, used only to skip targets far away cheaply.
 */
export function snapPosition(pointer: Position, targets: SnapTarget[], project: ProjectFn, tolerancePx: number, slackDeg = Infinity): Snapped | undefined {
  const [lng, lat] = pointer as [number, number];
  const p = project(lng, lat);
  let vertex: Snapped | undefined;
  let edge: Snapped | undefined;
  for (const target of targets) {
    const [w, s, e, n] = target.bbox;
    if (lng < w - slackDeg || lng > e + slackDeg || lat < s - slackDeg || lat > n + slackDeg) continue;
    let prev: Pixel | undefined;
    let prevPos: Position | undefined;
    for (const pos of target.coords) {
      const q = project(pos[0]!, pos[1]!);
      const d = Math.hypot(q.x - p.x, q.y - p.y);
      if (d <= tolerancePx && (!vertex || d < vertex.distance)) vertex = { position: [pos[0]!, pos[1]!], kind: 'vertex', distance: d };
      if (prev && prevPos) {
        const dx = q.x - prev.x;
        const dy = q.y - prev.y;
        const len2 = dx * dx + dy * dy;
        const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - prev.x) * dx + (p.y - prev.y) * dy) / len2));
        const dist = Math.hypot(prev.x + t * dx - p.x, prev.y + t * dy - p.y);
        if (t > 0 && t < 1 && dist <= tolerancePx && (!edge || dist < edge.distance)) {
          // Interpolated in lon/lat: over a few pixels the projection is linear enough.
          edge = { position: [prevPos[0]! + t * (pos[0]! - prevPos[0]!), prevPos[1]! + t * (pos[1]! - prevPos[1]!)], kind: 'edge', distance: dist };
        }
      }
      prev = q;
      prevPos = pos;
    }
  }
  return vertex ?? edge;
}

/** The polygons of a cell, one per part (terra-draw edits single polygons). */
export function cellParts(geometry: Polygon | MultiPolygon): Polygon[] {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polygons.map((coordinates) => ({ type: 'Polygon', coordinates: coordinates.map(closeRing) }));
}

/** The ring with its first position repeated at the end. */
export function closeRing(ring: Position[]): Position[] {
  if (ring.length === 0) return ring;
  const first = ring[0]!;
  const last = ring[ring.length - 1]!;
  return first[0] === last[0] && first[1] === last[1] ? ring.map((p) => [p[0]!, p[1]!]) : [...ring.map((p) => [p[0]!, p[1]!]), [first[0]!, first[1]!]];
}

/** The drawn polygons as the geometry to send: a Polygon for one part, a MultiPolygon for several. */
export function partsToGeometry(parts: Polygon[]): Polygon | MultiPolygon {
  if (parts.length === 1) return { type: 'Polygon', coordinates: parts[0]!.coordinates.map(closeRing) };
  return { type: 'MultiPolygon', coordinates: parts.map((p) => p.coordinates.map(closeRing)) };
}

/** The number of distinct vertices of a polygon's outer ring (the closing position not counted). */
export function vertexCount(polygon: Polygon | LineString): number {
  if (polygon.type === 'LineString') return polygon.coordinates.length;
  const ring = polygon.coordinates[0] ?? [];
  return Math.max(0, closeRing(ring).length - 1);
}

export interface DraftStats {
  /** Area of the drawing, m². */
  area: number;
  /** Area outside the parent, m² (0 without a parent). */
  outside: number;
  /** Area overlapping the sibling cells, m². */
  overlap: number;
  /** Where the drawing is outside its parent or on a sibling: drawn red on the map. */
  faults: Feature<Polygon | MultiPolygon>[];
}

/**
 * Live feedback while drawing: the drawing's area, and how much of it lies outside its parent or on
 * its siblings. The coverage panel's own Turf engine does the overlays (one definition of a fault,
 * measured as the server measures it); `siblings` is best given as a CellIndex kept across frames.
 */
export function draftStats(draft: Polygon | MultiPolygon, parent: Polygon | MultiPolygon | null, siblings: CellIndex | (Polygon | MultiPolygon)[]): DraftStats {
  const index = siblings instanceof CellIndex ? siblings : new CellIndex(siblings.map((geometry, id) => ({ id, geometry })));
  const feedback = drawingFeedback(draft, index, parent);
  const fault = (geometry: Polygon | MultiPolygon, kind: 'outside' | 'overlap'): Feature<Polygon | MultiPolygon> => ({ type: 'Feature', geometry, properties: { kind } });
  return {
    area: feedback.areaM2,
    outside: feedback.outside?.areaM2 ?? 0,
    overlap: feedback.overlaps.reduce((sum, o) => sum + o.areaM2, 0),
    faults: [...(feedback.outside ? [fault(feedback.outside.geometry, 'outside')] : []), ...feedback.overlaps.map((o) => fault(o.geometry, 'overlap'))],
  };
}

/** A bounding box around a geometry, grown by `pad` of its size on each side. */
export function paddedBbox(geometry: Polygon | MultiPolygon, pad = 0.25): [number, number, number, number] {
  const [w, s, e, n] = bboxOf(cellParts(geometry).flatMap((p) => p.coordinates[0]!));
  const dx = (e - w) * pad;
  const dy = (n - s) * pad;
  return [w - dx, s - dy, e + dx, n + dy];
}

/** Area as people read it: m² below a hectare, else km². */
export function formatArea(m2: number, lang: 'zh-CN' | 'en'): string {
  if (m2 < 10_000) return lang === 'en' ? `${Math.round(m2)} m²` : `${Math.round(m2)} 平方米`;
  const km2 = (m2 / 1e6).toFixed(m2 < 1e6 ? 3 : 2);
  return lang === 'en' ? `${km2} km²` : `${km2} 平方公里`;
}
