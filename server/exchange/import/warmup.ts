import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/db.ts';
import type { Actor } from '../../auth/actor.ts';
import { CellWriter } from '../../cells/writer.ts';
import { planImport, type ImportPlan } from './plan.ts';
import type { SourceFeature } from './read.ts';

/*
 * The embedded database is PostgreSQL compiled to WebAssembly, and V8 compiles a WebAssembly
 * function when it is first called: the first import after a start ran PostGIS's validity, snapping,
 * area, buffer and containment code for the first time, and took 2.7-3.1 s where the next took
 * 1.8-2.1 s (the us-atlas counties; a warm-up of seven features gave all of the difference). So a
 * started embedded server rehearses an import once, in the background: the checks of a few made-up
 * features (a sound parent and children, one mended by snapping, one outside, one invalid), then
 * the cells writer's insertMany of the sound ones, in a transaction that is rolled back. Nothing of
 * it stays: the staged rows are deleted, and the cells never commit.
 */

const square = (x: number, y: number, d: number) => [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]];
const feature = (code: string, name: string, rings: number[][][], parentCode?: string): SourceFeature => ({
  index: 0, geometry: { type: 'Polygon', coordinates: rings }, properties: { name, code, ...(parentCode ? { parent: parentCode } : {}) },
});

/** Sound features: a parent, two children, and one whose notch closes when snapped (mended). */
function sound(): SourceFeature[] {
  const [x0, y0, x1, y1] = [0.51, 0.51, 0.52, 0.52];
  const notched = [[[x0, y0], [x1, y0], [x1, y1], [0.516, y1], [0.515, y0 + 4e-8], [0.514, y1], [x0, y1], [x0, y0]]];
  return [
    feature('999990', 'warm-up', square(0.5, 0.5, 0.1)),
    feature('999990001', 'warm-up 1', square(0.5, 0.5, 0.01), '999990'),
    feature('999990002', 'warm-up 2', square(0.53, 0.5, 0.01), '999990'),
    feature('999990003', 'warm-up 3', notched, '999990'),
  ].map((f, index) => ({ ...f, index }));
}

/** Faulty features: a child partly outside its parent (measured), and a bow-tie (PostGIS's reason). */
function faulty(): SourceFeature[] {
  return [
    feature('999991', 'warm-up', square(0.7, 0.5, 0.1)),
    feature('999991001', 'warm-up 1', square(0.79, 0.55, 0.02), '999991'),
    feature('999991002', 'warm-up 2', [[[0.71, 0.51], [0.72, 0.52], [0.72, 0.51], [0.71, 0.52], [0.71, 0.51]]], '999991'),
  ].map((f, index) => ({ ...f, index }));
}

const ACTOR: Actor = { id: 0, username: 'warm-up', displayName: 'warm-up', role: 'admin', scope: [], personId: null, via: 'session' };
const MAPPING = { mapping: { name: 'name', code: 'code', parentCode: 'parent', level: null } };

class Rehearsal extends Error {}

/** What a rehearsal went through: the faulty features' problem codes, the cells its INSERT wrote (then rolled back), its time. */
export interface Rehearsed { problems: string[]; inserted: number; ms: number }

/** One rehearsal of an import's checks and INSERT that leaves nothing behind. */
export async function rehearseImport(db: Db, config: Config): Promise<Rehearsed> {
  const started = performance.now();
  let inserted = 0;
  const runs: string[] = [];
  const check = async (features: SourceFeature[]): Promise<ImportPlan> => {
    const run = randomUUID();
    runs.push(run);
    return planImport(db, config, ACTOR, { features, crs: null }, MAPPING, run);
  };
  try {
    const problems = (await check(faulty())).features.flatMap((f) => f.problems.map((p) => p.code));
    const plan = await check(sound());
    if (plan.staged) {
      const staged = plan.staged;
      // Ids of no real cell (negative), in a transaction that never commits.
      const ids = new Map(plan.writes.map((w, i) => [w.index, -1 - i]));
      await db.transaction(async (tx) => {
        // The writer's INSERT reads the actor only; there is no request to answer.
        const writer = new CellWriter(tx, {} as FastifyRequest, ACTOR);
        inserted = await writer.insertMany(staged, plan.writes.map((w) => ({
          idx: w.index, id: ids.get(w.index)!, code: w.code, name: w.name, level: w.level,
          parentId: w.parent === null ? null : 'id' in w.parent ? w.parent.id : ids.get(w.parent.index)!,
        })));
        throw new Rehearsal();
      }).catch((e: unknown) => { if (!(e instanceof Rehearsal)) throw e; });
    }
    return { problems, inserted, ms: performance.now() - started };
  } finally {
    await db.query('DELETE FROM cell_import_staging WHERE run = ANY($1::text[])', [runs]);
  }
}

/** The rehearsal in the background of a started embedded server; a failure is only logged. */
export function warmEmbeddedImports(db: Db, config: Config, log: FastifyBaseLogger): void {
  setImmediate(() => {
    rehearseImport(db, config).then(
      (r) => log.debug(`import code warmed up in ${Math.round(r.ms)} ms`),
      (err: unknown) => log.warn({ err }, 'the import warm-up failed (imports work, the first one is slower)'));
  });
}
