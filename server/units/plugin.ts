import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { unitCollectionSchema, unitFeatureSchema } from '../../core/contracts/units.ts';
import unitHistoryRoutes from './history.ts';
import unitRoutes from './routes.ts';
import unitTransferRoutes from './transfer.ts';
import { pointTableRerouter, refileOnCellChange } from '../cells/reroute.ts';

/** Units follow their point to the smallest cell after boundary changes. */
const unitsRerouter = pointTableRerouter('units');

/** Units and places on file, their records, import and export. */
export default async function unitsPlugin(app: FastifyInstance, ctx: AppContext) {
  refileOnCellChange(unitsRerouter);
  app.addSchema(unitFeatureSchema);
  app.addSchema(unitCollectionSchema);
  await app.register(unitRoutes, ctx);
  await app.register(unitTransferRoutes, ctx);
  await app.register(unitHistoryRoutes, ctx);
}
