import { loadConfig, listenHost } from './config.ts';
import { openDb } from './db/open.ts';
import { migrate } from './db/migrate.ts';
import { seedDemo } from './demo/seed.ts';
import { copyDemoTemplate, demoLiving, ensureDemoTemplate, isEmptyDataDir, shiftDemoDates } from './demo/template.ts';
import { DEMO_PASSWORD, accountsWithDemoPassword } from './auth/bootstrap.ts';

const config = loadConfig();
const started = Date.now();
const embedded = !config.databaseUrl;
// The embedded demo's first start copies a database prepared once per code version (see server/demo/template.ts).
if (embedded && config.seedDemo && isEmptyDataDir(config.dataDir)) {
  const template = await ensureDemoTemplate(config, (line) => console.log(line));
  await copyDemoTemplate(template, config.dataDir);
}
// The database opens (PGlite compiles its WebAssembly on V8's background threads) while the
// app's modules load: both take most of a start.
const opening = openDb(config);
const [{ buildApp }, { startEscalation }, { startReportPartitions }, { warmEmbeddedImports }] = await Promise.all([
  import('./app.ts'), import('./reports/escalation.ts'), import('./reports/partitions.ts'), import('./exchange/import/warmup.ts')]);
const db = await opening;
const applied = await migrate(db);
const shifted = embedded ? await shiftDemoDates(db, config.dataDir, new Date()) : 0;
const seeded = config.seedDemo ? await seedDemo(db, config, new Date(), { living: demoLiving() }) : null;
// Accounts with the demo password belong to a seeded demo only; anywhere else the server refuses them.
const demoAccounts = await accountsWithDemoPassword(db);
if (demoAccounts.length && !config.seedDemo) {
  console.error(`Refusing to start: accounts ${demoAccounts.join(', ')} still have the demo password. Change them first (npm run admin -- password <username>).`);
  process.exit(1);
}
const app = await buildApp({ db, config, logger: { level: process.env.LOG_LEVEL ?? 'info' }, lazySchemas: true });
// The months' partitions of reports exist before the first intake (and the demo's moved dates have theirs).
await startReportPartitions(db, app.log).first;
startEscalation(db, config.reports, app.log);

const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite at ${config.dataDir}`;
app.log.info(`database: ${where}; migrations applied: ${applied.length}; demo dates moved forward by ${Math.round(shifted / 3600_000)} h`);
if (seeded?.living) app.log.info({ demo: seeded.living }, 'living demo seeded');
const host = listenHost(config, demoAccounts.length > 0);
if (demoAccounts.length) {
  app.log.warn(`演示账号 ${demoAccounts.join('、')}（密码 ${DEMO_PASSWORD}）仅供演示；服务只在 ${host} 上监听${config.host ? '（HOST 已设置）' : '，设置 HOST 可改变'}。`
    + ` Demo accounts ${demoAccounts.join(', ')} (password ${DEMO_PASSWORD}) are for the demo only; listening on ${host}${config.host ? ' (HOST is set)' : ' only; set HOST to change it'}.`);
} else if (!seeded) {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  if (rows[0]?.n === 0) {
    app.log.warn('尚无账号：请用 npm run admin -- create <用户名> 创建第一个管理员。 No accounts yet: create the first admin with npm run admin -- create <username>.');
  }
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

await app.listen({ port: config.port, host });
// The embedded database compiles PostGIS's code on first use: an import rehearsed now is not the planner's first.
if (embedded) warmEmbeddedImports(db, config, app.log);
app.log.info(`Wangge ready on http://${host === '0.0.0.0' ? 'localhost' : host}:${config.port} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
