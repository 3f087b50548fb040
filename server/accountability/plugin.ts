import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import warningRoutes from './warnings.ts';
import evaluationRoutes from './evaluation.ts';

/** Accountability (问责与考评): the warnings screen and notices, periodic evaluation and its 通报. */
export default async function accountabilityPlugin(app: FastifyInstance, ctx: AppContext) {
  await warningRoutes(app, ctx);
  await evaluationRoutes(app, ctx);
}
