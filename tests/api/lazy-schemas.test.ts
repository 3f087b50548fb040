import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { createUser, signIn } from '../helpers/auth.ts';
import { testApp, type TestApp } from '../helpers/app.ts';

// The server compiles each route's schemas on first use (server/lazy-schemas.ts); the tests build
// the app with Fastify's eager compilers. Both must answer every request alike: validation,
// coercion of query strings, problems for bad input, and answers shaped by the response schemas.
describe('schemas compiled on first use answer as the eager ones do', () => {
  let t: TestApp;
  let lazy: FastifyInstance;
  let headers: Record<string, string>;
  beforeAll(async () => {
    t = await testApp({ demo: true });
    lazy = await buildApp({ db: t.db, config: t.config, clientDir: '/nonexistent', lazySchemas: true });
    await lazy.ready();
    await createUser(t.db, 'lazy-admin', 'admin');
    headers = await signIn(t.app, 'lazy-admin');
  });
  afterAll(async () => {
    await lazy.close();
    await t.app.close();
  });

  const requests: { method?: 'GET' | 'POST'; url: string; payload?: unknown; auth?: boolean }[] = [
    { url: '/api/cells?level=2' },
    { url: '/api/cells?level=two' },
    { url: '/api/cells?parentId=1e309' },
    { url: '/api/cells?bbox=107.07,34.02,107.08' },
    { url: '/api/cells/1' },
    { url: '/api/cells/abc' },
    { url: '/api/levels' },
    { url: '/api/reports?limit=2', auth: true },
    { url: '/api/reports?limit=many', auth: true },
    { method: 'POST', url: '/api/reports', payload: { category: 'fire', location: [107.07] } },
    { method: 'POST', url: '/api/session', payload: { username: 'nobody' } },
  ];

  for (const r of requests) {
    it(`${r.method ?? 'GET'} ${r.url}`, async () => {
      const req = { method: r.method ?? 'GET', url: r.url, payload: r.payload as object | undefined, headers: r.auth ? headers : {} };
      const [eager, late] = [await t.app.inject(req), await lazy.inject(req)];
      expect(late.statusCode).toBe(eager.statusCode);
      expect(late.headers['content-type']).toBe(eager.headers['content-type']);
      expect(late.json()).toEqual(eager.json());
    });
  }
});
