import type { Config } from './config.ts';
import type { Db } from './db/db.ts';

/** What every module plugin is given: the database, the configuration and a clock tests can set. */
export interface AppContext {
  db: Db;
  config: Config;
  now: () => Date;
}
