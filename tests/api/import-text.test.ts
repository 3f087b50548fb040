import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { TEST_DB } from '../helpers/db.ts';
import { multipartFile } from '../fixtures/exchange/upload.ts';

// A boundary file's attributes may hold what PostgreSQL cannot store in text: NUL (common in
// fixed-width exports) and UTF-16 surrogates without their pair (text cut in the middle of an
// emoji). The upload once answered 500 for either; the file must import, those characters left out.

let t: TestApp;
let planner: Headers;

beforeAll(async () => {
  t = await testApp();
  await createUser(t.db, 'importer', 'planner');
  planner = await signIn(t.app, 'importer');
});
afterAll(() => t.app.close());

const square = (x: number) => ({ type: 'Polygon', coordinates: [[[x, 39], [x + 0.1, 39], [x + 0.1, 39.1], [x, 39.1], [x, 39]]] });

describe(`attribute text PostgreSQL cannot store (${TEST_DB})`, () => {
  it('imports the file with those characters left out of names and fields, and keeps whole emoji', async () => {
    const features = [
      { type: 'Feature', properties: { name: '东\u0000城区', code: '110101', level: 1, 'no\u0000te': 'a\u0000b' }, geometry: square(116) },
      { type: 'Feature', properties: { name: '西城区\uD83D', code: '110102', level: 1, 'no\u0000te': '\uDE00x' }, geometry: square(116.2) },
      { type: 'Feature', properties: { name: '朝阳区🔥', code: '110105', level: 1, 'no\u0000te': { nested: 'c\u0000' } }, geometry: square(116.4) },
    ];
    const body = await multipartFile('hostile.geojson', JSON.stringify({ type: 'FeatureCollection', features }));
    const up = await t.app.inject({ method: 'POST', url: '/api/import/cells', payload: body.payload, headers: { ...planner, ...body.headers } });
    expect(up.statusCode, up.body).toBe(201);
    const preview = up.json<{ id: string; mapping: Record<string, string | null>; fields: { name: string; sample: string | null }[]; summary: { errors: number } }>();
    expect(preview.summary.errors).toBe(0);
    expect(preview.fields.map((f) => f.name)).toEqual(['name', 'code', 'level', 'note']);
    expect(preview.fields.find((f) => f.name === 'note')!.sample).toBe('ab');
    const done = await t.app.inject({ method: 'POST', url: `/api/import/cells/${preview.id}/commit`, payload: { mapping: preview.mapping }, headers: planner });
    expect(done.statusCode, done.body).toBe(201);
    const { rows } = await t.db.query<{ code: string; name: string }>('SELECT code, name FROM cells ORDER BY code');
    expect(rows).toEqual([{ code: '110101', name: '东城区' }, { code: '110102', name: '西城区' }, { code: '110105', name: '朝阳区🔥' }]);
  });
});
