/**
 * The one seam between Wangge and its database. Two implementations speak the same PostGIS SQL:
 * node-postgres against a PostgreSQL server, and PGlite with PostGIS in-process. Nothing outside
 * server/db knows which one runs.
 */
export interface Queryable {
  /**
   * prepared names a hot statement, parsed and planned once per connection instead of on every call
   * (the same name must always go with the same text): a named statement on PostgreSQL, PREPARE and
   * EXECUTE on PGlite.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], prepared?: string): Promise<QueryResult<T>>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export type DbKind = 'embedded' | 'postgres';

export interface Db extends Queryable {
  readonly kind: DbKind;
  /** Runs fn in one transaction: committed when fn resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Calls onMessage for each NOTIFY on channel; resolves to an unsubscribe function. A lost
   * subscription is renewed by itself; onResubscribed is called then, so the caller can catch up on
   * what was sent while it was not listening.
   */
  listen(channel: string, onMessage: (payload: string) => void, onResubscribed?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
