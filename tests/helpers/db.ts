import pg from 'pg';
import { inject } from 'vitest';
import type { Db } from '../../server/db/db.ts';
import { openEmbeddedDb } from '../../server/db/embedded.ts';
import { createPostgresDb } from '../../server/db/postgres.ts';
import { migrate } from '../../server/db/migrate.ts';

/** Which database this test project runs on (set per project in vite.config.ts). */
export const TEST_DB = (process.env.WANGGE_TEST_DB ?? 'embedded') as 'embedded' | 'postgres';

const holder = globalThis as { __wanggeTestDb?: Promise<Db> };

async function open(): Promise<Db> {
  if (TEST_DB === 'embedded') {
    const db = await openEmbeddedDb();
    await migrate(db);
    return db;
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  // Each worker of each run gets its own schema: runs and workers never see each other's rows.
  const schema = `wg_t_${inject('runId')}_${process.env.VITEST_POOL_ID ?? '0'}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE EXTENSION IF NOT EXISTS postgis`);
  await admin.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
  await admin.end();
  const db = createPostgresDb({ connectionString: url, schema, max: 5 });
  await migrate(db);
  return db;
}

/** The worker's database, created and migrated once, shared by the test files the worker runs. */
export function testDb(): Promise<Db> {
  holder.__wanggeTestDb ??= open();
  return holder.__wanggeTestDb;
}

/** Empties every Wangge table (not PostGIS's, not the migration record) so a test file starts clean. */
export async function resetDb(db: Db): Promise<void> {
  const { rows } = await db.query<{ t: string }>(
    `SELECT quote_ident(tablename) AS t FROM pg_tables
     WHERE schemaname = current_schema() AND tablename NOT IN ('schema_migrations', 'spatial_ref_sys', 'cells_state')`,
  );
  if (rows.length) await db.exec(`TRUNCATE ${rows.map((r) => r.t).join(', ')} RESTART IDENTITY CASCADE`);
}
