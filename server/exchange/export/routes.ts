import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { problem, problemSchema } from '../../problem.ts';
import { idSchema } from '../../schemas.ts';
import { loadExportCells, type ExportSet } from './cells.ts';
import { toCsv } from './csv.ts';
import { contentDisposition, exportTitle } from './filename.ts';
import { toGeoJson } from './geojson.ts';
import { toGeoPackage } from './geopackage.ts';
import { toKml } from './kml.ts';
import { toShapefileZip } from './shapefile.ts';

interface Query {
  level?: number;
  rootId?: number;
  precision: number;
  download: boolean;
}

interface Format {
  ext: string;
  type: string;
  summary: string;
  write: (set: ExportSet, title: string) => Buffer | string | Promise<Buffer>;
}

const FORMATS: Format[] = [
  { ext: 'geojson', type: 'application/geo+json', summary: 'Cells as RFC 7946 GeoJSON (lon/lat, exterior rings counter-clockwise)', write: (s, t) => JSON.stringify(toGeoJson(s, t)) },
  { ext: 'csv', type: 'text/csv; charset=utf-8', summary: 'Cells as CSV with the geometry as WKT (UTF-8 with BOM, for Excel)', write: (s) => toCsv(s) },
  { ext: 'kml', type: 'application/vnd.google-earth.kml+xml', summary: 'Cells as KML 2.2 (Google Earth, mobile map apps), one folder per level', write: (s, t) => toKml(s, t) },
  { ext: 'shp.zip', type: 'application/zip', summary: 'Cells as a zipped Shapefile (.shp .shx .dbf .prj .cpg; UTF-8 attributes)', write: (s) => toShapefileZip(s) },
  { ext: 'gpkg', type: 'application/geopackage+sqlite3', summary: 'Cells as an OGC GeoPackage (one feature table "cells", EPSG:4326)', write: (s, t) => toGeoPackage(s, t) },
];

/** Exporting cells (a level, a subtree, or both) in the formats GIS users use. Public, like the cells. */
export default async function exportRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  const querystring = {
    type: 'object',
    properties: {
      level: { type: 'integer', minimum: 1, maximum: config.levels.length, description: 'only cells of this level' },
      rootId: { ...idSchema, description: 'only this cell and the cells below it' },
      precision: { type: 'integer', minimum: 0, maximum: 15, default: 7, description: 'decimals kept in coordinates (7 ≈ 1 cm)' },
      download: { type: 'boolean', default: true, description: 'send Content-Disposition: attachment with a file name' },
    },
    additionalProperties: false,
  } as const;

  for (const format of FORMATS) {
    app.get<{ Querystring: Query }>(`/api/export/cells.${format.ext}`, {
      config: { access: 'public' },
      schema: {
        tags: ['export'],
        summary: format.summary,
        description: 'Properties: code, name, level, level name (zh, en), parent code, true area in m², responsible people by role. '
          + 'The file is named after the district, the subtree, the level and the date.',
        querystring,
        response: {
          200: { description: format.summary, content: { [format.type.split(';')[0]!]: { schema: { type: 'string', format: 'binary' } } } },
          '4xx': problemSchema,
        },
      },
    }, async (request, reply) => {
      const { level, rootId, precision, download } = request.query;
      const set = await loadExportCells(db, config, { level, rootId, precision });
      if (set.cells.length === 0) {
        const which = { zh: `${level ? `（第 ${level} 级）` : ''}${rootId ? `（网格 ${rootId} 之下）` : ''}`, en: `${level ? ` of level ${level}` : ''}${rootId ? ` under cell ${rootId}` : ''}` };
        throw problem('export.no-cells', { which });
      }
      const levelName = level ? config.levels.find((l) => l.level === level)?.zh : undefined;
      const title = exportTitle([set.districtName ?? 'wangge', set.rootName, levelName], now());
      const body = await format.write(set, title);
      reply.type(format.type);
      if (download) reply.header('content-disposition', contentDisposition(title, format.ext));
      return reply.send(body);
    });
  }
}
