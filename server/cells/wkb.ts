import type { CellGeometry } from './geometry.ts';

const WKB_POLYGON = 3;
const WKB_MULTIPOLYGON = 6;

/**
 * A structurally sound polygon or multipolygon (server/cells/geometry.ts checkStructure) as
 * little-endian 2D WKB in hex, always a MultiPolygon (cells are stored as one). PostGIS reads WKB
 * 4-5× faster than GeoJSON, whose every coordinate is decimal text; Z is left out (cells are 2D).
 */
export function multiPolygonWkbHex(g: CellGeometry): string {
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  let bytes = 9;
  for (const rings of polygons) {
    bytes += 9;
    for (const ring of rings) bytes += 4 + ring.length * 16;
  }
  const out = Buffer.allocUnsafe(bytes);
  let at = out.writeUInt8(1, 0);
  at = out.writeUInt32LE(WKB_MULTIPOLYGON, at);
  at = out.writeUInt32LE(polygons.length, at);
  for (const rings of polygons) {
    at = out.writeUInt8(1, at);
    at = out.writeUInt32LE(WKB_POLYGON, at);
    at = out.writeUInt32LE(rings.length, at);
    for (const ring of rings) {
      at = out.writeUInt32LE(ring.length, at);
      for (const p of ring) {
        at = out.writeDoubleLE(p[0]!, at);
        at = out.writeDoubleLE(p[1]!, at);
      }
    }
  }
  return out.toString('hex');
}
