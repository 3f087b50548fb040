import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from './db.ts';
import { ROOT } from '../root.ts';

const MIGRATIONS_DIR = path.join(ROOT, 'server/db/migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Migrations are files NNN_name.sql, applied in order of NNN. */
export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .map((f) => ({ version: Number(f.split('_')[0]), name: f.replace(/\.sql$/, ''), sql: readFileSync(path.join(dir, f), 'utf8') }))
    .sort((a, b) => a.version - b.version);
}

// Several server processes may start at once on one database (DESIGN: more than one process is
// supported): each step takes this lock for its transaction, so one process migrates and the others
// find the work done. Keyed by schema, so test runs in schemas of their own do not wait on each other.
const LOCK = `SELECT pg_advisory_xact_lock(hashtext('wangge-migrate:' || current_schema()))`;

/** Applies the migrations not yet recorded, each in its own transaction. Returns the ones applied. */
export async function migrate(db: Db, migrations = listMigrations()): Promise<string[]> {
  await db.transaction(async (tx) => {
    await tx.query(LOCK);
    await tx.exec('CREATE EXTENSION IF NOT EXISTS postgis');
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  });
  const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((r) => r.version));
  const done: string[] = [];
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    await db.transaction(async (tx) => {
      await tx.query(LOCK);
      // Another process may have applied it while this one waited for the lock.
      const again = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (again.rows.length) return;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      done.push(m.name);
    });
  }
  return done;
}
