import { loadConfig } from './config.ts';
import { openDb } from './db/open.ts';
import { migrate } from './db/migrate.ts';
import { seedDemoDistrict } from './demo/seed.ts';
import { buildApp } from './app.ts';
import { startEscalation } from './reports/escalation.ts';
import { DEMO_PASSWORD, accountsWithDemoPassword, seedDemoAccounts } from './auth/bootstrap.ts';

const config = loadConfig();
const started = Date.now();
const db = await openDb(config);
const applied = await migrate(db);
const seeded = config.seedDemo ? await seedDemoDistrict(db) : 0;
const demoAccounts = config.databaseUrl ? [] : await seedDemoAccounts(db);
if (config.databaseUrl) {
  const unsafe = await accountsWithDemoPassword(db);
  if (unsafe.length) {
    console.error(`Refusing to start: accounts ${unsafe.join(', ')} still have the demo password. Change them first (npm run admin -- password <username>).`);
    process.exit(1);
  }
}
const app = await buildApp({ db, config, logger: { level: process.env.LOG_LEVEL ?? 'info' } });
startEscalation(db, config.reports, app.log);

const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite at ${config.dataDir}`;
app.log.info(`database: ${where}; migrations applied: ${applied.length}; demo cells seeded: ${seeded}`);

if (demoAccounts.length) {
  app.log.warn(`demo accounts created (demo only, change them): ${demoAccounts.join(', ')} with password ${DEMO_PASSWORD}`);
}

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  app.log.info(`${signal}: finishing in-flight requests`);
  // A keep-alive socket whose request finishes after close() began would hold the server open until
  // its keep-alive timeout; close such sockets as soon as they fall idle.
  const sweep = setInterval(() => app.server.closeIdleConnections(), 200);
  await app.close();
  clearInterval(sweep);
  await db.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await app.listen({ port: config.port, host: config.host });
app.log.info(`Wangge ready on http://localhost:${config.port} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
