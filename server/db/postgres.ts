import pg from 'pg';
import type { Db, Queryable, QueryResult } from './db.ts';

// int8 (counts, sums) as JS numbers: Wangge's counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      const r = await client.query(sql, params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

export interface PostgresOptions {
  connectionString: string;
  /** Schema put first on the search_path of every connection (isolates test runs). */
  schema?: string;
  max?: number;
}

export function createPostgresDb(opts: PostgresOptions): Db {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 10,
    options: opts.schema ? `-c search_path=${opts.schema},public` : undefined,
  });
  // An idle client that loses its server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const base = wrap(pool);
  return {
    kind: 'postgres',
    ...base,
    async transaction(fn) {
      const client = await pool.connect();
      // A connection lost between two statements is emitted as an 'error' event on the checked-out
      // client; unheard, it would crash the process. The next statement fails instead (→ 503).
      const onLost = () => {};
      client.on('error', onLost);
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.off('error', onLost);
        client.release();
      }
    },
    async listen(channel, onMessage) {
      const client = await pool.connect();
      // A lost LISTEN connection must not crash the process (its events stop until resubscribed).
      client.on('error', () => {});
      const handler = (msg: pg.Notification) => {
        if (msg.channel === channel) onMessage(msg.payload ?? '');
      };
      client.on('notification', handler);
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      return async () => {
        client.off('notification', handler);
        await client.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => {});
        client.release();
      };
    },
    async close() {
      await pool.end();
    },
  };
}
