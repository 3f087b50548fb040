import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/db.ts';
import { createPostgresDb } from '../../server/db/postgres.ts';
import { listMigrations, migrate } from '../../server/db/migrate.ts';
import { TEST_DB, testDb } from '../helpers/db.ts';

describe('migrations', () => {
  it.runIf(TEST_DB === 'postgres')('four processes starting at once on a new database: each migration applied exactly once, none fails', async () => {
    const url = process.env.TEST_DATABASE_URL!;
    const schema = `wg_mig_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const dbs = Array.from({ length: 4 }, () => createPostgresDb({ connectionString: url, schema, max: 2 }));
    try {
      const results = await Promise.all(dbs.map((db) => migrate(db)));
      const names = listMigrations().map((m) => m.name);
      expect(results.flat().sort()).toEqual([...names].sort());
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.schema_migrations`);
      expect(rows[0].n).toBe(names.length);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  });

  // The worker's database, migrated when it opened (which takes a while on PGlite: in the hook).
  let db: Db;
  beforeAll(async () => {
    db = await testDb();
  });
  it('a second start applies nothing', async () => {
    expect(await migrate(db)).toEqual([]);
  });
});
