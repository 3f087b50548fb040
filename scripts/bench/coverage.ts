/**
 * Coverage analysis benchmark: the PostGIS engine (embedded PGlite, and PostgreSQL when
 * DATABASE_URL is set) against the Turf engine, on deterministic synthetic tilings of 1,000 and
 * 10,000 cells (100,000 with --large) with injected faults. Prints a table; writes JSON under
 * bench-results/.
 *
 *   npx tsx scripts/bench/coverage.ts [--large]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Polygon, Position } from 'geojson';
import { analyseCoverage, summarise, type CoverageReport } from '../../client/coverage/turf-engine.ts';
import { analyseParents } from '../../server/coverage/postgis.ts';
import type { Db } from '../../server/db/db.ts';
import { openEmbeddedDb } from '../../server/db/embedded.ts';
import { createPostgresDb } from '../../server/db/postgres.ts';
import { migrate } from '../../server/db/migrate.ts';

const BLOCK = 10; // a parent is BLOCK × BLOCK cells
const STEP = 0.001; // a cell is about 100 m across

interface Tiling {
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

interface Row { cells: number; engine: string; seconds: number; overlaps: number; gaps: number; strays: number; slivers: number }

const found = (reports: CoverageReport[]) => {
  const s = summarise(reports);
  return { overlaps: s.overlaps, gaps: s.gaps, strays: s.strays, slivers: s.slivers };
};

async function timeIt<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - start) / 1e9];
}

async function main() {
  const sizes = [1_000, 10_000, ...(process.argv.includes('--large') ? [100_000] : [])];
  const dbs: { name: string; open: () => Promise<{ db: Db; done: () => Promise<void> }> }[] = [
    { name: 'PostGIS (embedded PGlite)', open: async () => { const db = await openEmbeddedDb(); await migrate(db); return { db, done: () => db.close() }; } },
  ];
  const url = process.env.DATABASE_URL;
  if (url) {
    dbs.push({
      name: 'PostGIS (PostgreSQL)',
      open: async () => {
        // A throw-away schema, so the benchmark never touches the real tables.
        const schema = `wg_bench_${randomBytes(4).toString('hex')}`;
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`CREATE SCHEMA ${schema}`);
        const db = createPostgresDb({ connectionString: url, schema, max: 2 });
        await migrate(db);
        return { db, done: async () => { await db.close(); await admin.query(`DROP SCHEMA ${schema} CASCADE`); await admin.end(); } };
      },
    });
  }
  const rows: Row[] = [];
  const tol = { minAreaM2: 1, sliverWidthM: null };
  for (const size of sizes) {
    const tiling = makeTiling(size);
    const n = tiling.children.length;
    console.error(`${n} cells in ${tiling.parents.length} parents; injected ${JSON.stringify(tiling.injected)}`);
    let loaded: Awaited<ReturnType<typeof load>> | undefined;
    for (const d of dbs) {
      const { db, done } = await d.open();
      try {
        loaded = await load(db, tiling);
        const ids = loaded.parentIds;
        const [reports, seconds] = await timeIt(() => analyseParents(db, ids, tol));
        rows.push({ cells: n, engine: d.name, seconds, ...found(reports) });
        console.error(`  ${d.name}: ${seconds.toFixed(2)} s`);
      } finally {
        await done();
      }
    }
    const l = loaded!;
    const [reports, seconds] = await timeIt(() => l.parentIds.map((id) => analyseCoverage({ id, geometry: l.parentGeom.get(id)! }, l.kids.get(id) ?? [], tol)));
    rows.push({ cells: n, engine: 'Turf + flatbush (Node)', seconds, ...found(reports) });
    console.error(`  Turf: ${seconds.toFixed(2)} s`);
  }

  const header = ['cells', 'engine', 'seconds', 'cells/s', 'overlaps', 'gaps', 'strays', 'slivers'];
  const table = rows.map((r) => [String(r.cells), r.engine, r.seconds.toFixed(2), String(Math.round(r.cells / r.seconds)), String(r.overlaps), String(r.gaps), String(r.strays), String(r.slivers)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of table) console.log(line(r));

  mkdirSync('bench-results', { recursive: true });
  const file = `bench-results/coverage-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version }, rows }, null, 2));
  console.log(`\nwritten to ${file}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
