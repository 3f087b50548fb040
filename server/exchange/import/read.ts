import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Feature, Geometry } from 'geojson';
import type { Queryable } from '../../db/db.ts';
import { problem, type Problem } from '../../problem.ts';
import { UNSTORABLE_TEXT } from '../../input-guard.ts';
import { problemText, type ProblemCode, type ProblemParam, type ProblemParams } from '../../../core/problems/index.ts';
import type { importReadProblems } from '../../../core/problems/imports.ts';
import { crsFromEpsg, crsFromPrj, epsgOfName, type SourceCrs } from './crs.ts';
import { ZipArchive, ZipDamaged, ZipTooLarge, type ZipEntry } from './unzip.ts';

// Each format's parser (xmldom and togeojson for KML, shpjs, sql.js for GeoPackage) is imported when
// a file of that format comes: the reader is a new worker thread for every upload, and loading them
// all held up a GeoJSON upload by 150–200 ms before its first byte was read.

/** A feature as read from the file: geometry in the file's own coordinates, properties as given. */
export interface SourceFeature {
  index: number;
  geometry: Geometry | null;
  properties: Record<string, string | number | boolean | null>;
  /** A GeoPackage's geometry as WKB (hex), until PostGIS has read it (readUpload). */
  wkb?: string | null;
}

export type SourceFormat = 'geojson' | 'shapefile' | 'kml' | 'kmz' | 'gpkg';

export interface SourceData {
  format: SourceFormat;
  features: SourceFeature[];
  /** The CRS the file declares (.prj, GeoJSON crs, GeoPackage srs); null when it says nothing. */
  crs: SourceCrs | null;
  /** The text encoding of a shapefile's attributes (a WHATWG label: gbk, utf-8…); without a .cpg, a notice says how it was chosen. */
  encoding: string | null;
  /** What the reader noticed about the whole file (it still imports), in the catalog's words. */
  notices: ImportNotice[];
}

/** A notice about the whole file: a catalog code (imports.note-*) with its parameters, and its English text. */
export interface ImportNotice {
  code: ProblemCode;
  params: Record<string, ProblemParam>;
  message: string;
}

const notice = <C extends ProblemCode>(code: C, params: ProblemParams<C>): ImportNotice =>
  ({ code, params, message: problemText(code, params, 'en')! });

/** Why a file cannot be read: a catalog code (imports.read-*) and its parameters. */
export interface ReadReason {
  code: ReadCode;
  params: Record<string, ProblemParam>;
}
type ReadCode = keyof typeof importReadProblems;
/** A limit the file broke: which (features, vertices, records, memory), the limit and what the file has. */
export interface BrokenLimit {
  what: 'features' | 'vertices' | 'records' | 'memory';
  limit: number;
  found: ProblemParam;
}

/** What a limit counts, in both languages (the unit after the number). */
const UNITS: Record<BrokenLimit['what'], { zh: string; en: string }> = {
  features: { zh: '个要素', en: 'features' },
  vertices: { zh: '个顶点', en: 'vertices' },
  records: { zh: '条记录', en: 'records' },
  memory: { zh: 'MB 内存', en: 'MB of memory to read it' },
};

/** A file that cannot be read at all: the reason says what is wrong and what to do, in both languages. */
export class UnreadableFile extends Error {
  /** 413 when the file is over a size limit (an archive that would inflate too far), else 422. */
  constructor(readonly reason: ReadReason, readonly status: 413 | 422 = 422, readonly limit?: BrokenLimit) {
    super(problemText(reason.code, reason.params, 'en'));
  }

  /** The coded problem a user reads (the reason is Wangge's own text, never a library's). */
  problem(file: string): Problem {
    const errors = [{ field: 'file', message: this.message }];
    if (this.limit) return problem('imports.limit', { file, ...this.limit, unit: UNITS[this.limit.what] }, { errors });
    const reason = { zh: problemText(this.reason.code, this.reason.params, 'zh-CN')!, en: this.message };
    return problem(this.status === 413 ? 'imports.archive-too-large' : 'imports.unreadable', { file, reason }, { errors });
  }
}

/** Refuses the file for this reason (422, or 413 for an archive over its limits). */
const unreadable = <C extends ReadCode>(code: C, params: ProblemParams<C>, status: 413 | 422 = 422) => new UnreadableFile({ code, params }, status);

