/**
 * A corpus of malformed requests: broken and hostile JSON, wrong types, invalid and oversized
 * geometry, wrong content types and zip bombs. Each must be answered with a 4xx problem+json and
 * change nothing. Large inputs are generated here rather than stored. No case is left out of the
 * tests that send the corpus: a server bug it finds is fixed, or tracked by a test of its own marked
 * it.fails with the reason, which starts failing (and is then turned around) when the bug is fixed.
 */
import { honestBombZip, lyingHeaderZip, lyingShapefileZip, manyEntriesZip, nestedZip, overlappingZip } from './zip-bombs.ts';

export interface BadInput {
  name: string;
  method: 'POST' | 'PATCH';
  url: string;
  /** Sent as is. */
  body: string | Buffer;
  contentType: string;
  /** Sign in as a planner first (cells, imports). */
  staff?: boolean;
  headers?: Record<string, string>;
  /** The answer this case must get, beyond "a 4xx problem+json": its status and what its detail says. */
  expect?: { status: number; detail: RegExp };
}

const report = { location: { type: 'Point', coordinates: [107.01, 34.01] }, category: 'fire', severity: 'ordinary', description: '消防通道堵塞' };
const json = (v: unknown) => JSON.stringify(v);
const withReport = (patch: Record<string, unknown>) => json({ ...report, ...patch });
const square = [[107.01, 34.01], [107.01, 34.02], [107.02, 34.02], [107.02, 34.01], [107.01, 34.01]];

/** A ring of n vertices on a small circle (closed). */
function manyVertexRing(n: number): number[][] {
  const ring = Array.from({ length: n }, (_, i) => [107.05 + 0.01 * Math.cos((2 * Math.PI * i) / n), 34.05 + 0.01 * Math.sin((2 * Math.PI * i) / n)]);
  ring.push(ring[0]!);
  return ring;
}

