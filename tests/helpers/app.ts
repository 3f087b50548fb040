import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import type { Db } from '../../server/db/db.ts';
import { seedDemoDistrict } from '../../server/demo/seed.ts';
import { resetDb, testDb } from './db.ts';

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
  await app.ready();
  return { app, db, config };
}
