import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { validatePatrols } from './cadence.ts';
import ledgerRoutes from './ledger.ts';
import planRoutes from './plans.ts';
import inspectionRoutes from './routes.ts';

/** Patrols and inspections: plans (cadences), patrols with check-ins and findings, coverage, the ledger. */
export default async function patrolsPlugin(app: FastifyInstance, ctx: AppContext) {
  validatePatrols(ctx.config.patrols, ctx.config.unitTypes.map((t) => t.code));
  await app.register(planRoutes, ctx);
  await app.register(ledgerRoutes, ctx);
  await app.register(inspectionRoutes, ctx);
}
