import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import exportRoutes from './export/routes.ts';
import reportExportRoutes from './export/reports.ts';
import importRoutes from './import/routes.ts';
import ogcRoutes from './ogc/routes.ts';
import qgisProjectRoutes from './export/qgis-project.ts';

/**
 * Exchanging boundaries with GIS tools: export (GeoJSON, CSV, KML, Shapefile, GeoPackage; reports as
 * GeoJSON and CSV), import with a preview and one-transaction commit, and OGC API – Features at /ogc.
 */
export default async function exchangePlugin(app: FastifyInstance, ctx: AppContext) {
  await app.register(exportRoutes, ctx);
  await app.register(reportExportRoutes, ctx);
  await app.register(importRoutes, ctx);
  await app.register(ogcRoutes, ctx);
  await app.register(qgisProjectRoutes, ctx);
}
