import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import type { Db } from '../../server/db/db.ts';
import { seedDemoDistrict } from '../../server/demo/seed.ts';
import { resetDb, testDb } from './db.ts';
import { problemLacks } from './problems.ts';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  config: Config;
}

/** A fresh app on the worker's (emptied) database; with demo: true, the demo district is loaded. */
export async function testApp(opts: { demo?: boolean; config?: Partial<Config>; now?: () => Date } = {}): Promise<TestApp> {
  const db = await testDb();
  await resetDb(db);
  const base = loadConfig({});
  // Tests sign in often from one address; the rate-limit test sets its own low limit.
  const config = { ...base, security: { ...base.security, signInPerMinute: 10_000, reportsPerMinute: 10_000, publicReadsPerMinute: 1_000_000 }, ...opts.config };
  if (opts.demo) await seedDemoDistrict(db);
  const app = await buildApp({ db, config, now: opts.now, clientDir: '/nonexistent' });
  // Every problem any API test provokes must carry a catalog code with zh-CN and en text: one that
  // does not is turned into a 599 naming what is missing, so the test that provoked it fails.
  app.addHook('onSend', async (request, reply, payload) => {
    if (!String(reply.getHeader('content-type') ?? '').startsWith('application/problem+json') || typeof payload !== 'string') return payload;
    const lacks = problemLacks(JSON.parse(payload) as Record<string, unknown>);
    if (!lacks) return payload;
    reply.code(599);
    return JSON.stringify({ untranslatedProblem: lacks, url: request.url, original: JSON.parse(payload) as unknown });
  });
  await app.ready();
  return { app, db, config };
}
