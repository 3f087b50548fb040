import type { Config } from '../config.ts';
import type { Db } from './db.ts';
import { openEmbeddedDb } from './embedded.ts';
import { createPostgresDb } from './postgres.ts';

/** A PostgreSQL server when DATABASE_URL is set, otherwise the embedded PGlite under the data dir. */
export function openDb(config: Config): Promise<Db> {
  if (config.databaseUrl) return Promise.resolve(createPostgresDb({ connectionString: config.databaseUrl }));
  return openEmbeddedDb({ dataDir: config.dataDir });
}
