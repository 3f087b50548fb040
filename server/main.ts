import { loadConfig } from './config.ts';
import { openDb } from './db/open.ts';
import { migrate } from './db/migrate.ts';
import { seedDemoDistrict } from './demo/seed.ts';
import { buildApp } from './app.ts';

const config = loadConfig();
const started = Date.now();
const db = await openDb(config);
const applied = await migrate(db);
const seeded = config.seedDemo ? await seedDemoDistrict(db) : 0;
const app = await buildApp({ db, config, logger: { level: process.env.LOG_LEVEL ?? 'info' } });

const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite at ${config.dataDir}`;
app.log.info(`database: ${where}; migrations applied: ${applied.length}; demo cells seeded: ${seeded}`);

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  app.log.info(`${signal}: finishing in-flight requests`);
  await app.close();
  await db.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await app.listen({ port: config.port, host: config.host });
app.log.info(`Wangge ready on http://localhost:${config.port} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
