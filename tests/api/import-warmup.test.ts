import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { rehearseImport } from '../../server/exchange/import/warmup.ts';

// A started embedded server rehearses an import (server/exchange/import/warmup.ts): the rehearsal
// must go through the checks and the INSERT a real import runs, and leave nothing behind.

let t: TestApp;

beforeAll(async () => {
  t = await testApp();
  await twoStreets(t.db);
});

afterAll(async () => {
  await t.app.close();
});

const state = async () => (await t.db.query<Record<string, unknown>>(
  `SELECT (SELECT count(*)::int FROM cells) AS cells, (SELECT count(*)::int FROM cell_versions) AS versions,
          (SELECT count(*)::int FROM cell_import_staging) AS staged, (SELECT count(*)::int FROM cell_imports) AS imports,
          (SELECT generation FROM cells_state) AS generation, (SELECT max(id) FROM cells) AS last_id,
          (SELECT count(*)::int FROM audit_log) AS audit`)).rows[0]!;

describe(`the embedded server's import rehearsal (${TEST_DB})`, () => {
  it('checks faulty and sound features and writes the sound ones in a transaction it rolls back: nothing stays', async () => {
    const before = await state();
    const rehearsed = await rehearseImport(t.db, t.config);
    // The faulty features' faults, as a real preview names them: outside the parent, and invalid.
    expect(rehearsed.problems).toEqual(expect.arrayContaining(['imports.row-outside', 'cells.geometry-self-intersection']));
    // The sound ones (the notched child mended by snapping) were inserted, then rolled back.
    expect(rehearsed.inserted).toBe(4);
    expect(await state()).toEqual(before);
    // Twice in a row as well (a restart runs it again).
    await rehearseImport(t.db, t.config);
    expect(await state()).toEqual(before);
  });
});
