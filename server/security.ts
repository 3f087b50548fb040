import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { Config } from './config.ts';
import { problem } from './problem.ts';
import { basemapOrigins } from '../core/basemap/basemap.ts';
import type { BasemapStore } from './system/basemap.ts';

const origin = (url?: string) => {
  if (!url) return [];
  try {
    return [new URL(url.replace(/\{[^}]+\}/g, '0')).origin];
  } catch {
    return [];
  }
};

/** Routes anyone may read without signing in, limited per address: cells, tiles, OGC API, report tracking. */
export const isPublicRead = (url: string) =>
  /^\/api\/cells(\/|$)/.test(url) || url.startsWith('/tiles/') || url.startsWith('/styles/') || url === '/ogc' || url.startsWith('/ogc/')
  || url.startsWith('/api/reports/track/') || url.startsWith('/open311/') || /^\/cells\/[^/]+\/board$/.test(url);

/**
 * Security headers with a Content-Security-Policy the map works under (MapLibre runs its workers
 * from blob: URLs and decodes images from blob:/data:), plus per-route rate limits.
 */
export async function installSecurity(app: FastifyInstance, config: Config, basemaps: BasemapStore) {
  const configured = [...origin(config.basemap.styleUrl), ...origin(config.basemap.rasterTiles)];
  // The basemap an admin set: its hosts may change while the server runs, so the policy asks each time.
  const basemap = () => [...new Set([...configured, ...basemapOrigins(basemaps.current())])].join(' ');
  // Pages read the setting at most a few seconds old (several processes may share the database).
  app.addHook('onRequest', async (request) => {
    if (request.method === 'GET' && !request.url.startsWith('/api/') && !request.url.startsWith('/tiles/')) await basemaps.refresh().catch(() => undefined);
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        imgSrc: ["'self'", 'data:', 'blob:', basemap],
        connectSrc: ["'self'", 'data:', 'blob:', basemap],
        styleSrc: ["'self'", "'unsafe-inline'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
    // Tiles and exports are read by GIS tools and other sites' maps.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  // Public reads get a generous limit per address (a map panning fast asks for a few hundred tiles a
  // minute): set on every matching GET route as it is declared, so routes added later are covered.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes('GET') || !isPublicRead(route.url)) return;
    const routeConfig = (route.config ?? {}) as { rateLimit?: unknown };
    routeConfig.rateLimit ??= { max: config.security.publicReadsPerMinute, timeWindow: '1 minute' };
    route.config = routeConfig as typeof route.config;
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, ctx) =>
      problem('http.rate-limited', { max: ctx.max, after: ctx.after }),
  });
}
