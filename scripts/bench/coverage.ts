/**
 * Coverage analysis benchmark: the PostGIS engine (embedded PGlite, and PostgreSQL at
 * BENCH_DATABASE_URL) against the Turf engine, on deterministic synthetic tilings of 1,000 and
 * 10,000 cells (100,000 with --large or BENCH_HEAVY=1) with injected faults, and beside them
 * mapshaper's own overlap and gap detection on the same data (-mosaic: the layer cut into flat
 * tiles, each counting the parents and children over it). Prints the rows and a side-by-side table
 * with ratios; writes JSON under bench-results/. Part of `npm run bench`; standalone:
 *
 *   npx tsx scripts/bench/coverage.ts [--large]
 */
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Polygon, Position } from 'geojson';
import { analyseCoverage, summarise, type CoverageReport } from '../../core/coverage/engine.ts';
import { analyseParents } from '../../server/coverage/postgis.ts';
import type { Db } from '../../server/db/db.ts';
import { openEmbeddedDb } from '../../server/db/embedded.ts';
import { migrate } from '../../server/db/migrate.ts';
import { DB_LABEL, HEAVY, dropSchemas, ensureBenchDatabase, fmt, openPlace, printTable, timeIt, writeResult } from './lib.ts';

const BLOCK = 10; // a parent is BLOCK × BLOCK cells
const STEP = 0.001; // a cell is about 100 m across

export interface Tiling {
  parents: { code: string; geometry: Polygon }[];
  children: { code: string; parentCode: string; geometry: Polygon }[];
  injected: { overlaps: number; gaps: number; strays: number };
}

/**
 * A grid of blocks whose inner vertices are shifted pseudo-randomly (cells become irregular
 * quadrilaterals that still share their edges exactly); every 10th block gets a fault: a shared
 * vertex moved in one cell only (an overlap and a gap), and every 25th a cell pushed out of its
 * parent (a stray).
 */
export function makeTiling(cells: number): Tiling {
  const blocks = Math.ceil(cells / (BLOCK * BLOCK));
  const blocksPerSide = Math.ceil(Math.sqrt(blocks));
  const side = blocksPerSide * BLOCK;
  let seed = 42;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const vx: Position[][] = [];
  for (let i = 0; i <= side; i++) {
    vx.push([]);
    for (let j = 0; j <= side; j++) {
      const onBlockEdge = i % BLOCK === 0 || j % BLOCK === 0;
      const dx = onBlockEdge ? 0 : (rnd() - 0.5) * 0.6 * STEP, dy = onBlockEdge ? 0 : (rnd() - 0.5) * 0.6 * STEP;
      vx[i]!.push([110 + i * STEP + dx, 30 + j * STEP + dy]);
    }
  }
  const v = (i: number, j: number) => vx[i]![j]!;
  const t: Tiling = { parents: [], children: [], injected: { overlaps: 0, gaps: 0, strays: 0 } };
  let block = 0;
  for (let bi = 0; bi < blocksPerSide; bi++) {
    for (let bj = 0; bj < blocksPerSide && block < blocks; bj++, block++) {
      const code = `9${String(block).padStart(5, '0')}`;
      const i0 = bi * BLOCK, j0 = bj * BLOCK;
      const outline: Position[] = [];
      for (let k = 0; k < BLOCK; k++) outline.push(v(i0 + k, j0));
      for (let k = 0; k < BLOCK; k++) outline.push(v(i0 + BLOCK, j0 + k));
      for (let k = BLOCK; k > 0; k--) outline.push(v(i0 + k, j0 + BLOCK));
      for (let k = BLOCK; k > 0; k--) outline.push(v(i0, j0 + k));
      outline.push(outline[0]!);
      t.parents.push({ code, geometry: { type: 'Polygon', coordinates: [outline] } });
      let n = 0;
      for (let i = i0; i < i0 + BLOCK; i++) {
        for (let j = j0; j < j0 + BLOCK; j++, n++) {
          const ring = [v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1), v(i, j)].map((p) => [...p]);
          if (block % 10 === 3 && n === 44) {
            // Move the shared corner (i+1, j+1) of this cell only, towards its east neighbour.
            ring[2] = [ring[2]![0]! + 0.4 * STEP, ring[2]![1]! - 0.3 * STEP];
            t.injected.overlaps++;
            t.injected.gaps++;
          }
          if (block % 25 === 7 && n === 0) {
            ring[0] = [ring[0]![0]! - 0.3 * STEP, ring[0]![1]! - 0.3 * STEP];
            ring[4] = ring[0];
            t.injected.strays++;
          }
          t.children.push({ code: `${code}${String(n + 1).padStart(3, '0')}`, parentCode: code, geometry: { type: 'Polygon', coordinates: [ring] } });
        }
      }
    }
  }
  return t;
}

