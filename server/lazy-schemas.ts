import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type Validate = ((data: unknown, ctx?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown };

/**
 * Fastify's own compilers (Ajv for requests, fast-json-stringify for answers), each route's compiled
 * on its first request instead of all ~200 at start, which took about a second of a restart. A
 * broken schema then fails that route's first request rather than the start; tests build the app
 * with the eager compilers, so it is still found there.
 */
export function lazyCompilers(): CompilersFactory {
  const validators = AjvCompiler();
  const serializers = SerializerSelector();
  return {
    buildValidator(external, options) {
      const compile = validators(external, options);
      return (route) => {
        let fn: Validate | undefined;
        const lazy: Validate = (data, ctx) => {
          fn ??= compile(route) as Validate;
          const ok = fn(data, ctx);
          lazy.errors = fn.errors;
          return ok;
        };
        // Ajv's validators take the parent (to coerce a root value); Fastify passes it when it sees this.
        lazy.schemaEnv = true;
        return lazy as ReturnType<ReturnType<typeof validators>>;
      };
    },
    buildSerializer(external, options) {
      const compile = serializers(external, options);
      return (route) => {
        let fn: ((doc: unknown) => string) | undefined;
        return (doc: unknown) => (fn ??= compile(route))(doc);
      };
    },
  };
}
