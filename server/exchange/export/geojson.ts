import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import { responsibleText, type ExportCell, type ExportSet } from './cells.ts';

export interface CellExportProperties {
  code: string;
  name: string;
  level: number;
  levelName: string;
  levelNameEn: string;
  parentCode: string | null;
  areaM2: number;
  /** The people in one text, for GIS tables; `people` has them one by one. */
  responsible: string;
  people: ExportCell['people'];
}

/**
 * An RFC 7946 FeatureCollection; the feature id is the cell code, which stays the same across
 * systems. Properties are flat so GIS tools show them as plain columns.
 */
export function toGeoJson(set: ExportSet, title: string): FeatureCollection<MultiPolygon, CellExportProperties> & { name: string } {
  return {
    type: 'FeatureCollection',
    // Not part of RFC 7946, but GDAL and QGIS take it as the layer name.
    name: title,
    features: set.cells.map((c): Feature<MultiPolygon, CellExportProperties> => ({
      type: 'Feature',
      id: c.code,
      geometry: c.geometry,
      properties: {
        code: c.code,
        name: c.name,
        level: c.level,
        levelName: c.levelZh,
        levelNameEn: c.levelEn,
        parentCode: c.parentCode,
        areaM2: c.areaM2,
        responsible: responsibleText(c.people),
        people: c.people,
      },
    })),
  };
}
