import type { Position } from 'geojson';
import { responsibleText, type ExportSet } from './cells.ts';

export const WGS84_PRJ = 'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
  + 'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]';

const DBF_TEXT_BYTES = 254;

/**
 * The dbf writer stores one byte per UTF-16 code unit, which garbles Chinese. Handing it the UTF-8
 * bytes as a byte string stores real UTF-8 (declared in the .cpg). Cut on a character boundary
 * to fit the 254-byte text field.
 */
export function dbfText(s: string): string {
  let bytes = Buffer.from(s, 'utf8');
  if (bytes.length > DBF_TEXT_BYTES) {
    let end = DBF_TEXT_BYTES;
    while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
    bytes = bytes.subarray(0, end);
  }
  return bytes.toString('latin1');
}

/** Shapefile rings run the other way from GeoJSON's: exterior clockwise, holes counter-clockwise. */
const clockwise = (polygons: Position[][][]) => polygons.map((rings) => rings.map((r) => [...r].reverse()));

/**
 * A zipped Shapefile: cells.shp/.shx/.dbf (UTF-8, declared in cells.cpg) and cells.prj (WGS 84).
 * dBase field names are at most 10 characters.
 */
export async function toShapefileZip(set: ExportSet): Promise<Buffer> {
  // Loaded with the first export, not at start.
  const [{ default: shpwrite }, { default: JSZip }] = await Promise.all([import('@mapbox/shp-write'), import('jszip')]);
  const rows = set.cells.map((c) => ({
    code: dbfText(c.code),
    name: dbfText(c.name),
    level: c.level,
    level_zh: dbfText(c.levelZh),
    level_en: dbfText(c.levelEn),
    parent: dbfText(c.parentCode ?? ''),
    area_m2: c.areaM2,
    resp: dbfText(responsibleText(c.people)),
  }));
  const geometries = set.cells.map((c) => clockwise(c.geometry.coordinates));
  let files: { shp: DataView; shx: DataView; dbf: DataView } | undefined;
  shpwrite.write(rows, 'POLYGON', geometries, (err, out) => {
    if (err) throw err;
    files = out;
  });
  if (!files) throw new Error('the shapefile writer returned nothing');
  const zip = new JSZip();
  zip.file('cells.shp', new Uint8Array(files.shp.buffer));
  zip.file('cells.shx', new Uint8Array(files.shx.buffer));
  zip.file('cells.dbf', new Uint8Array(files.dbf.buffer));
  zip.file('cells.prj', WGS84_PRJ);
  zip.file('cells.cpg', 'UTF-8');
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}
