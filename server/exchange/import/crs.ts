import { createRequire } from 'node:module';
import type Proj4 from 'proj4';

// proj4 takes about 100 ms to load: loaded when a file first needs a transform, so the import
// reader's worker (a new thread for every upload) starts without it.
let proj4Lib: typeof Proj4 | undefined;
const proj4 = (): typeof Proj4 => (proj4Lib ??= createRequire(import.meta.url)('proj4') as typeof Proj4);
import type { Geometry, Position } from 'geojson';

/**
 * The coordinate reference systems boundary files in China come in, as proj4 definitions. CGCS2000
 * (EPSG:4490) is taken as the same frame as WGS 84 (the difference is centimetres), as the design
 * says. Gauss-Krüger zones use the CGCS2000 ellipsoid, which proj4 knows as GRS80 (identical to
 * 0.1 mm).
 */
export interface SourceCrs {
  /** "EPSG:4524" or the name in the .prj. */
  name: string;
  /** Geographic lon/lat in the WGS 84 / CGCS2000 frame: nothing to transform. */
  geographic: boolean;
  /** A proj4 definition string or WKT, when a transform is needed. */
  definition?: string;
}

const GK = (lon0: number, x0: number) => `+proj=tmerc +lat_0=0 +lon_0=${lon0} +k=1 +x_0=${x0} +y_0=0 +ellps=GRS80 +units=m +no_defs`;

/** The EPSG codes a planner may pick, with their names for the import dialog. */
export function epsgDefinition(code: number): { name: string; definition?: string; geographic: boolean } | null {
  if (code === 4326) return { name: 'WGS 84', geographic: true };
  if (code === 4490) return { name: 'CGCS2000', geographic: true };
  if (code === 3857) return { name: 'WGS 84 / Pseudo-Mercator', definition: 'EPSG:3857', geographic: false };
  // CGCS2000 3-degree Gauss-Krüger zones 25–45 (75°E–135°E), zone number prefixed to the easting.
  if (code >= 4513 && code <= 4533) {
    const zone = code - 4488;
    return { name: `CGCS2000 / 3-degree Gauss-Kruger zone ${zone}`, definition: GK(zone * 3, zone * 1e6 + 500_000), geographic: false };
  }
  // The same zones by central meridian, without the zone prefix.
  if (code >= 4534 && code <= 4554) {
    const cm = 75 + (code - 4534) * 3;
    return { name: `CGCS2000 / 3-degree Gauss-Kruger CM ${cm}E`, definition: GK(cm, 500_000), geographic: false };
  }
  // CGCS2000 6-degree Gauss-Krüger zones 13–23, prefixed, and by central meridian.
  if (code >= 4491 && code <= 4501) {
    const zone = code - 4478;
    return { name: `CGCS2000 / Gauss-Kruger zone ${zone}`, definition: GK(zone * 6 - 3, zone * 1e6 + 500_000), geographic: false };
  }
  if (code >= 4502 && code <= 4512) {
    const cm = 75 + (code - 4502) * 6;
    return { name: `CGCS2000 / Gauss-Kruger CM ${cm}E`, definition: GK(cm, 500_000), geographic: false };
  }
  if ((code >= 32601 && code <= 32660) || (code >= 32701 && code <= 32760)) {
    const south = code > 32700;
    const zone = code % 100;
    return { name: `WGS 84 / UTM zone ${zone}${south ? 'S' : 'N'}`, definition: `+proj=utm +zone=${zone}${south ? ' +south' : ''} +datum=WGS84 +units=m +no_defs`, geographic: false };
  }
  return null;
}

export function crsFromEpsg(code: number): SourceCrs | null {
  const d = epsgDefinition(code);
  return d ? { name: `EPSG:${code} (${d.name})`, geographic: d.geographic, definition: d.definition } : null;
}

/** EPSG:4524, urn:ogc:def:crs:EPSG::4524, http://www.opengis.net/def/crs/EPSG/0/4524, CRS84. */
export function epsgOfName(name: string): number | null {
  if (/CRS:?84$/i.test(name)) return 4326;
  const m = /EPSG(?::+|\/\d+\/|\/)(\d+)$/i.exec(name.trim());
  return m ? Number(m[1]) : null;
}

/**
 * The CRS a .prj (OGC or ESRI WKT) describes. A geographic CRS on the WGS 84 or CGCS2000 datum needs
 * no transform; anything else goes to proj4, which reads the WKT itself.
 */
export function crsFromPrj(wkt: string): SourceCrs {
  const text = wkt.trim();
  const name = /^\w+\["([^"]+)"/.exec(text)?.[1] ?? 'the .prj';
  const authority = /AUTHORITY\["EPSG","?(\d+)"?\]\s*\]\s*$/i.exec(text)?.[1];
  if (authority) {
    const known = crsFromEpsg(Number(authority));
    if (known) return known;
  }
  if (/^GEOG(CS|CRS)\[/i.test(text) && /(WGS_?(19)?84|WGS 84|China_2000|CGCS_?2000|China Geodetic Coordinate System 2000)/i.test(text)) {
    return { name, geographic: true };
  }
  try {
    proj4()(text, 'EPSG:4326', [0, 0]);
  } catch {
    throw new Error(`the .prj ("${name}") is not a coordinate system proj4 can read`);
  }
  return { name, geographic: false, definition: text };
}

/** Every position of the polygons is an array of exactly two items (what they hold is checked later). */
function plain2d(g: Geometry): boolean {
  const ringsOk = (rings: unknown) => Array.isArray(rings) && rings.every((r) => Array.isArray(r) && r.every((p) => Array.isArray(p) && p.length === 2));
  if (g.type === 'Polygon') return ringsOk(g.coordinates);
  return g.type === 'MultiPolygon' && Array.isArray(g.coordinates) && g.coordinates.every(ringsOk);
}

/** Every position of a geometry, transformed to lon/lat; Z is dropped (cells are 2D). */
export function toLonLat(g: Geometry, crs: SourceCrs | null): Geometry {
  const convert = crs && !crs.geographic && crs.definition ? proj4()(crs.definition, 'EPSG:4326') : null;
  // Lon/lat already, and only lon, lat in each position: the geometry as it is (a copy of a county
  // file's every position was most of the planning's time).
  if (!convert && plain2d(g)) return g;
  const pos = (p: Position): Position => {
    const xy = [p[0]!, p[1]!];
    return convert ? convert.forward(xy) : xy;
  };
  const map = (geom: Geometry): Geometry => {
    switch (geom.type) {
      case 'Point': return { type: 'Point', coordinates: pos(geom.coordinates) };
      case 'MultiPoint': return { type: 'MultiPoint', coordinates: geom.coordinates.map(pos) };
      case 'LineString': return { type: 'LineString', coordinates: geom.coordinates.map(pos) };
      case 'MultiLineString': return { type: 'MultiLineString', coordinates: geom.coordinates.map((l) => l.map(pos)) };
      case 'Polygon': return { type: 'Polygon', coordinates: geom.coordinates.map((r) => r.map(pos)) };
      case 'MultiPolygon': return { type: 'MultiPolygon', coordinates: geom.coordinates.map((p) => p.map((r) => r.map(pos))) };
      case 'GeometryCollection': return { type: 'GeometryCollection', geometries: geom.geometries.map(map) };
    }
  };
  return map(g);
}
