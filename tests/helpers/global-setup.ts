import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { serverBundle } from '../../scripts/server-bundle.ts';

/** One id per test run: the schemas this run creates on TEST_DATABASE_URL share it and are dropped at the end. */
export default function setup(project: TestProject) {
  const runId = randomBytes(4).toString('hex');
  // The server bundle that tests starting a real server process run (as npm start does), built once here.
  serverBundle();
  project.provide('runId', runId);
  return async () => {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) return;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`wg_t_${runId}_%`]);
    for (const r of rows) await client.query(`DROP SCHEMA ${pg.escapeIdentifier(r.nspname)} CASCADE`);
    await client.end();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    runId: string;
  }
}
