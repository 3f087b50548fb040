import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/db.ts';
import { resetDb, testDb, TEST_DB } from '../helpers/db.ts';

// A hot statement is run by name (the intake's filing statement): PostgreSQL prepares it once per
// connection; PGlite PREPAREs it and EXECUTEs it with the parameters written as SQL literals. Both
// must answer exactly what the same statement answers unnamed, whatever the parameters hold.

let db: Db;

const ECHO = `SELECT $1::text AS t, $2::bigint AS n, $3::float8 AS f, $4::timestamptz AS at, $5::boolean AS b, $6::jsonb AS j, $7::int AS missing`;

const hostile = [
  "it's", "'); DELETE FROM settings; --", "\\'; SELECT 1; --", '$$ dollar $$', "E'\\x00'", '路口\'东侧"消防通道"',
  '\\', "''", "'", '🔥 emoji', 'a\nb\tc', '%s %d', '$1',
];

beforeAll(async () => {
  db = await testDb();
  await resetDb(db);
  await db.query(`INSERT INTO settings (key, value) VALUES ('prepared.kept', '"留存"')`);
});

describe(`named statements (${TEST_DB})`, () => {
  it('answer what the statement answers unnamed, for hostile text, numbers, times, nulls and JSON', async () => {
    for (const [i, text] of hostile.entries()) {
      const params = [text, 9_007_199_254_740_000 + i, i / 3, new Date(Date.UTC(2026, 0, 1 + i, 3, 4, 5, 678)), i % 2 === 0, JSON.stringify({ text }), null];
      const plain = await db.query(ECHO, params);
      const named = await db.query(ECHO, params, 'test.echo');
      expect(named.rows).toEqual(plain.rows);
      expect(named.rows[0]).toMatchObject({ t: text, f: i / 3, b: i % 2 === 0, j: { text }, missing: null });
    }
    // Nothing written as a literal ran as SQL.
    expect((await db.query('SELECT key FROM settings')).rows).toEqual([{ key: 'prepared.kept' }]);
  });

  it('writes by name, and counts what they write', async () => {
    const insert = `INSERT INTO settings (key, value) VALUES ($1, $2::jsonb) RETURNING key`;
    const r = await db.query(insert, ["prepared.o'brien", JSON.stringify({ v: "x'); DROP TABLE settings; --" })], 'test.insert');
    expect(r).toEqual({ rows: [{ key: "prepared.o'brien" }], rowCount: 1 });
    const back = await db.query<{ value: unknown }>('SELECT value FROM settings WHERE key = $1', ["prepared.o'brien"]);
    expect(back.rows[0]!.value).toEqual({ v: "x'); DROP TABLE settings; --" });
  });

  it('fail as the unnamed statement fails, and keep working after', async () => {
    // A NUL cannot be in PostgreSQL text either way.
    await expect(db.query(ECHO, ['a\0b', 1, 1, new Date(), true, '{}', null])).rejects.toThrow();
    await expect(db.query(ECHO, ['a\0b', 1, 1, new Date(), true, '{}', null], 'test.echo')).rejects.toThrow();
    await expect(db.query(ECHO, ['x', 'not a number', 1, new Date(), true, '{}', null], 'test.echo')).rejects.toMatchObject({ code: '22P02' });
    expect((await db.query(ECHO, ['after', 1, 1, new Date(0), false, '[]', 2], 'test.echo')).rows[0]).toMatchObject({ t: 'after', missing: 2 });
  });

  it('survive a rolled-back transaction they were first used in', async () => {
    const sql = 'SELECT $1::text || $2::text AS s';
    await expect(db.transaction(async (tx) => {
      expect((await tx.query(sql, ['a', 'b'], 'test.concat')).rows).toEqual([{ s: 'ab' }]);
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect((await db.query(sql, ["c'", 'd'], 'test.concat')).rows).toEqual([{ s: "c'd" }]);
    await db.transaction(async (tx) => {
      expect((await tx.query(sql, ['e', 'f'], 'test.concat')).rows).toEqual([{ s: 'ef' }]);
    });
  });
});