/**
 * Upload limits, checked while reading: past one the file is refused (413) naming it. The file is
 * read in a worker thread of its own, stopped past `readSeconds` (422) or `readMemoryMb` (413).
 */
export const IMPORT_LIMITS = { features: 20_000, vertices: 2_000_000, dbfRecords: 20_000, readSeconds: 60, readMemoryMb: 1024 } as const;
const MAX_FEATURES = IMPORT_LIMITS.features;

const overLimit = (what: BrokenLimit['what'], limit: number, found: ProblemParam) =>
  new UnreadableFile({ code: 'imports.read-over-limit', params: { limit, unit: UNITS[what] } }, 413, { what, limit, found: typeof found === 'number' ? String(found) : found });

/** Positions in a geometry, counted without recursion deeper than GeoJSON nests. */
function countVertices(g: unknown, depth = 0): number {
  if (!Array.isArray(g) || depth > 4) return 0;
  if (typeof g[0] === 'number') return 1;
  let n = 0;
  for (const x of g) n += countVertices(x, depth + 1);
  return n;
}

export function checkVertices(features: { geometry: Geometry | null }[]) {
  let n = 0;
  for (const f of features) {
    const g = f.geometry as { coordinates?: unknown; geometries?: { coordinates?: unknown }[] } | null;
    if (!g) continue;
    n += countVertices(g.coordinates);
    if (Array.isArray(g.geometries)) for (const p of g.geometries.slice(0, 10_000)) n += countVertices(p?.coordinates);
    if (n > IMPORT_LIMITS.vertices) throw overLimit('vertices', IMPORT_LIMITS.vertices, { zh: `超过 ${IMPORT_LIMITS.vertices}`, en: `more than ${IMPORT_LIMITS.vertices}` });
  }
}

const UNSTORABLE = new RegExp(UNSTORABLE_TEXT.source, 'g');
/** An attribute's text without what PostgreSQL refuses (the rest of the file must still import). */
const storable = (s: string) => s.replace(UNSTORABLE, '');

function plainValue(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return storable(v);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString().slice(0, 10);
  if (v instanceof Uint8Array) return null;
  // JSON.stringify writes NUL and lone surrogates as escapes: nothing to strip.
  return JSON.stringify(v);
}

function plainProperties(p: unknown): SourceFeature['properties'] {
  if (!p || typeof p !== 'object') return {};
  return Object.fromEntries(Object.entries(p as Record<string, unknown>).map(([k, v]) => [storable(k), plainValue(v)]));
}

function fromFeatures(features: { geometry: Geometry | null; properties: unknown; wkb?: string | null }[]): SourceFeature[] {
  if (features.length === 0) throw unreadable('imports.read-no-features', {});
  if (features.length > MAX_FEATURES) throw overLimit('features', MAX_FEATURES, features.length);
  checkVertices(features);
  // WKB: 16 bytes (32 hex digits) a 2D position, so its length bounds the vertices before PostGIS reads it.
  const wkbHex = features.reduce((n, f) => n + (f.wkb?.length ?? 0), 0);
  if (wkbHex / 32 > IMPORT_LIMITS.vertices * 1.1) throw overLimit('vertices', IMPORT_LIMITS.vertices, { zh: `约 ${Math.round(wkbHex / 32)}`, en: `about ${Math.round(wkbHex / 32)}` });
  return features.map((f, index) => ({ index, geometry: f.geometry ?? null, properties: plainProperties(f.properties), ...(f.wkb !== undefined ? { wkb: f.wkb } : {}) }));
}

/**
 * ECharts' compressed GeoJSON ("UTF8Encoding": true, common in Chinese boundary files): each ring
 * is a string of delta-encoded, zig-zagged character pairs from its encodeOffsets, in units of
 * 1/1024 degree (echarts/src/coord/geo/parseGeoJson.ts). Decoded in place.
 */
