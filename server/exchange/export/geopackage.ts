import initSqlJs, { type SqlJsStatic } from 'sql.js';
import type { MultiPolygon } from 'geojson';
import { responsibleText, type ExportSet } from './cells.ts';

let sqlJs: Promise<SqlJsStatic> | undefined;
/** SQLite compiled to WebAssembly: no native build, the same on every machine. Loaded once. */
export const loadSqlJs = () => (sqlJs ??= initSqlJs());

/** OGC GeoPackage 1.3 (OGC 12-128r18): the application id 'GPKG' and user_version 10300. */
const GPKG_APPLICATION_ID = 0x47504b47;
const GPKG_USER_VERSION = 10300;

const WGS84_WKT = 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
  + 'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,'
  + 'AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]';

/** The tables every GeoPackage has (spec §1.1.2, §1.1.3, §2.1.5), with the three required SRS rows. */
const CORE_TABLES = `
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
  ('WGS 84 geodetic', 4326, 'EPSG', 4326, '${WGS84_WKT}', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
`;

type Envelope = [number, number, number, number];

function envelopeOf(g: MultiPolygon): Envelope {
  const e: Envelope = [Infinity, Infinity, -Infinity, -Infinity];
  for (const polygon of g.coordinates) {
    for (const [x, y] of polygon[0] ?? []) {
      if (x! < e[0]) e[0] = x!;
      if (y! < e[1]) e[1] = y!;
      if (x! > e[2]) e[2] = x!;
      if (y! > e[3]) e[3] = y!;
    }
  }
  return e;
}

/**
 * A GeoPackage geometry blob (spec §2.1.3): the 'GP' header with version 0, flags (little-endian,
 * an xy envelope), the srs id and the envelope (minx, maxx, miny, maxy), then standard WKB.
 */
export function gpkgGeometry(wkb: Uint8Array, env: Envelope, srsId = 4326): Uint8Array {
  const header = Buffer.alloc(8 + 32);
  header.write('GP', 0, 'ascii');
  header.writeUInt8(0, 2);
  header.writeUInt8(0b0000_0011, 3);
  header.writeInt32LE(srsId, 4);
  header.writeDoubleLE(env[0], 8);
  header.writeDoubleLE(env[2], 16);
  header.writeDoubleLE(env[1], 24);
  header.writeDoubleLE(env[3], 32);
  return Buffer.concat([header, wkb]);
}

/** Table names are plain identifiers in the file: letters, digits and underscores. */
export const GPKG_TABLE = 'cells';

/**
 * Cells as a GeoPackage with one feature table `cells` (MULTIPOLYGON, EPSG:4326) and the columns
 * of the GeoJSON export. Written with SQLite itself (sql.js), the tables as the OGC spec defines them.
 */
export async function toGeoPackage(set: ExportSet, title: string): Promise<Buffer> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  try {
    db.run(`PRAGMA application_id = ${GPKG_APPLICATION_ID}; PRAGMA user_version = ${GPKG_USER_VERSION};`);
    db.run(CORE_TABLES);
    db.run(`CREATE TABLE ${GPKG_TABLE} (
      fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom MULTIPOLYGON,
      code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, level INTEGER NOT NULL, levelName TEXT, levelNameEn TEXT,
      parentCode TEXT, areaM2 REAL, responsible TEXT)`);
    const all: Envelope = [Infinity, Infinity, -Infinity, -Infinity];
    const insert = db.prepare(`INSERT INTO ${GPKG_TABLE} (geom, code, name, level, levelName, levelNameEn, parentCode, areaM2, responsible)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    try {
      db.run('BEGIN');
      for (const c of set.cells) {
        const env = envelopeOf(c.geometry);
        all[0] = Math.min(all[0], env[0]); all[1] = Math.min(all[1], env[1]);
        all[2] = Math.max(all[2], env[2]); all[3] = Math.max(all[3], env[3]);
        insert.run([gpkgGeometry(c.wkb, env), c.code, c.name, c.level, c.levelZh, c.levelEn, c.parentCode, c.areaM2, responsibleText(c.people)]);
      }
      db.run('COMMIT');
    } finally {
      insert.free();
    }
    db.run(`INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id)
      VALUES (?, 'features', ?, ?, ?, ?, ?, ?, 4326)`, [GPKG_TABLE, title, 'Wangge grid cells', ...all]);
    db.run(`INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'MULTIPOLYGON', 4326, 0, 0)`, [GPKG_TABLE]);
    return Buffer.from(db.export());
  } finally {
    db.close();
  }
}
