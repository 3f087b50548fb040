import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import dutiesRoutes from './routes.ts';
import boardRoutes from './board.ts';

/** 五定 per cell and the printed notice board (网格公示牌). */
export default async function dutiesPlugin(app: FastifyInstance, ctx: AppContext) {
  await app.register(dutiesRoutes, ctx);
  await app.register(boardRoutes, ctx);
}
