import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';

export default async function tileRoutes(_app: FastifyInstance, _ctx: AppContext) {}
