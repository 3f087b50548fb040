import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, types } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import type { Db, Queryable, QueryResult } from './db.ts';

// Same row shapes as node-postgres: int8 and numeric as JS numbers.
const parsers = {
  [types.INT8]: (v: string) => Number(v),
  [types.NUMERIC]: (v: string) => Number(v),
};

type PgliteLike = Pick<PGlite, 'query' | 'exec'>;

function wrap(client: PgliteLike): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      const r = await client.query<T>(sql, params, { parsers });
      // PGlite reports affectedRows 0 for a SELECT; node-postgres counts its rows.
      return { rows: r.rows, rowCount: Math.max(r.rows.length, r.affectedRows ?? 0) };
    },
    async exec(sql: string) {
      await client.exec(sql);
    },
  };
}

export interface EmbeddedOptions {
  /** Directory the database persists in; in memory when omitted. */
  dataDir?: string;
  /** A dump from PGlite.dumpDataDir to start from (tests clone a prepared database this way). */
  loadDataDir?: Blob;
}

/** Wraps an open PGlite (with the PostGIS extension loaded) as a Db. */
export function wrapPglite(pglite: PGlite): Db {
  return {
    kind: 'embedded',
    ...wrap(pglite),
    // PGlite is one connection: its transaction() holds it, so other queries wait their turn.
    transaction: (fn) => pglite.transaction((tx) => fn(wrap(tx))),
    async listen(channel, onMessage) {
      const unsub = await pglite.listen(channel, onMessage);
      return unsub;
    },
    close: () => pglite.close(),
  };
}

const POSTGIS_BUNDLE = fileURLToPath(new URL('postgis.tar.gz', import.meta.resolve('@electric-sql/pglite-postgis')));

/**
 * PGlite compiles every shared library of an extension's bundle when it opens a database: PostGIS
 * ships raster and topology too (31 of its 48 MB of WebAssembly), which Wangge never uses. A copy
 * of the bundle without them (and without upgrade scripts) is made once next to the packages; it
 * saves most of the open time and a few hundred MB of memory. Without a `tar` command, the full one.
 */
function slimPostgisBundle(): string {
  const slim = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/.cache/wangge/postgis-slim.tar.gz');
  if (existsSync(slim)) return slim;
  try {
    mkdirSync(path.dirname(slim), { recursive: true });
    const work = mkdtempSync(`${slim}-`);
    execFileSync('tar', ['-xzf', POSTGIS_BUNDLE, '-C', work]);
    for (const rel of ['lib/postgresql/postgis_raster-3.so', 'lib/postgresql/postgis_topology-3.so', 'share/postgresql/contrib']) {
      rmSync(path.join(work, rel), { recursive: true, force: true });
    }
    execFileSync('sh', ['-c', 'cd "$1" && find share/postgresql/extension -name "*--*--*" -delete && tar -czf "$1.tar.gz" lib share', 'sh', work]);
    renameSync(`${work}.tar.gz`, slim);
    rmSync(work, { recursive: true, force: true });
    return slim;
  } catch {
    return POSTGIS_BUNDLE;
  }
}

/** PostGIS with the slim bundle (see above). */
const slimPostgis: typeof postgis = {
  name: 'postgis',
  setup: async (pg, emscriptenOpts) => {
    const setup = await postgis.setup(pg, emscriptenOpts);
    return { ...setup, bundlePath: new URL(`file://${slimPostgisBundle()}`) };
  },
};

export async function openEmbeddedDb(opts: EmbeddedOptions = {}): Promise<Db> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    dataDir: opts.dataDir,
    loadDataDir: opts.loadDataDir,
    extensions: { postgis: slimPostgis },
  });
  return wrapPglite(pglite);
}
