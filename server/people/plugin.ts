import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import peopleRoutes from './routes.ts';
import assignmentRoutes from './assignments.ts';
import assignmentImportRoutes from './import.ts';
import cardRoutes from './card.ts';
import personPhotoRoutes from './photo.ts';

/** People, their assignments to cells, the bulk import, and the public cell card. */
export default async function peoplePlugin(app: FastifyInstance, ctx: AppContext) {
  await app.register(peopleRoutes, ctx);
  await app.register(assignmentRoutes, ctx);
  await app.register(assignmentImportRoutes, ctx);
  await app.register(cardRoutes, ctx);
  await app.register(personPhotoRoutes, ctx);
}