function decodeEcharts(doc: unknown) {
  const fail = (detail: { zh: string; en: string }) => unreadable('imports.read-echarts', { detail });
  const features = (doc as { features?: unknown }).features;
  if (!Array.isArray(features)) throw fail({ zh: '没有要素数组', en: 'it has no features' });
  const ring = (s: unknown, offsets: unknown): number[][] => {
    if (typeof s !== 'string' || !Array.isArray(offsets) || typeof offsets[0] !== 'number' || typeof offsets[1] !== 'number') throw fail({ zh: '有一个环不是带两个偏移量的字符串', en: 'a ring is not a string with its two offsets' });
    let [x, y] = offsets as [number, number];
    const out: number[][] = [];
    for (let i = 0; i + 1 < s.length; i += 2) {
      let dx = s.charCodeAt(i) - 64;
      let dy = s.charCodeAt(i + 1) - 64;
      dx = (dx >> 1) ^ -(dx & 1);
      dy = (dy >> 1) ^ -(dy & 1);
      x += dx;
      y += dy;
      out.push([x / 1024, y / 1024]);
    }
    return out;
  };
  for (const f of features as { geometry?: { type?: string; coordinates?: unknown; encodeOffsets?: unknown } }[]) {
    const g = f?.geometry;
    if (!g || !Array.isArray(g.coordinates)) continue;
    const offs = g.encodeOffsets;
    if (!Array.isArray(offs)) throw fail({ zh: '有一个几何没有 encodeOffsets', en: 'a geometry has no encodeOffsets' });
    if (g.type === 'Polygon') g.coordinates = g.coordinates.map((r, i) => ring(r, offs[i]));
    else if (g.type === 'MultiPolygon') {
      g.coordinates = g.coordinates.map((p, i) => {
        if (!Array.isArray(p) || !Array.isArray(offs[i])) throw fail({ zh: '多边形与其偏移量不对应', en: 'a polygon and its offsets do not match' });
        return p.map((r, j) => ring(r, (offs[i] as unknown[])[j]));
      });
    } else throw fail({ zh: `${String(g.type)} 不是多边形`, en: `a ${String(g.type)} is not a polygon` });
    // ECharts leaves rings open; GeoJSON closes them.
    const close = (r: number[][]) => (r.length && (r[0]![0] !== r.at(-1)![0] || r[0]![1] !== r.at(-1)![1]) ? [...r, r[0]!] : r);
    g.coordinates = g.type === 'Polygon' ? (g.coordinates as number[][][]).map(close) : (g.coordinates as number[][][][]).map((p) => p.map(close));
    delete g.encodeOffsets;
  }
}

function readGeoJson(text: string): Pick<SourceData, 'features' | 'crs' | 'notices'> {
  let doc: { type?: string; features?: unknown; crs?: { properties?: { name?: string } }; geometry?: unknown; properties?: unknown };
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw unreadable('imports.read-not-json', {});
  }
  const notices: ImportNotice[] = [];
  let crs: SourceCrs | null = null;
  // RFC 7946 GeoJSON has no crs member (always lon/lat); files from older tools still carry one.
  const crsName = doc?.crs?.properties?.name;
  if (typeof crsName === 'string') {
    const code = epsgOfName(crsName);
    crs = code === null ? null : crsFromEpsg(code);
    if (!crs) notices.push(notice('imports.note-crs-unknown', { name: crsName }));
  }
  let features: { geometry: Geometry | null; properties: unknown }[];
  if ((doc as { UTF8Encoding?: unknown })?.UTF8Encoding === true) decodeEcharts(doc);
  if (doc?.type === 'FeatureCollection' && Array.isArray(doc.features)) features = doc.features as Feature[];
  else if (doc?.type === 'Feature') features = [doc as Feature];
  else if (typeof doc?.type === 'string' && 'coordinates' in doc) features = [{ geometry: doc as Geometry, properties: {} }];
  else throw unreadable('imports.read-not-geojson', {});
  return { features: fromFeatures(features.map((f) => ({ geometry: f?.geometry ?? null, properties: f?.properties }))), crs, notices };
}

// togeojson turns KML styles into properties; they are not attributes of the cells.
const KML_STYLE_KEYS = /^(style(Url|Hash|MapHash)?|stroke(-opacity|-width)?|fill(-opacity)?|icon.*|label.*|visibility|timestamp|@id)$/;

