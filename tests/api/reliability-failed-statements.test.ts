import { describe, expect, it } from 'vitest';
import { testDb, resetDb } from '../helpers/db.ts';
import { TEST_DB } from '../helpers/db.ts';

// After any number of failing statements the database still answers. On the embedded database
// each failed statement used to leave ~1 KB of PGlite's WebAssembly stack behind (see
// server/db/embedded.ts), and after ~1,900 of them every statement failed with "stack depth limit
// exceeded" until a restart.

const FAILING: [string, unknown[]][] = [
  ['SELECT 1/0', []],
  ['SELEC 1', []],
  ['SELECT $1::int', ['not a number']],
  ['SELECT $1::text', ['a\u0000b']],
  ['SELECT id FROM cells WHERE parent_id = $1', ['Infinity']],
];

describe(`failed statements (${TEST_DB})`, () => {
  it('leave the database answering after 2,600 failures, outside and inside transactions', async () => {
    const db = await testDb();
    await resetDb(db);
    let failed = 0;
    for (let i = 0; i < 2_500; i++) {
      const [sql, params] = FAILING[i % FAILING.length]!;
      await db.query(sql, params).catch(() => failed++);
    }
    for (let i = 0; i < 100; i++) {
      await db.transaction(async (tx) => {
        await tx.query('SELECT 1');
        await tx.query('SELECT 1/0');
      }).catch(() => failed++);
    }
    expect(failed).toBe(2_600);
    expect((await db.query<{ x: number }>('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
    const n = await db.transaction(async (tx) => (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM cells')).rows[0]!.n);
    expect(n).toBe(0);
  }, 120_000);
});
