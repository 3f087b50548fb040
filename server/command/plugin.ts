import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import feedRoutes from './feed.ts';
import heatmapRoutes from './heatmap.ts';
import monthlyRoutes from './monthly.ts';
import statsRoutes from './stats.ts';
import { reportSchema } from '../../core/contracts/reports.ts';

/** The command view (指挥中心): heatmap, cell statistics and KPIs, the monthly report, the live feed's first load. */
export default async function commandPlugin(app: FastifyInstance, ctx: AppContext) {
  // The reports module registers Report in its own (sibling) context; the feed answers in that shape too.
  app.addSchema(reportSchema);
  await heatmapRoutes(app, ctx);
  await statsRoutes(app, ctx);
  await monthlyRoutes(app, ctx);
  await feedRoutes(app, ctx);
}
