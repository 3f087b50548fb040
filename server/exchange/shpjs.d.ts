// shpjs ships no types; these are the two parsers Wangge's import uses.
declare module 'shpjs' {
  import type { Geometry } from 'geojson';

  /** The shapes of a .shp, in record order (null for a null shape); with a .prj string, reprojected. */
  export function parseShp(shp: DataView | ArrayBuffer | Uint8Array, prj?: string): (Geometry | null)[];
  /** The records of a .dbf, decoded with the encoding label given (a .cpg's text). */
  export function parseDbf(dbf: DataView | ArrayBuffer | Uint8Array, encoding?: string): Record<string, unknown>[];
}
