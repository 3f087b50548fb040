import { mkdirSync } from 'node:fs';
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

export async function openEmbeddedDb(opts: EmbeddedOptions = {}): Promise<Db> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    dataDir: opts.dataDir,
    loadDataDir: opts.loadDataDir,
    extensions: { postgis },
  });
  return wrapPglite(pglite);
}