function multipart(fields: Record<string, string>, file?: { name: string; data: Buffer; type: string }): { body: Buffer; contentType: string } {
  const boundary = '----wangge-bad-input';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`), file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function badInputs(opts: { heavy?: boolean; cellId: number }): BadInput[] {
  const reports = (name: string, body: string | Buffer, contentType = 'application/json', headers?: Record<string, string>): BadInput =>
    ({ name: `report: ${name}`, method: 'POST', url: '/api/reports', body, contentType, headers });
  // A community inside the west street (107..107.05 E): only the geometry is wrong.
  const cell = (geometry: unknown) => json({ type: 'Feature', geometry, properties: { name: '坏网格', level: 3, parentId: opts.cellId } });
  const cells = (name: string, body: string | Buffer, contentType = 'application/json'): BadInput =>
    ({ name: `cell: ${name}`, method: 'POST', url: '/api/cells', body, contentType, staff: true });
  const deep = 200_000;
  // Inflated sizes: far past the server's 100 MB budget for an archive, and its memory.
  const bombMiB = opts.heavy ? 4096 : 1024;
  const bomb = honestBombZip('bomb.geojson', bombMiB);
  const upload = (name: string, file: { name: string; data: Buffer; type: string }, expected?: BadInput['expect']): BadInput => {
    const m = multipart({}, file);
    return { name: `import: ${name}`, method: 'POST', url: '/api/import/cells', body: m.body, contentType: m.contentType, staff: true, expect: expected };
  };
  const zip = (data: Buffer, name = 'district.zip') => ({ name, data, type: 'application/zip' });
  const tooLarge = (detail: RegExp) => ({ status: 413, detail });
  const unreadable = (detail: RegExp) => ({ status: 422, detail });
  return [
    reports('broken JSON', '{"location": {"type": "Point", "coordinates": [107.01, 34.01]},'),
    reports('empty body', ''),
    reports('null', 'null'),
    reports('an array', '[1, 2, 3]'),
    reports('a string', '"举报"'),
    reports('NaN literal', '{"location": {"type": "Point", "coordinates": [NaN, 34.01]}, "category": "fire", "severity": "ordinary", "description": "x"}'),
    reports('Infinity literal', '{"location": {"type": "Point", "coordinates": [Infinity, 34.01]}, "category": "fire", "severity": "ordinary", "description": "x"}'),
    reports('a number too large for a double (Infinity)', withReport({}).replace('107.01', '1e400')),
    reports('coordinates out of range', withReport({ location: { type: 'Point', coordinates: [200, 95] } })),
    reports('coordinates as words', withReport({ location: { type: 'Point', coordinates: ['东经107', '北纬34'] } })),
    reports('coordinates as an object', withReport({ location: { type: 'Point', coordinates: { lon: 107, lat: 34 } } })),
    reports('one coordinate', withReport({ location: { type: 'Point', coordinates: [107.01] } })),
    reports('a polygon for a location', withReport({ location: { type: 'Polygon', coordinates: [square] } })),
    reports('location as a string', withReport({ location: 'POINT(107.01 34.01)' })),
    reports('category as a number', withReport({ category: 5 })),
    reports('unknown category', withReport({ category: 'aliens' })),
    reports('unknown severity', withReport({ severity: 'catastrophic' })),
    reports('blank description', withReport({ description: '   ' })),
    reports('description of 4001 characters', withReport({ description: '堵'.repeat(4001) })),
    reports('an extra field', withReport({ admin: true })),
    reports('missing fields', json({ category: 'fire' })),
    reports('__proto__ key', '{"__proto__": {"polluted": true}, "location": {"type": "Point", "coordinates": [107.01, 34.01]}, "category": "fire", "severity": "ordinary", "description": "x"}'),
    reports(`JSON nested ${deep} deep`, withReport({ description: 'PLACEHOLDER' }).replace('"PLACEHOLDER"', '['.repeat(deep) + ']'.repeat(deep))),
    reports('a 6 MB body', withReport({ description: 'x'.repeat(6 * 1024 * 1024) })),
    reports('text/plain', withReport({}), 'text/plain'),
    reports('XML', '<report><category>fire</category></report>', 'application/xml'),
    reports('a form', 'category=fire&severity=ordinary', 'application/x-www-form-urlencoded'),
    reports('multipart with broken JSON', multipart({ report: '{"location":' }).body, multipart({}).contentType),
    reports('an Idempotency-Key too short', withReport({}), 'application/json', { 'idempotency-key': 'abc' }),
    cells('ring not closed', cell({ type: 'Polygon', coordinates: [square.slice(0, 4)] })),
    cells('self-intersecting ring', cell({ type: 'Polygon', coordinates: [[[107.01, 34.01], [107.02, 34.02], [107.02, 34.01], [107.01, 34.02], [107.01, 34.01]]] })),
    cells('a line for a cell', cell({ type: 'LineString', coordinates: square })),
    cells('coordinates as strings', cell({ type: 'Polygon', coordinates: [square.map(([x, y]) => [String(x), String(y)])] })),
    cells('a position of Infinity', cell({ type: 'Polygon', coordinates: [square] }).replace('107.02', '1e999')),
    cells('two vertices', cell({ type: 'Polygon', coordinates: [[[107.01, 34.01], [107.02, 34.02], [107.01, 34.01]]] })),
    cells('a 10^6-vertex polygon', cell({ type: 'Polygon', coordinates: [manyVertexRing(1_000_000)] })),
    cells('a Feature without properties', json({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [square] } })),
    {
      name: 'cell: a stale If-Match that is not a version', method: 'PATCH', url: `/api/cells/${opts.cellId}`, body: json({ properties: { name: '改名' } }),
      contentType: 'application/json', staff: true, headers: { 'if-match': '"not-a-version"' },
    },
    upload(`a zip bomb (${bombMiB} MiB inflated, declared)`, zip(bomb), tooLarge(/at most 100 MB uncompressed/)),
    upload(`a zip whose header lies (${bombMiB} MiB inflated, 1 KiB declared)`, zip(lyingHeaderZip('bomb.geojson', bombMiB)), unreadable(/more than the 1024 bytes its header declares/)),
    upload(`a KMZ whose header lies (${bombMiB} MiB inflated, 1 KiB declared)`, zip(lyingHeaderZip('doc.kml', bombMiB), 'district.kmz'), unreadable(/more than the 1024 bytes its header declares/)),
    upload(`a zipped shapefile whose .shp header lies (${bombMiB} MiB inflated)`, zip(lyingShapefileZip(bombMiB)), unreadable(/district\.shp inflates to more than the 1024 bytes/)),
    upload('a zip of 5000 entries', zip(manyEntriesZip(5000)), tooLarge(/at most 1000 entries/)),
    upload('overlapping entries (one 1 MiB kernel listed 50 times)', zip(overlappingZip(50, 1)), unreadable(/share their data: a zip bomb/)),
    upload('overlapping entries (one 16 MiB kernel listed 500 times)', zip(overlappingZip(500, 16)), tooLarge(/at most 100 MB uncompressed/)),
    upload('zips inside the zip (10 × a 64 MiB bomb)', zip(nestedZip(10, 64)), unreadable(/other archives/)),
    upload('a damaged zip', zip(bomb.subarray(0, Math.floor(bomb.length / 2))), unreadable(/damaged or truncated/)),
    upload('an empty file', { name: 'district.geojson', data: Buffer.alloc(0), type: 'application/geo+json' }),
    upload('GeoJSON with wrong types', { name: 'district.geojson', data: Buffer.from(json({ type: 'FeatureCollection', features: 'none' })), type: 'application/geo+json' }),
    upload('an executable', { name: 'district.exe', data: Buffer.from('MZ\x90\x00'), type: 'application/octet-stream' }),
  ];
}