async function readKml(text: string): Promise<Pick<SourceData, 'features' | 'crs' | 'notices'>> {
  const [{ DOMParser }, { kml: kmlToGeoJson }] = await Promise.all([import('@xmldom/xmldom'), import('@tmcw/togeojson')]);
  let doc;
  try {
    doc = new DOMParser({ onError: (level, message) => { if (level !== 'warning') throw new Error(message); } })
      .parseFromString(text.replace(/^\uFEFF/, ''), 'text/xml');
  } catch (e) {
    throw unreadable('imports.read-kml-xml', { detail: (e as Error).message.split('\n')[0]! });
  }
  if (!doc.documentElement || doc.documentElement.localName !== 'kml') throw unreadable('imports.read-not-kml', {});
  const fc = kmlToGeoJson(doc as unknown as Document);
  const features = fc.features.map((f) => ({
    geometry: f.geometry,
    properties: Object.fromEntries(Object.entries(f.properties ?? {}).filter(([k]) => !KML_STYLE_KEYS.test(k))),
  }));
  // KML is always WGS 84 longitude/latitude (OGC KML 2.2).
  return { features: fromFeatures(features), crs: crsFromEpsg(4326), notices: [] };
}

/** WHATWG encoding labels for what .cpg files say ("GBK", "936", "ANSI 936", "CP936", "UTF-8"…). */
export function encodingOfCpg(cpg: string): string | null {
  const s = cpg.trim().toUpperCase().replace(/^ANSI\s+/, '').replace(/^(CP|WINDOWS-)/, '');
  if (/^(UTF-?8|65001)$/.test(s)) return 'utf-8';
  if (/^(GBK|936|GB2312|GB_2312-80|EUC-CN)$/.test(s)) return 'gbk';
  if (/^(GB18030|54936)$/.test(s)) return 'gb18030';
  if (/^(BIG5|950)$/.test(s)) return 'big5';
  if (/^\d{3,4}$/.test(s)) return `windows-${s}`;
  try {
    return new TextDecoder(cpg.trim()).encoding;
  } catch {
    return null;
  }
}

// dBase language driver ids (byte 29 of the header) that name an encoding.
const LDID: Record<number, string> = { 0x4d: 'gbk', 0x7a: 'gbk', 0x4f: 'big5', 0x57: 'windows-1252', 0x03: 'windows-1252' };

/**
 * How to decode a .dbf's text: its .cpg, else its language driver id, else UTF-8 if every byte of
 * it is valid UTF-8, else GBK — Chinese shapefiles without either are almost always GBK.
 */
export function dbfEncoding(dbf: Uint8Array, cpg: string | null): { encoding: string; source: 'cpg' | 'ldid' | 'utf8' | 'gbk' } {
  if (cpg !== null) {
    const e = encodingOfCpg(cpg);
    if (e) return { encoding: e, source: 'cpg' };
  }
  const ldid = LDID[dbf[29] ?? 0];
  if (ldid) return { encoding: ldid, source: 'ldid' };
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(dbf.subarray(32));
    return { encoding: 'utf-8', source: 'utf8' };
  } catch {
    return { encoding: 'gbk', source: 'gbk' };
  }
}

/**
 * A .dbf header states its record count, header and record lengths (dBase III: bytes 4–11); the
 * parser trusts them and allocates as told. A header that claims more records than the limit, or
 * more than the file holds, is refused before parsing.
 */
export function checkDbfHeader(dbf: Uint8Array, name: string) {
  if (dbf.length < 32) throw unreadable('imports.read-dbf-short', { name });
  const view = new DataView(dbf.buffer, dbf.byteOffset, dbf.byteLength);
  const records = view.getUint32(4, true);
  const headerBytes = view.getUint16(8, true);
  const recordBytes = view.getUint16(10, true);
  if (records > IMPORT_LIMITS.dbfRecords) throw overLimit('records', IMPORT_LIMITS.dbfRecords, records);
  if (headerBytes < 33 || recordBytes < 1 || headerBytes + records * recordBytes > dbf.length) {
    throw unreadable('imports.read-dbf-header', { name, records, bytes: recordBytes });
  }
}

