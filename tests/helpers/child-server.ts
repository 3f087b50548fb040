import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import pg from 'pg';
import type { Db } from '../../server/db/db.ts';
import { openEmbeddedDb, wrapPglite } from '../../server/db/embedded.ts';
import { createPostgresDb } from '../../server/db/postgres.ts';
import { migrate } from '../../server/db/migrate.ts';
import { schemaUrl } from '../../scripts/bench/lib.ts';
import type { ServerDb } from '../../scripts/bench/server.ts';
import { PASSWORD } from './auth.ts';
import { TEST_DB } from './db.ts';

/**
 * A database of its own for the real server run as a child process (scripts/bench/server.ts): an
 * embedded data directory, or a schema of TEST_DATABASE_URL. The tests open it directly to set it
 * up and to check it — the embedded one only while no server runs (PGlite is one process's).
 */
export interface ServerPlace {
  serverDb: ServerDb;
  /** The PostgreSQL schema (postgres only). */
  schema?: string;
  /** Opens the database directly; `migrate` on the first open, before any server ran on it. */
  open: (opts?: { migrate?: boolean }) => Promise<Db>;
  drop: () => Promise<void>;
}

const holder = globalThis as { __wanggeMigratedDump?: Promise<Blob> };

/**
 * An embedded database with PostGIS and every migration, as a PGlite dump: made once per worker,
 * because creating and migrating one costs some 30 s of CPU and restoring the dump a few.
 */
function migratedDump(): Promise<Blob> {
  holder.__wanggeMigratedDump ??= (async () => {
    const pglite = await PGlite.create({ extensions: { postgis } });
    try {
      await migrate(wrapPglite(pglite));
      return await pglite.dumpDataDir('none');
    } finally {
      await pglite.close();
    }
  })();
  return holder.__wanggeMigratedDump;
}

export async function serverPlace(prefix: string): Promise<ServerPlace> {
  if (TEST_DB === 'embedded') {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), `wangge-${prefix}-`));
    return {
      serverDb: { dataDir },
      async open(opts = {}) {
        // The first open of the empty directory restores the migrated dump into it.
        return openEmbeddedDb(opts.migrate ? { dataDir, loadDataDir: await migratedDump() } : { dataDir });
      },
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const url = process.env.TEST_DATABASE_URL!;
  const schema = `wg_${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  return {
    serverDb: { databaseUrl: schemaUrl(schema, url) },
    schema,
    async open(opts = {}) {
      const db = createPostgresDb({ connectionString: url, schema, max: 2 });
      if (opts.migrate) await migrate(db);
      return db;
    },
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

/** Signs in over HTTP; the headers a browser would send afterwards (session cookie, CSRF token). */
export async function signInHttp(url: string, username: string, password = PASSWORD): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('wangge_session='))!.split(';')[0]!;
  return { cookie, 'x-csrf-token': ((await res.json()) as { csrfToken: string }).csrfToken };
}