export async function load(db: Db, t: Tiling): Promise<{ parentIds: number[]; parentGeom: Map<number, Polygon>; kids: Map<number, { id: number; geometry: Polygon }[]> }> {
  await db.exec('TRUNCATE cells, cell_versions RESTART IDENTITY CASCADE');
  const insert = async (rows: { code: string; level: number; parentCode: string | null; geometry: Polygon }[]) => {
    for (let k = 0; k < rows.length; k += 2000) {
      await db.query(
        `INSERT INTO cells (code, name, level, parent_id, geom)
         SELECT r->>'code', r->>'code', (r->>'level')::int, (SELECT id FROM cells p WHERE p.code = r->>'parentCode'),
                ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(r->>'geometry'), 4326))
         FROM json_array_elements($1::json) r`,
        [JSON.stringify(rows.slice(k, k + 2000).map((r) => ({ ...r, geometry: JSON.stringify(r.geometry) })))]);
    }
  };
  await insert(t.parents.map((p) => ({ code: p.code, level: 1, parentCode: null, geometry: p.geometry })));
  await insert(t.children.map((c) => ({ code: c.code, level: 2, parentCode: c.parentCode, geometry: c.geometry })));
  await db.exec('ANALYZE cells');
  const { rows } = await db.query<{ id: number; code: string; parent_id: number | null }>('SELECT id, code, parent_id FROM cells');
  const idOf = new Map(rows.map((r) => [r.code, r.id]));
  const parentGeom = new Map(t.parents.map((p) => [idOf.get(p.code)!, p.geometry]));
  const kids = new Map<number, { id: number; geometry: Polygon }[]>();
  for (const c of t.children) {
    const pid = idOf.get(c.parentCode)!;
    if (!kids.has(pid)) kids.set(pid, []);
    kids.get(pid)!.push({ id: idOf.get(c.code)!, geometry: c.geometry });
  }
  return { parentIds: [...parentGeom.keys()], parentGeom, kids };
}

export interface CoverageRow { cells: number; engine: string; seconds: number; overlaps: number; gaps: number; strays: number; slivers: number }

const TOLERANCE = { minAreaM2: 1, sliverWidthM: null };

const found = (reports: CoverageReport[]) => {
  const s = summarise(reports);
  return { overlaps: s.overlaps, gaps: s.gaps, strays: s.strays, slivers: s.slivers };
};

/** The PostGIS engine on a database the tiling is loaded into (loads it). */
export async function benchPostgis(db: Db, tiling: Tiling, engine: string): Promise<CoverageRow> {
  const loaded = await load(db, tiling);
  const [reports, secs] = await timeIt(() => analyseParents(db, loaded.parentIds, TOLERANCE));
  return { cells: tiling.children.length, engine, seconds: secs, ...found(reports) };
}

/** The Turf engine (the one the planner's browser runs), in Node on the same tiling. */
export async function benchTurf(tiling: Tiling): Promise<CoverageRow> {
  const kids = new Map<string, { id: number; geometry: Polygon }[]>();
  tiling.children.forEach((c, i) => {
    if (!kids.has(c.parentCode)) kids.set(c.parentCode, []);
    kids.get(c.parentCode)!.push({ id: i + 1 + tiling.parents.length, geometry: c.geometry });
  });
  const [reports, secs] = await timeIt(() =>
    tiling.parents.map((p, i) => analyseCoverage({ id: i + 1, geometry: p.geometry }, kids.get(p.code) ?? [], TOLERANCE)));
  return { cells: tiling.children.length, engine: 'Turf + flatbush (Node)', seconds: secs, ...found(reports) };
}

/** mapshaper has no types; applyCommands(commands, {file: content}) resolves to {file: content}. */
const mapshaper = createRequire(import.meta.url)('mapshaper') as {
  applyCommands(commands: string, input: Record<string, unknown>): Promise<Record<string, string | Uint8Array>>;
};

/** What -mosaic's tiles are, by who covers them; null for ground that is fine. */
const TILE_KIND = "kids >= 1 && (parents == 0 || kidsOf != kids * parentOf) ? 'stray' : kids >= 2 ? 'overlap' : kids == 0 && parents >= 1 ? 'gap' : null";

/**
 * mapshaper's detection, the way a GIS user would run it on the same data: parents and children
 * in one layer; -mosaic cuts it into flat tiles and counts over each tile the children (kids), the
 * parents, and the sums of their parents' numbers (so a tile can tell whose children cover it). A
 * tile under two or more of its parent's children is an overlap; under a parent and none of its
 * children, a gap; under a child and not its parent, a stray. Fault tiles of a kind are dissolved
 * and exploded into connected pieces, as the engines count them; pieces under 1 m² (mapshaper's
 * spherical this.area) are slivers. mapshaper has no notion of a parent: the bookkeeping fields
 * stand in for it, so this is a comparison of speed on the same work more than a third opinion.
 */