async function readShapefile(zip: ZipArchive, shpEntry: ZipEntry, notices: ImportNotice[]): Promise<Pick<SourceData, 'features' | 'crs' | 'encoding'>> {
  const base = shpEntry.name.slice(0, -4);
  const sibling = (ext: string) => zip.find(new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.${ext}$`, 'i'));
  const dbfEntry = sibling('dbf');
  const file = base.split('/').pop();
  if (!dbfEntry) {
    throw unreadable('imports.read-shp-no-dbf', { file: file ?? '' });
  }
  const shp = await zip.read(shpEntry);
  const dbf = await zip.read(dbfEntry);
  const prjEntry = sibling('prj');
  const cpgEntry = sibling('cpg');
  const cpg = cpgEntry ? await zip.text(cpgEntry) : null;
  const enc = dbfEncoding(dbf, cpg);
  let shapes: (Geometry | null)[];
  let records: Record<string, unknown>[];
  checkDbfHeader(dbf, `${file}.dbf`);
  const { parseDbf, parseShp } = await import('shpjs');
  try {
    shapes = parseShp(shp);
  } catch {
    throw unreadable('imports.read-damaged', { name: `${file}.shp` });
  }
  try {
    records = parseDbf(dbf, enc.encoding);
  } catch {
    throw unreadable('imports.read-damaged', { name: `${file}.dbf` });
  }
  if (shapes.length !== records.length) {
    throw unreadable('imports.read-shp-mismatch', { file: file ?? '', shapes: shapes.length, records: records.length });
  }
  let crs: SourceCrs | null = null;
  if (prjEntry) {
    const prj = await zip.text(prjEntry);
    try {
      crs = crsFromPrj(prj);
    } catch {
      notices.push(notice('imports.note-prj-unreadable', { name: /^\w+\["([^"]+)"/.exec(prj.trim())?.[1] ?? 'the .prj' }));
    }
  }
  if (!cpgEntry) {
    notices.push(enc.source === 'ldid' ? notice('imports.note-cpg-missing-ldid', { file: file ?? '', encoding: enc.encoding.toUpperCase(), ldid: dbf[29]!.toString(16) })
      : enc.source === 'utf8' ? notice('imports.note-cpg-missing-utf8', { file: file ?? '' }) : notice('imports.note-cpg-missing-gbk', { file: file ?? '' }));
  }
  return { features: fromFeatures(shapes.map((geometry, i) => ({ geometry, properties: records[i] }))), crs, encoding: enc.encoding };
}

/**
 * A zipped Shapefile, a KMZ, or GeoJSON in a zip. The archive is read within ZIP_LIMITS (entries,
 * bytes inflated): over a limit it is refused with 413 before it is inflated; an archive that lies
 * about its contents, or whose entries overlap, is refused as damaged.
 */
async function readZip(data: Buffer): Promise<Pick<SourceData, 'format' | 'features' | 'crs' | 'encoding' | 'notices'>> {
  try {
    const zip = ZipArchive.open(data);
    const entries = zip.entries.filter((e) => !e.dir && !e.name.startsWith('__MACOSX/') && !e.name.split('/').pop()!.startsWith('.'));
    const names = entries.map((e) => e.name);
    const notices: ImportNotice[] = [];
    const shps = entries.filter((e) => /\.shp$/i.test(e.name));
    if (shps.length > 1) notices.push(notice('imports.note-shapefiles-many', { count: shps.length, name: shps[0]!.name }));
    if (shps.length) return { format: 'shapefile', ...(await readShapefile(zip, shps[0]!, notices)), notices };
    const kml = entries.find((e) => /\.kml$/i.test(e.name));
    if (kml) return { format: 'kmz', ...(await readKml(await zip.text(kml))), encoding: null };
    const json = entries.find((e) => /\.(geo)?json$/i.test(e.name));
    if (json) return { format: 'geojson', ...readGeoJson(await zip.text(json)), encoding: null };
    const dbfOnly = names.find((n) => /\.dbf$/i.test(n));
    if (dbfOnly) throw unreadable('imports.read-zip-dbf-only', { name: dbfOnly });
    const inner = names.filter((n) => /\.(zip|kmz)$/i.test(n));
    if (inner.length) throw unreadable('imports.read-zip-nested', { names: inner.slice(0, 3).join(', ') });
    throw unreadable('imports.read-zip-nothing', { names: names.length ? names.slice(0, 8).join(', ') : { zh: '无', en: 'nothing' } });
  } catch (e) {
    if (e instanceof UnreadableFile) throw e;
    if (e instanceof ZipTooLarge) throw unreadable('imports.read-zip-refused', { detail: e.message }, 413);
    if (e instanceof ZipDamaged) throw unreadable('imports.read-zip-damaged', { detail: e.message });
    throw unreadable('imports.read-zip-unreadable', {});
  }
}

/** The geometry of a GeoPackage blob: the 'GP' header (spec §2.1.3) with its envelope, then WKB. */
function gpkgWkb(blob: Uint8Array): Uint8Array | null {
  if (blob.length < 8 || blob[0] !== 0x47 || blob[1] !== 0x50) return null;
  const flags = blob[3]!;
  if (flags & 0x10) return null;
  const envelope = [0, 32, 48, 48, 64][(flags >> 1) & 7] ?? 0;
  return blob.subarray(8 + envelope);
}

async function readGeoPackage(data: Buffer): Promise<Pick<SourceData, 'features' | 'crs' | 'notices'>> {
  const SQL = await (await import('../export/geopackage.ts')).loadSqlJs();
  let db;
  try {
    db = new SQL.Database(new Uint8Array(data));
  } catch {
    throw unreadable('imports.read-gpkg-unopenable', {});
  }
  try {
    const notices: ImportNotice[] = [];
    let viewNames = new Set<string>();
    let tables;
    try {
      // Only tables are read: a view (even one of the gpkg_ tables) can recurse without end.
      const views = db.exec("SELECT name FROM sqlite_master WHERE type = 'view'")[0]?.values.map((v) => String(v[0])) ?? [];
      const named = views.find((v) => /^gpkg_/i.test(v));
      if (named) throw unreadable('imports.read-gpkg-own-view', { name: named });
      viewNames = new Set(views.map((v) => v.toLowerCase()));
      tables = db.exec(`SELECT g.table_name, g.column_name, s.organization, s.organization_coordsys_id, s.definition
        FROM gpkg_geometry_columns g JOIN gpkg_contents c ON c.table_name = g.table_name
        LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id WHERE c.data_type = 'features' ORDER BY g.table_name`)[0]?.values ?? [];
    } catch (e) {
      if (e instanceof UnreadableFile) throw e;
      throw unreadable('imports.read-gpkg-not', {});
    }
    if (!tables.length) throw unreadable('imports.read-gpkg-no-table', {});
    if (tables.length > 1) notices.push(notice('imports.note-gpkg-tables-many', { count: tables.length, name: String(tables[0]![0]) }));
    const [table, column, org, orgId, definition] = tables[0]! as [string, string, string | null, number | null, string | null];
    let crs: SourceCrs | null = null;
    if (org?.toUpperCase() === 'EPSG' && orgId !== null) crs = crsFromEpsg(orgId);
    if (!crs && definition && definition !== 'undefined') {
      try {
        crs = crsFromPrj(definition);
      } catch {
        notices.push(notice('imports.note-gpkg-crs-unknown', { crs: `${org}:${orgId}` }));
      }
    }
    if (viewNames.has(table.toLowerCase())) throw unreadable('imports.read-gpkg-view', { name: table });
    const quoted = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const count = Number(db.exec(`SELECT count(*) FROM ${quoted(table)}`)[0]?.values[0]?.[0] ?? 0);
    if (count > MAX_FEATURES) throw overLimit('features', MAX_FEATURES, count);
    const result = db.exec(`SELECT * FROM ${quoted(table)}`)[0];
    if (!result) throw unreadable('imports.read-gpkg-empty', { name: table });
    const geomAt = result.columns.indexOf(column);
    const pk = db.exec(`SELECT name FROM pragma_table_info(${quoted(table).replace(/"/g, "'")}) WHERE pk = 1`)[0]?.values[0]?.[0];
    const wkbs = result.values.map((row) => {
      const blob = row[geomAt];
      const wkb = blob instanceof Uint8Array ? gpkgWkb(blob) : null;
      return wkb ? Buffer.from(wkb).toString('hex') : null;
    });
    // PostGIS reads the WKB (readUpload, in short statements on the server's thread).
    const features = result.values.map((row, i) => ({
      geometry: null,
      wkb: wkbs[i] ?? null,
      properties: Object.fromEntries(result.columns.flatMap((c, j) => (j === geomAt || c === pk ? [] : [[c, row[j]]]))),
    }));
    return { features: fromFeatures(features), crs, notices };
  } finally {
    db.close();
  }
}

/**
 * Reads an uploaded boundary file, recognised by its content (then its name), with no database:
 * a GeoPackage's geometries stay WKB (see readUpload). Runs in the reading worker (read-worker.ts).
 */
export async function readFile(fileName: string, data: Buffer): Promise<SourceData> {
  if (data.length === 0) throw unreadable('imports.read-empty', {});
  const head = data.subarray(0, 16).toString('latin1');
  if (head.startsWith('PK\x03\x04') || /\.(zip|kmz)$/i.test(fileName)) return readZip(data);
  if (head.startsWith('SQLite format 3') || /\.gpkg$/i.test(fileName)) return { format: 'gpkg', ...(await readGeoPackage(data)), encoding: null };
  const text = data.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('<')) return { format: 'kml', ...(await readKml(text)), encoding: null };
  if (text.startsWith('{') || /\.(geo)?json$/i.test(fileName)) return { format: 'geojson', ...readGeoJson(text), encoding: null };
  throw unreadable('imports.read-format', { file: fileName });
}

/** What the reading worker answers: the data, or why the file cannot be read. */
export type WorkerAnswer = { data: SourceData } | { unreadable: { reason: ReadReason; status: 413 | 422; limit?: BrokenLimit } } | { failed: string };

// Run from the bundle (`npm start`, dist/server), the worker is the bundle's read-worker.mjs. Run as
// TypeScript (tests, `npm run dev`), it registers tsx's loader, then imports read-worker.ts.
// (require's resolution gives tsx's CommonJS build next to the ES module one)
const BUNDLED = import.meta.url.endsWith('.mjs');
const WORKER = BUNDLED
  ? new URL('./read-worker.mjs', import.meta.url)
  : `import(${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href)})`
    + `.then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./read-worker.ts', import.meta.url).href)}); })`;
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The file read in a worker thread: parsing never blocks the server, and stops at the time and memory limits. */
function readInWorker(fileName: string, data: Buffer): Promise<SourceData> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      eval: !BUNDLED,
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: IMPORT_LIMITS.readMemoryMb },
      stdout: false, stderr: false,
    });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(() => settle(() => reject(new ReadTooSlow(IMPORT_LIMITS.readSeconds))), IMPORT_LIMITS.readSeconds * 1000);
    worker.once('message', (m: WorkerAnswer) => settle(() => {
      if ('data' in m) resolve(m.data);
      else if ('unreadable' in m) reject(new UnreadableFile(m.unreadable.reason, m.unreadable.status, m.unreadable.limit));
      else reject(new Error(`the import reader failed: ${m.failed}`));
    }));
    worker.once('error', (e: Error & { code?: string }) => settle(() => reject(e.code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? overLimit('memory', IMPORT_LIMITS.readMemoryMb, { zh: '更多', en: 'more' })
      : e)));
    worker.once('exit', (code) => settle(() => reject(new Error(`the import reader exited (${code})`))));
    const copy = new Uint8Array(data);
    worker.postMessage({ fileName, data: copy }, [copy.buffer]);
  });
}

