import pg from 'pg';
import type { Db, Queryable, QueryResult } from './db.ts';

// int8 (counts, sums) as JS numbers: Wangge's counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[], prepared?: string): Promise<QueryResult<T>> {
      const r = prepared ? await client.query({ name: prepared, text: sql, values: params }) : await client.query(sql, params as unknown[]);
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
    async listen(channel, onMessage, onResubscribed) {
      const handler = (msg: pg.Notification) => {
        if (msg.channel === channel) onMessage(msg.payload ?? '');
      };
      let client: pg.PoolClient | null = null;
      let stopped = false;
      let retry: ReturnType<typeof setTimeout> | undefined;
      // A lost LISTEN connection must not crash the process, and must not end the events for good:
      // drop it and subscribe again until the database is back; onResubscribed lets the caller catch up.
      const resubscribe = () => {
        if (!stopped) retry = setTimeout(() => void subscribe().then(() => stopped || onResubscribed?.(), resubscribe), 2000);
      };
      async function subscribe() {
        const c = await pool.connect();
        let lost = false;
        c.on('error', () => {
          if (lost) return;
          lost = true;
          if (client === c) client = null;
          c.release(true);
          resubscribe();
        });
        c.on('notification', handler);
        try {
          await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
        } catch (err) {
          if (!lost) {
            lost = true;
            c.release(true);
          }
          throw err;
        }
        if (stopped) {
          c.release();
          return;
        }
        client = c;
      }
      await subscribe();
      return async () => {
        stopped = true;
        clearTimeout(retry);
        const c = client;
        client = null;
        if (!c) return;
        c.off('notification', handler);
        await c.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => {});
        c.release();
      };
    },
    async close() {
      await pool.end();
    },
  };
}
