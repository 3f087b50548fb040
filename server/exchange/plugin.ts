import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import exportRoutes from './export/routes.ts';

/** Exchanging boundaries with GIS tools: export in GeoJSON, CSV, KML and Shapefile; import with a preview. */
export default async function exchangePlugin(app: FastifyInstance, ctx: AppContext) {
  await app.register(exportRoutes, ctx);
}
