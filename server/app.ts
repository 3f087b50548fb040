import { existsSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import type { AppContext } from './context.ts';
import { lazyCompilers } from './lazy-schemas.ts';
import { installProblemHandlers } from './problem.ts';
import { cellCollectionSchema, cellFeatureSchema } from '../core/contracts/cells.ts';
import systemRoutes from './system/routes.ts';
import cellRoutes from './cells/routes.ts';
import cellEditRoutes from './cells/edit-routes.ts';
import tileRoutes from './tiles/routes.ts';
import open311Routes from './open311/routes.ts';
import coverageRoutes from './coverage/routes.ts';
import partitionRoutes from './partition/routes.ts';
import peoplePlugin from './people/plugin.ts';
import dutiesPlugin from './duties/plugin.ts';
import searchRoutes from './search/routes.ts';
import basemapRoutes, { BasemapStore } from './system/basemap.ts';
import unitsPlugin from './units/plugin.ts';
import reportRoutes from './reports/routes.ts';
import rewardRoutes from './reports/rewards.ts';
import accountabilityPlugin from './accountability/plugin.ts';
import reportEvents from './reports/events.ts';
import exchangePlugin from './exchange/plugin.ts';
import patrolsPlugin from './patrols/plugin.ts';
import commandPlugin from './command/plugin.ts';
import { installAuth } from './auth/plugin.ts';
import type { Access } from './auth/access.ts';
import authRoutes from './auth/routes.ts';
import userRoutes from './users/routes.ts';
import auditLogRoutes from './audit-log.ts';
import { installSecurity } from './security.ts';
import { installInputGuard } from './input-guard.ts';
import { documentResponse } from './response-schemas.ts';

export interface AppOptions extends Partial<Pick<AppContext, 'now'>> {
  db: AppContext['db'];
  config: AppContext['config'];
  logger?: FastifyServerOptions['logger'];
  /** Directory of the built client; served at / when it exists. */
  clientDir?: string;
  /** Compile each route's schemas on its first request (the server's start; see lazy-schemas.ts). */
  lazySchemas?: boolean;
  /**
   * false: leave out the routes' 2xx response schemas (serialize with JSON.stringify, as without
   * them): the test that proves the declared schemas change no answer compares the two.
   */
  responseSchemas?: boolean;
}

export interface RouteInfo {
  method: string;
  url: string;
  csrf: boolean;
  /** Who may call it (server/auth/access.ts); undefined only for the built client's files. */
  access: Access | undefined;
  /** The response schemas the route declares, by status code (the response-schemas test checks every route has a 2xx one). */
  response: Record<string, unknown>;
  /** Left out of the OpenAPI document. */
  hidden: boolean;
}
const routeLists = new WeakMap<FastifyInstance, RouteInfo[]>();
/** Every route of an app (HEAD left out), its declared access, and whether it asks cookie sessions for the CSRF token: the access test checks none is missing from its tables. */
export const routesOf = (app: FastifyInstance): RouteInfo[] => routeLists.get(app) ?? [];

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 5 * 1024 * 1024,
    trustProxy: process.env.WANGGE_TRUST_PROXY === 'true',
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
    ...(opts.lazySchemas ? { schemaController: { compilersFactory: lazyCompilers() } } : {}),
  });
  const routes: RouteInfo[] = [];
  routeLists.set(app, routes);
  if (opts.responseSchemas === false) {
    app.addHook('onRoute', (route) => {
      const response = (route.schema as { response?: Record<string, unknown> } | undefined)?.response;
      if (!response) return;
      // A copy: route schemas are often shared constants, and other apps in the process keep them.
      route.schema = { ...route.schema, response: Object.fromEntries(Object.entries(response).filter(([code]) => !/^2/i.test(code))) };
    });
  }
  app.addHook('onRoute', (route) => {
    const csrf = route.config?.csrf !== false;
    const access = route.config?.access;
    const schema = route.schema as { response?: Record<string, unknown>; hide?: boolean } | undefined;
    const response = schema?.response ?? {};
    const hidden = schema?.hide === true;
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url, csrf, access, response, hidden });
  });
  const ctx: AppContext = { db: opts.db, config: opts.config, now: opts.now ?? (() => new Date()) };

  // The basemap an admin sets lives in the database; the CSP and the client config read it here.
  const basemaps = new BasemapStore(ctx.db, ctx.config);
  installProblemHandlers(app);
  installInputGuard(app);
  await installSecurity(app, ctx.config, basemaps);
  await installAuth(app, ctx);
  app.addSchema(cellFeatureSchema);
  app.addSchema(cellCollectionSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Wangge API', version: '0.1.0', description: 'Community grid management: cells, people, hazard reports.' },
    },
  });
  app.get('/api/openapi.json', {
    config: { access: 'public' },
    schema: { hide: true, response: { 200: documentResponse('This OpenAPI 3.0.3 document', { type: 'object', properties: { openapi: { type: 'string' } }, additionalProperties: true }) } },
  }, async () => app.swagger());

  await app.register(systemRoutes, { ...ctx, basemaps });
  await app.register(basemapRoutes, { ...ctx, basemaps });
  await app.register(authRoutes, ctx);
  await app.register(userRoutes, ctx);
  await app.register(auditLogRoutes, ctx);
  await app.register(cellRoutes, ctx);
  await app.register(cellEditRoutes, ctx);
  await app.register(tileRoutes, ctx);
  await app.register(coverageRoutes, ctx);
  await app.register(partitionRoutes, ctx);
  await app.register(peoplePlugin, ctx);
  await app.register(dutiesPlugin, ctx);
  await app.register(unitsPlugin, ctx);
  await app.register(reportRoutes, ctx);
  await app.register(rewardRoutes, ctx);
  await app.register(accountabilityPlugin, ctx);
  await app.register(reportEvents, ctx);
  await app.register(open311Routes, ctx);
  await app.register(exchangePlugin, ctx);
  await app.register(patrolsPlugin, ctx);
  await app.register(commandPlugin, ctx);
  await app.register(searchRoutes, ctx);

  const clientDir = opts.clientDir ?? path.resolve('dist/client');
  if (existsSync(path.join(clientDir, 'index.html'))) {
    // Hashed build assets never change under their name: cache them for a year. index.html and
    // other unhashed files are revalidated, so a new version is seen on the next load.
    await app.register(fastifyStatic, {
      root: clientDir,
      wildcard: false,
      preCompressed: true,
      cacheControl: false,
      setHeaders: (res, filePath) => {
        const hashed = filePath.includes(`${path.sep}assets${path.sep}`);
        res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    // Client-side routes (/command, /report …) all load the single page.
    app.get('/*', { config: { access: 'public' }, schema: { hide: true } }, (request, reply) =>
      ['/api/', '/tiles/', '/styles/', '/ogc/', '/open311/', '/warnings/notices/'].some((p) => request.url.startsWith(p))
        ? reply.callNotFound()
        : reply.sendFile('index.html'),
    );
  }
  return app;
}
