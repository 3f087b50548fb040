/**
 * A coordinate pasted into the search box, as people copy them: "107.14, 34.36", "34.36 107.14"
 * (latitude first, as map apps show it), "E107.14 N34.36", "34.36°N, 107.14°E". China's longitudes
 * (73–135) are never valid latitudes, so an unlabelled pair is read by which number can be which.
 * Returns [lon, lat] in WGS84, or null for text that is not a coordinate.
 */
export function parseCoordinate(text: string): [number, number] | null {
  const s = text.trim().toUpperCase().replace(/[，、；;]/g, ',').replace(/°/g, ' ');
  const m = /^([NSEW])?\s*(-?\d{1,3}(?:\.\d+)?)\s*([NSEW])?\s*[,\s]\s*([NSEW])?\s*(-?\d{1,3}(?:\.\d+)?)\s*([NSEW])?$/.exec(s);
  if (!m) return null;
  const a = Number(m[2]);
  const b = Number(m[5]);
  const la = m[1] ?? m[3];
  const lb = m[4] ?? m[6];
  let lon: number;
  let lat: number;
  if (la || lb) {
    const aIsLat = la === 'N' || la === 'S' || lb === 'E' || lb === 'W';
    [lat, lon] = aIsLat ? [a, b] : [b, a];
    if (la === 'S' || lb === 'S') lat = -Math.abs(lat);
    if (la === 'W' || lb === 'W') lon = -Math.abs(lon);
  } else if (Math.abs(a) > 90 && Math.abs(b) <= 90) {
    [lon, lat] = [a, b];
  } else if (Math.abs(b) > 90 && Math.abs(a) <= 90) {
    [lat, lon] = [a, b];
  } else {
    // Both could be latitudes: the GeoJSON order (lon, lat), as the API writes it.
    [lon, lat] = [a, b];
  }
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) return null;
  return [lon, lat];
}

/** A tracking code as printed on a receipt (WG-XXXXX-XXXXX), in any case, spaces allowed. */
export function parseTrackingCode(text: string): string | null {
  const m = /^WG-?\s*([0-9A-Z]{5})-?\s*([0-9A-Z]{5})$/.exec(text.trim().toUpperCase());
  return m ? `WG-${m[1]}-${m[2]}` : null;
}
