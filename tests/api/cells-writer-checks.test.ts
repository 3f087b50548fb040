import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { square, twoStreets } from '../helpers/cells.ts';
import { CellWriter } from '../../server/cells/writer.ts';
import { Problem } from '../../server/problem.ts';
import type { Actor } from '../../server/auth/actor.ts';

/**
 * The cells writer's checks of an outline (issue 22): what its writes take is made only by
 * checkOutline (a client's GeoJSON) or checkComputed (hex EWKB PostGIS computed). The routes'
 * answers are covered by their own tests; here, the checks themselves, on the database.
 */
let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
let w: CellWriter;

const actor = { username: 'pat', role: 'planner', scope: [] } as unknown as Actor;
const bowTie = { type: 'Polygon' as const, coordinates: [[[107.01, 34.01], [107.02, 34.02], [107.02, 34.01], [107.01, 34.02], [107.01, 34.01]]] };
const ewkb = async (geojson: object) =>
  (await t.db.query<{ g: string }>('SELECT ST_AsHexEWKB(ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326))) AS g', [JSON.stringify(geojson)])).rows[0]!.g;
const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(Problem);
  return e as Problem;
};

beforeAll(async () => {
  t = await testApp();
  ids = await twoStreets(t.db);
  w = new CellWriter(t.db, {} as FastifyRequest, actor);
});

describe(`the cells writer checks outlines before it writes them (${TEST_DB})`, () => {
  it('checkOutline: structure, then validity, then inside the parent, each with its code and field', async () => {
    const open = await refusal(w.checkOutline({ type: 'Polygon', coordinates: [[[107.01, 34.01], [107.02, 34.01], [107.02, 34.02], [107.01, 34.02]]] }, { field: 'features[1].geometry' }));
    expect(open.code).toBe('cells.geometry-ring-not-closed');
    expect(open.extra.errors).toEqual([expect.objectContaining({ field: 'features[1].geometry.coordinates' })]);
    const invalid = await refusal(w.checkOutline(bowTie, { parentId: ids.west }));
    expect(invalid.code).toBe('cells.geometry-self-intersection');
    const outside = await refusal(w.checkOutline({ type: 'Polygon', coordinates: square(107.04, 34.01, 0.02) }, { parentId: ids.west }));
    expect(outside.code).toBe('cells.outside-parent');
    // Without a parent, the same outline passes: it is sound, only not inside the west street.
    const ok = await w.checkOutline({ type: 'Polygon', coordinates: square(107.04, 34.01, 0.02) });
    expect(JSON.parse(ok.geojson)).toEqual({ type: 'Polygon', coordinates: square(107.04, 34.01, 0.02) });
  });

  it('checkComputed: valid EWKB passes as given, an invalid one fails (an internal error) and nothing is written', async () => {
    const good = await ewkb({ type: 'Polygon', coordinates: square(107.01, 34.01, 0.01) });
    const bad = await ewkb(bowTie);
    expect(await w.checkComputed([good])).toEqual([{ ewkb: good }]);
    expect(await w.checkComputed([])).toEqual([]);
    const e = await w.checkComputed([good, bad]).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(Problem);
    expect((e as Error).message).toMatch(/computed outline\(s\) 2 of 2 not valid/);
    const before = (await t.db.query<{ v: number }>('SELECT version AS v FROM cells WHERE id = $1', [ids.west])).rows[0]!.v;
    await expect(w.checkComputedOne(bad).then((outline) => w.setOutlines([{ id: ids.west, outline }]))).rejects.toThrow(/not valid/);
    expect((await t.db.query<{ v: number }>('SELECT version AS v FROM cells WHERE id = $1', [ids.west])).rows[0]!.v).toBe(before);
  });
});