export async function benchMapshaper(tiling: Tiling): Promise<CoverageRow> {
  const number = new Map(tiling.parents.map((p, i) => [p.code, i + 1]));
  const features = [
    ...tiling.parents.map((p, i) => ({ type: 'Feature', properties: { c: 0, p: 1, cpid: 0, ppid: i + 1 }, geometry: p.geometry })),
    ...tiling.children.map((c) => ({ type: 'Feature', properties: { c: 1, p: 0, cpid: number.get(c.parentCode)!, ppid: 0 }, geometry: c.geometry })),
  ];
  const input = { 'in.json': { type: 'FeatureCollection', features } };
  const commands = [
    '-i in.json',
    '-mosaic calc="kids = sum(c), parents = sum(p), kidsOf = sum(cpid), parentOf = sum(ppid)"',
    `-each "kind = ${TILE_KIND}"`,
    '-filter "kind !== null"',
    '-dissolve kind',
    '-explode',
    '-each "area = this.area"',
    '-o out.json -quiet',
  ].join(' ');
  const [pieces, secs] = await timeIt(async () => {
    const out = await mapshaper.applyCommands(commands, input);
    const fc = JSON.parse(String(out['out.json'])) as { features: { properties: { kind: 'overlap' | 'gap' | 'stray'; area: number } }[] };
    return fc.features.map((f) => f.properties);
  });
  const found = { overlaps: 0, gaps: 0, strays: 0, slivers: 0 };
  for (const piece of pieces) {
    if (piece.area < TOLERANCE.minAreaM2) found.slivers++;
    else found[`${piece.kind}s`]++;
  }
  return { cells: tiling.children.length, engine: 'mapshaper -mosaic (Node)', seconds: secs, ...found };
}

/** The engines that need no database, on one tiling: Turf, then mapshaper. */
export async function benchInNode(tiling: Tiling): Promise<CoverageRow[]> {
  return [await benchTurf(tiling), await benchMapshaper(tiling)];
}

export const coverageHeader = ['cells', 'engine', 'seconds', 'cells/s', 'overlaps', 'gaps', 'strays', 'slivers'];
export const coverageTable = (rows: CoverageRow[]) =>
  rows.map((r) => [r.cells, r.engine, r.seconds.toFixed(2), Math.round(r.cells / r.seconds), r.overlaps, r.gaps, r.strays, r.slivers]);

/** a/b as "6.7×" or "0.27×" (two significant digits below 1, where one decimal would say 0.0×). */
const times = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${a / b >= 1 ? (a / b).toFixed(1) : (a / b).toPrecision(2)}×` : '–');

/** Seconds per size, every engine side by side, with each one's time over PostGIS on PostgreSQL's. */
export function printCoverageSideBySide(rows: CoverageRow[]) {
  const pick = (cells: number, prefix: string) => rows.find((r) => r.cells === cells && r.engine.startsWith(prefix))?.seconds ?? NaN;
  const sizes = [...new Set(rows.map((r) => r.cells))].sort((a, b) => a - b);
  printTable('Coverage side by side: seconds, and ratios to PostGIS on PostgreSQL (less is faster)',
    ['cells', 'PostGIS PostgreSQL', 'PostGIS embedded', 'Turf', 'mapshaper', 'embedded/PostgreSQL', 'Turf/PostgreSQL', 'mapshaper/PostgreSQL', 'mapshaper/Turf'],
    sizes.map((n) => {
      const pg = pick(n, `PostGIS (${DB_LABEL.postgres})`), emb = pick(n, `PostGIS (${DB_LABEL.embedded})`), turf = pick(n, 'Turf'), ms = pick(n, 'mapshaper');
      return [n, fmt(pg, 2), fmt(emb, 2), fmt(turf, 2), fmt(ms, 2), times(emb, pg), times(turf, pg), times(ms, pg), times(ms, turf)];
    }));
}

/** Standalone: embedded, PostgreSQL (BENCH_DATABASE_URL), Turf and mapshaper; `npm run bench -- coverage` runs the same inside the suite. */
async function main() {
  const sizes = [1_000, 10_000, ...(process.argv.includes('--large') || HEAVY ? [100_000] : [])];
  await ensureBenchDatabase();
  const rows: CoverageRow[] = [];
  for (const size of sizes) {
    const tiling = makeTiling(size);
    console.error(`${tiling.children.length} cells in ${tiling.parents.length} parents; injected ${JSON.stringify(tiling.injected)}`);
    for (const kind of ['embedded', 'postgres'] as const) {
      const schema = `wg_bench_cov_${randomBytes(4).toString('hex')}`;
      const db = kind === 'embedded' ? await openEmbeddedDb() : await openPlace({ kind, where: schema }, { create: true });
      try {
        if (kind === 'embedded') await migrate(db);
        rows.push(await benchPostgis(db, tiling, `PostGIS (${DB_LABEL[kind]})`));
      } finally {
        await db.close();
        if (kind === 'postgres') await dropSchemas(schema);
      }
      console.error(`  ${rows.at(-1)!.engine}: ${rows.at(-1)!.seconds.toFixed(2)} s`);
    }
    for (const row of await benchInNode(tiling)) {
      rows.push(row);
      console.error(`  ${row.engine}: ${row.seconds.toFixed(2)} s`);
    }
  }
  printTable('Coverage analysis', coverageHeader, coverageTable(rows));
  printCoverageSideBySide(rows);
  console.log(`\nwritten to ${writeResult('coverage', { rows })}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