/** Reading took longer than the limit: the worker was stopped. */
export class ReadTooSlow extends Error {
  constructor(readonly seconds: number) {
    super(`reading took longer than ${seconds} s`);
  }
}

/**
 * Reads an uploaded file in a worker thread (limits on time and memory), then has PostGIS read a
 * GeoPackage's WKB in short statements (about 1 MB each), so the database stays free for others.
 */
export async function readUpload(fileName: string, data: Buffer, q: Queryable): Promise<SourceData> {
  const source = await readInWorker(fileName, data);
  const pending = source.features.filter((f) => f.wkb !== undefined);
  for (let i = 0; i < pending.length;) {
    const chunk: SourceFeature[] = [];
    let bytes = 0;
    while (i < pending.length && (chunk.length === 0 || bytes < 2_000_000)) {
      bytes += pending[i]!.wkb?.length ?? 0;
      chunk.push(pending[i++]!);
    }
    const read = (hex: (string | null)[]) => q.query<{ i: number; g: Geometry | null }>(
      `SELECT i::int AS i, CASE WHEN h IS NULL THEN NULL ELSE ST_AsGeoJSON(ST_GeomFromWKB(decode(h, 'hex')), 15)::json END AS g
       FROM unnest($1::text[]) WITH ORDINALITY AS t(h, i)`, [hex]);
    try {
      const { rows } = await read(chunk.map((f) => f.wkb ?? null));
      for (const r of rows) chunk[r.i - 1]!.geometry = r.g;
    } catch {
      // One damaged geometry fails the statement: then one by one, the damaged ones without geometry.
      for (const f of chunk) f.geometry = await read([f.wkb ?? null]).then((r) => r.rows[0]?.g ?? null, () => null);
    }
    for (const f of chunk) delete f.wkb;
    await tick();
  }
  if (pending.length) checkVertices(source.features);
  return source;
}
