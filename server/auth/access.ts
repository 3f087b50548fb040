import type { FastifyInstance, RouteOptions } from 'fastify';
import { problem } from '../problem.ts';
import { can, PERMISSIONS, type Actor, type Permission } from './actor.ts';

/**
 * Who may call a route, declared with the route as `config: { access }` and enforced by one hook:
 * - 'public': anyone (the handler may still look at request.user, e.g. to show staff more);
 * - 'signed-in': any account (401 without one);
 * - a permission of PERMISSIONS (actor.ts): an account whose role holds it (401 without one, 403
 *   auth.role-forbidden naming the permission for another role).
 * Whether the object is in the actor's scope is checked by the handler, which loads the object (and
 * answers 404 for a missing one first).
 */
export type Access = 'public' | 'signed-in' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; every route declares it (the app refuses to start otherwise). */
    access?: Access;
  }
  interface FastifyRequest {
    /** The signed-in user of a route that is not public; 401 when read without one. */
    readonly actor: Actor;
  }
}

const ACCESS = new Set<string>(['public', 'signed-in', ...Object.keys(PERMISSIONS)]);

/** A file of the built client, routed by @fastify/static (it marks its routes with the file). */
const isStaticFile = (route: RouteOptions) => typeof (route.config as { file?: unknown } | undefined)?.file === 'string';

/** Refuses anything but the route's declared access; anonymous first (401), then the role (403). */
export function checkAccess(user: Actor | null, access: Access): void {
  if (access === 'public') return;
  if (!user) throw problem('auth.sign-in-required');
  if (access !== 'signed-in' && !can(user, access)) throw problem('auth.role-forbidden', { role: user.role, permission: access });
}

/**
 * Every route must declare its access: one that does not stops the app at start, so a new route
 * cannot forget. The check runs as a preHandler, after the request is validated (a malformed
 * request is a 400 whoever sends it) and after the CSRF check, as the handlers' own checks did.
 */
export function installAccess(app: FastifyInstance) {
  app.decorateRequest('actor', {
    getter(this: { user: Actor | null }): Actor {
      if (!this.user) throw problem('auth.sign-in-required');
      return this.user;
    },
  });

  app.addHook('onRoute', (route) => {
    if (isStaticFile(route)) return;
    const access = route.config?.access;
    const name = `${[route.method].flat().join(',')} ${route.url}`;
    if (access === undefined) throw new Error(`${name} declares no access: add config: { access: 'public' | 'signed-in' | <permission> } (server/auth/access.ts)`);
    if (!ACCESS.has(access)) throw new Error(`${name} declares an unknown access "${String(access)}"`);
  });

  app.addHook('preHandler', async (request) => {
    // Routes without one are the static files and the not-found handler: public by nature.
    const access = request.routeOptions.config.access;
    if (access) checkAccess(request.user, access);
  });
}
