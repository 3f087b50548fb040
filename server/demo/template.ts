import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import { openEmbeddedDb } from '../db/embedded.ts';
import { migrate } from '../db/migrate.ts';
import { seedDemo } from './seed.ts';
import { ensureReportPartitionsAhead } from '../reports/partitions.ts';
import { ROOT } from '../root.ts';

/**
 * A ready embedded database with the demo seeded, built once per code version and copied on first
 * start: creating a PGlite cluster, loading PostGIS and migrating take most of a minute on a small
 * machine, copying a directory about a second. The copy's dates are then moved forward to the day
 * it starts (shiftDemoDates), so the demo never looks stale whenever the template was made.
 */
/** Written into a copied data directory; the server moves the dates forward on its first start, then removes it. */
export const DEMO_MARKER = 'wangge-demo.json';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  }).sort();
}

/** What decides the template's content: migrations, the demo's code and data, the seeding code, the database packages, the configuration it reads. */
export function demoTemplateKey(config: Config): string {
  const hash = createHash('sha256');
  const files = [
    ...filesUnder(path.join(ROOT, 'server/db')), ...filesUnder(path.join(ROOT, 'server/demo')), ...filesUnder(path.join(ROOT, 'data/demo')),
    path.join(ROOT, 'server/auth/bootstrap.ts'), path.join(ROOT, 'server/auth/passwords.ts'), path.join(ROOT, 'server/reports/deadlines.ts'),
    path.join(ROOT, 'core/reports/workflow.ts'), path.join(ROOT, 'server/reports/partitions.ts'), path.join(ROOT, 'package-lock.json'),
  ];
  for (const f of files) hash.update(path.relative(ROOT, f)).update(readFileSync(f));
  hash.update(JSON.stringify([config.assignmentRoles, config.unitTypes, config.reports.categories, config.reports.deadlines,
    config.reports.categoryDeadlines, config.reports.rewards, config.patrols]));
  return hash.digest('hex').slice(0, 16);
}

/** WANGGE_DEMO_LIVING=false: the district and accounts only, no people, units, reports or patrols (tests with their own data). */
export const demoLiving = () => process.env.WANGGE_DEMO_LIVING !== 'false';

export function demoTemplateDir(config: Config): string {
  return path.join(process.env.WANGGE_TEMPLATE_DIR ?? path.join(ROOT, 'data/templates'), `demo-${demoTemplateKey(config)}${demoLiving() ? '' : '-cells'}`);
}

/** Builds the template unless it exists; returns its directory. Renamed into place only when complete. */
export async function ensureDemoTemplate(config: Config, log: (line: string) => void = () => {}): Promise<string> {
  const dir = demoTemplateDir(config);
  if (existsSync(path.join(dir, DEMO_MARKER))) return dir;
  const parent = path.dirname(dir);
  await mkdir(parent, { recursive: true });
  const building = `${dir}.building-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  const started = Date.now();
  log(`building the demo database once for this version (about a minute): ${dir}`);
  const db = await openEmbeddedDb({ dataDir: building });
  const seededAt = new Date();
  try {
    await migrate(db);
    await seedDemo(db, config, seededAt, { living: demoLiving() });
    // The demo's months of reports in their own partitions already, not in DEFAULT at every first start.
    await ensureReportPartitionsAhead(db, seededAt);
    // A checkpoint leaves less WAL to copy and replay.
    await db.exec('CHECKPOINT');
  } finally {
    await db.close();
  }
  await writeFile(path.join(building, DEMO_MARKER), JSON.stringify({ seededAt: seededAt.toISOString() }));
  // Another process may have finished first: theirs is as good as ours.
  await rename(building, dir).catch(() => rm(building, { recursive: true, force: true }));
  // Older templates (earlier code versions) are of no further use.
  for (const name of readdirSync(parent)) {
    const sameKind = name.endsWith('-cells') === dir.endsWith('-cells');
    if (name.startsWith('demo-') && sameKind && path.join(parent, name) !== dir && !name.includes('.building-')) await rm(path.join(parent, name), { recursive: true, force: true });
  }
  log(`demo database built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

/** Copies the template into an empty data directory (the embedded default's first start). */
export async function copyDemoTemplate(template: string, dataDir: string): Promise<void> {
  await mkdir(path.dirname(dataDir), { recursive: true });
  await cp(template, dataDir, { recursive: true });
}

/** Whether a data directory holds no database yet. */
export function isEmptyDataDir(dataDir: string): boolean {
  return !existsSync(path.join(dataDir, 'PG_VERSION'));
}

/**
 * Moves every date of a freshly copied demo forward by the time since it was seeded, so that
 * "today" in the demo is today (reports, deadlines, patrols). Done once, then the marker goes.
 * Returns the shift in milliseconds (0 when there was no marker or less than ten minutes to move).
 */
export async function shiftDemoDates(db: Db, dataDir: string, now: Date): Promise<number> {
  const marker = path.join(dataDir, DEMO_MARKER);
  if (!existsSync(marker)) return 0;
  const { seededAt } = JSON.parse(await readFile(marker, 'utf8')) as { seededAt: string };
  const shift = now.getTime() - new Date(seededAt).getTime();
  if (shift > 10 * 60_000) {
    const { rows } = await db.query<{ table_name: string; columns: string[] }>(
      `SELECT table_name, array_agg(column_name::text ORDER BY column_name) AS columns FROM information_schema.columns
       WHERE table_schema = current_schema() AND data_type IN ('timestamp with time zone', 'date')
         AND table_name NOT IN ('schema_migrations', 'cells', 'cell_versions', 'report_heat')
         AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')
         -- A partition's rows move with its partitioned table (reports).
         AND table_name NOT IN (SELECT relname FROM pg_class WHERE relispartition AND relnamespace = current_schema()::regnamespace)
       GROUP BY table_name`);
    await db.transaction(async (tx) => {
      // Moving dates changes no meaning: no trigger needs to see it.
      await tx.exec('SET LOCAL session_replication_role = replica');
      for (const t of rows) {
        const sets = t.columns.map((c) => `"${c}" = "${c}" + ($1::bigint * interval '1 millisecond')`);
        await tx.query(`UPDATE "${t.table_name}" SET ${sets.join(', ')}`, [shift]);
      }
      // The heatmap's rollup counts reports per day: with triggers off it is rebuilt from the moved
      // reports (its days are not moved: a day moved onto one not yet moved would collide).
      await tx.exec('SET LOCAL session_replication_role = origin');
      await tx.exec('SELECT report_heat_rebuild()');
    });
  }
  await rm(marker);
  return shift > 10 * 60_000 ? shift : 0;
}
