/**
 * The benchmark suite: `npm run bench` (about 9 minutes on 2 cores), `BENCH_HEAVY=1 npm run bench`
 * for the city-scale sizes (10^7 reports, 10^5-cell coverage, longer load runs).
 *
 *   npm run bench [-- start intake tiles heatmap coverage exchange imports client command partition] [-- --db=postgres|embedded] [-- --quick]
 *
 * Each section runs once per database in its own child process, so the peak RSS it reports is that
 * job's alone (the embedded database lives in the job's process; for the intake rows, the server's).
 * PostgreSQL is BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/wangge_bench, created
 * with PostGIS when missing; every job works in a schema of its own, dropped at the end). Data is
 * generated from fixed seeds. Prints one table per section and writes them as JSON under bench-results/.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { benchInNode, benchPostgis, coverageHeader, coverageTable, makeTiling, printCoverageSideBySide, type CoverageRow } from './coverage.ts';
import { benchClient, type ClientRow } from './client.ts';
import { benchCommand, type CommandRow } from './command.ts';
import { benchExchange, type ExchangeRow } from './exchange.ts';
import { benchHeatmap, type HeatmapRow } from './heatmap.ts';
import { benchImports, type ImportRow } from './imports.ts';
import { benchIntake, type IntakeRow } from './intake.ts';
import {
  BENCH_DATABASE_URL, DB_LABEL, HEAVY, dropSchemas, ensureBenchDatabase, fmt, openPlace, peakRssMiB, printTable, ratio,
  writeResult, type DbKind,
} from './lib.ts';
import { benchTiles, type TileRow } from './tiles.ts';
import { benchPartition, type PartitionRow } from './partition.ts';
import { benchStart } from './start.ts';

const SECTIONS = ['start', 'intake', 'tiles', 'heatmap', 'coverage', 'exchange', 'imports', 'client', 'command', 'partition'] as const;
type Section = (typeof SECTIONS)[number];
type JobKind = DbKind | 'turf';

const log = (s: string) => console.error(s);

/** Flat named figures of this run, merged into bench-results/summary.json (other keys there are kept). */
const summary: Record<string, number> = {};
const round1 = (n: number) => Math.round(n * 10) / 10;

function writeSummary() {
  const file = 'bench-results/summary.json';
  let old: Record<string, unknown> = {};
  try { old = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>; } catch { /* the first run */ }
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...old, ...summary, 'run.at': new Date().toISOString() }, null, 2)}\n`);
  return file;
}

async function coverageJob(kind: JobKind, runId: string): Promise<CoverageRow[]> {
  const rows: CoverageRow[] = [];
  for (const size of [1_000, 10_000, ...(HEAVY ? [100_000] : [])]) {
    const tiling = makeTiling(size);
    if (kind === 'turf') {
      rows.push(...(await benchInNode(tiling)));
    } else {
      const db = await openPlace({ kind, where: kind === 'embedded' ? '' : `wg_bench_${runId}_coverage_${size}` }, { create: true });
      try {
        rows.push(await benchPostgis(db, tiling, `PostGIS (${DB_LABEL[kind]})`));
      } finally {
        await db.close();
      }
    }
    log(`  coverage ${size} cells ${kind}: ${rows.at(-1)!.seconds.toFixed(2)} s`);
  }
  return rows;
}

/** In the child: one section on one database; the rows and this process's peak RSS go to the parent. */
async function job(section: Section, kind: JobKind, runId: string) {
  const started = Date.now();
  let rows: unknown[];
  if (section === 'coverage') rows = await coverageJob(kind, runId);
  else if (kind === 'turf') throw new Error(`${section} has no turf job`);
  else if (section === 'intake') rows = await benchIntake(kind, runId, log);
  else if (section === 'tiles') rows = await benchTiles(kind, runId, log);
  else if (section === 'exchange') rows = await benchExchange(kind, runId, log);
  else if (section === 'imports') rows = await benchImports(kind, runId, log);
  else if (section === 'client') rows = await benchClient(log);
  else if (section === 'command') rows = await benchCommand(log);
  else if (section === 'partition') rows = await benchPartition(kind, runId, log);
  else rows = await benchHeatmap(kind, runId, log);
  process.send!({ rows, peakRssMiB: peakRssMiB(), seconds: (Date.now() - started) / 1000 });
}

interface JobResult<T> { section: Section; kind: JobKind; rows: T[]; peakRssMiB: number; seconds: number }

/** The job running now: stopped with the run (it stops its own server: scripts/bench/server.ts). */
let running: ChildProcess | undefined;
function stopJobOnSignal() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      running?.kill(signal);
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

function runJob<T>(section: Section, kind: JobKind, runId: string): Promise<JobResult<T>> {
  log(`\n[${section} · ${kind}]`);
  return new Promise((resolve, reject) => {
    const child = fork(import.meta.filename, ['--job', section, kind, runId], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    running = child;
    let result: JobResult<T> | undefined;
    child.on('message', (m) => (result = { section, kind, ...(m as Omit<JobResult<T>, 'section' | 'kind'>) }));
    child.on('close', (code) => (result ? resolve(result) : reject(new Error(`${section} on ${kind} failed (exit ${code})`))));
  });
}

const byKey = <T>(rows: T[], key: (r: T) => string) => new Map(rows.map((r) => [key(r), r]));

function reportIntake(results: JobResult<IntakeRow>[]) {
  const rows = results.flatMap((r) => r.rows);
  printTable('Routing and intake: POST /api/reports (autocannon, 10 connections, loopback) vs route_point alone (10 at a time)',
    ['cells', 'database', 'API reports/s', 'p50 ms', 'p95 ms', 'p99 ms', 'route_point/s', 'p50 ms', 'p95 ms', 'route_point/API', '201s', 'stored', 'failed', 'server peak RSS MiB'],
    rows.map((r) => [r.cells, DB_LABEL[r.db], fmt(r.apiReqPerS, 0), fmt(r.apiP50Ms), fmt(r.apiP95Ms), fmt(r.apiP99Ms), fmt(r.rawQueriesPerS, 0),
      fmt(r.rawP50Ms, 2), fmt(r.rawP95Ms, 2), ratio(r.rawQueriesPerS, r.apiReqPerS), r.created, r.stored, r.failed, r.serverPeakRssMiB]));
  const pg = byKey(rows.filter((r) => r.db === 'postgres'), (r) => String(r.cells));
  const emb = rows.filter((r) => r.db === 'embedded');
  if (pg.size && emb.length) {
    printTable('Intake, PostgreSQL vs embedded', ['cells', 'PostgreSQL reports/s', 'embedded reports/s', 'PostgreSQL/embedded', 'p95 ms PostgreSQL', 'p95 ms embedded'],
      emb.filter((e) => pg.has(String(e.cells))).map((e) => {
        const p = pg.get(String(e.cells))!;
        return [e.cells, fmt(p.apiReqPerS, 0), fmt(e.apiReqPerS, 0), ratio(p.apiReqPerS, e.apiReqPerS), fmt(p.apiP95Ms), fmt(e.apiP95Ms)];
      }));
  }
  // The figures at the most cells measured per database (10^5, or 10^3 with --quick).
  for (const kind of ['postgres', 'embedded'] as const) {
    const mine = rows.filter((r) => r.db === kind).sort((a, b) => b.cells - a.cells)[0];
    if (!mine) continue;
    const tag = `intake.${kind}`;
    summary[`${tag}.cells`] = mine.cells;
    summary[`${tag}.reportsPerSecond`] = round1(mine.apiReqPerS);
    summary[`${tag}.p99Ms`] = round1(mine.apiP99Ms);
    summary[`${tag}.routePointPerSecond`] = round1(mine.rawQueriesPerS);
  }
  return rows;
}

function reportTiles(results: JobResult<TileRow>[]) {
  const rows = results.flatMap((r) => r.rows);
  const label = (r: TileRow) => `${r.encoder === 'postgis' ? 'ST_AsMVT' : r.encoder === 'node' ? 'Node encoder' : 'raw ST_AsMVT query'} (${DB_LABEL[r.db]})`;
  printTable('Vector tiles of the cells, per tile (encoder called directly, no cache)',
    ['cells', 'zoom', 'path', 'tiles', 'p50 ms', 'p95 ms', 'mean bytes', 'max bytes'],
    rows.map((r) => [r.cells, r.zoom, label(r), r.tiles, fmt(r.p50Ms), fmt(r.p95Ms), Math.round(r.meanBytes), r.maxBytes]));
  const key = (r: TileRow) => `${r.cells}/${r.zoom}`;
  const mvt = byKey(rows.filter((r) => r.encoder === 'postgis'), key);
  const nodePg = byKey(rows.filter((r) => r.encoder === 'node' && r.db === 'postgres'), key);
  const emb = byKey(rows.filter((r) => r.db === 'embedded'), key);
  const keys = [...new Set(rows.map(key))];
  const raw = byKey(rows.filter((r) => r.encoder === 'raw ST_AsMVT'), key);
  printTable('Tiles side by side: p50 ms', ['cells', 'zoom', 'ST_AsMVT (PostgreSQL)', 'raw ST_AsMVT query', 'ST_AsMVT/raw', 'Node (PostgreSQL)', 'Node (embedded)', 'embedded/ST_AsMVT'],
    keys.map((k) => {
      const [cells, zoom] = k.split('/');
      const a = mvt.get(k)?.p50Ms ?? NaN, b = nodePg.get(k)?.p50Ms ?? NaN, c = emb.get(k)?.p50Ms ?? NaN, d = raw.get(k)?.p50Ms ?? NaN;
      return [cells!, zoom!, fmt(a), fmt(d), ratio(a, d), fmt(b), fmt(c), ratio(c, a)];
    }));
  for (const [kind, encoder] of [['postgres', 'postgis'], ['embedded', 'node']] as const) {
    for (const cells of new Set(rows.map((r) => r.cells))) {
      const mine = rows.filter((r) => r.db === kind && r.encoder === encoder && r.cells === cells);
      if (mine.length === 0) continue;
      const tag = `tiles.${kind}.1e${Math.round(Math.log10(cells))}`;
      summary[`${tag}.maxBytes`] = Math.max(...mine.map((r) => r.maxBytes));
      summary[`${tag}.p95Ms`] = round1(Math.max(...mine.map((r) => r.p95Ms)));
      const z13 = mine.find((r) => r.zoom === 13), r13 = raw.get(`${cells}/13`);
      if (kind === 'postgres' && z13 && r13) summary[`${tag}.z13.vsRawMvt`] = Math.round((z13.p50Ms / r13.p50Ms) * 100) / 100;
    }
  }
  return rows;
}

function reportHeatmap(results: JobResult<HeatmapRow>[]) {
  const rows = results.flatMap((r) => r.rows);
  const key = (r: HeatmapRow) => `${r.reports}/${r.db}/${r.zoom}/${r.filter}`;
  const raw = byKey(rows.filter((r) => r.source === 'raw'), key);
  const rolled = rows.filter((r) => r.source === 'rollup');
  printTable('Heatmap (GET /api/heatmap: points up to 5,000 in view, else bins), 1280×800 px view: from the rollup and from the raw reports side by side',
    ['reports', 'database', 'zoom', 'filter', 'mode', 'bins/points', 'in view', 'rollup p50', 'rollup p95', 'raw p50', 'raw p95', 'raw/rollup p95', 'load s'],
    rolled.map((r) => {
      const w = raw.get(key(r));
      return [r.reports, DB_LABEL[r.db], r.zoom, r.filter, r.mode, r.bins, r.inView, fmt(r.p50Ms), fmt(r.p95Ms), fmt(w?.p50Ms ?? NaN), fmt(w?.p95Ms ?? NaN), ratio(w?.p95Ms ?? NaN, r.p95Ms), fmt(r.loadSeconds)];
    }));
  for (const kind of ['postgres', 'embedded'] as const) {
    for (const reports of new Set(rows.filter((r) => r.db === kind).map((r) => r.reports))) {
      const mine = rows.filter((r) => r.db === kind && r.reports === reports);
      const worst = (source: string) => Math.max(...mine.filter((r) => r.source === source).map((r) => r.p95Ms));
      const tag = `heatmap.${kind}.1e${Math.round(Math.log10(reports))}`;
      summary[`${tag}.p95Ms`] = round1(worst('rollup'));
      summary[`${tag}.raw.p95Ms`] = round1(worst('raw'));
    }
  }
  return rows;
}

function reportCoverage(results: JobResult<CoverageRow>[]) {
  const rows = results.flatMap((r) => r.rows).sort((a, b) => a.cells - b.cells);
  printTable('Coverage analysis (overlaps, gaps, strays of every parent)', coverageHeader, coverageTable(rows));
  printCoverageSideBySide(rows);
  return rows;
}

function reportClient(results: JobResult<ClientRow>[]) {
  const rows = results.flatMap((r) => r.rows);
  const plain = rows.find((r) => r.encoding === 'identity');
  printTable('Public map, first load in Chromium (loopback, cache off, median of 3): precompressed build vs the same files uncompressed',
    ['Accept-Encoding', 'KiB on the wire', 'scripts KiB', 'requests', 'map drawn ms', '× bytes of uncompressed'],
    rows.map((r) => [r.encoding, fmt(r.kib, 0), fmt(r.scriptKiB, 0), r.requests, r.mapDrawnMs, plain ? ratio(r.kib, plain.kib) : '']));
  // What a browser gets: the precompressed build.
  const served = rows.find((r) => r.encoding !== 'identity');
  if (served) {
    summary['client.mapDrawnMs'] = served.mapDrawnMs;
    summary['client.firstLoadKiB'] = Math.round(served.kib);
    summary['client.firstLoadScriptKiB'] = Math.round(served.scriptKiB);
    summary['client.requests'] = served.requests;
  }
  return rows;
}

function reportCommand(results: JobResult<CommandRow>[]) {
  const rows = results.flatMap((r) => r.rows);
  printTable('Commander\'s live feed in Chromium (embedded demo, loopback): from the intake\'s 201 to the line on screen',
    ['reports', 'p50 ms', 'p95 ms', 'max ms'], rows.map((r) => [r.reports, r.p50Ms, r.p95Ms, r.maxMs]));
  const row = rows[0];
  if (row) summary['command.feedLatencyMs'] = row.p50Ms;
  if (row) summary['command.feedLatencyP95Ms'] = row.p95Ms;
  return rows;
}

function reportExchange(results: JobResult<ExchangeRow>[]) {
  const rows = results.flatMap((r) => r.rows);
  printTable('Import/export of cells through the API (in-process): export, then the same file uploaded (read + preview) and committed',
    ['cells', 'database', 'format', 'export s', 'bytes', 'upload s', 'commit s', 'import s', 'cells/s import', 'imported', 'left out'],
    rows.map((r) => [r.cells, DB_LABEL[r.db], r.format, fmt(r.exportSeconds, 2), r.bytes, fmt(r.uploadSeconds, 2), fmt(r.commitSeconds, 2),
      fmt(r.importSeconds, 2), fmt(r.imported / r.importSeconds, 0), r.imported, r.leftOut]));
  const key = (r: ExchangeRow) => `${r.cells}/${r.format}`;
  const pg = byKey(rows.filter((r) => r.db === 'postgres'), key);
  const emb = byKey(rows.filter((r) => r.db === 'embedded'), key);
  printTable('Import/export side by side: seconds', ['cells', 'format', 'export PostgreSQL', 'export embedded', 'embedded/PostgreSQL', 'import PostgreSQL', 'import embedded', 'embedded/PostgreSQL', 'import/export (PostgreSQL)'],
    [...new Set(rows.map(key))].map((k) => {
      const p = pg.get(k), e = emb.get(k), any = (p ?? e)!;
      const pe = p?.exportSeconds ?? NaN, ee = e?.exportSeconds ?? NaN, pi = p?.importSeconds ?? NaN, ei = e?.importSeconds ?? NaN;
      return [any.cells, any.format, fmt(pe, 2), fmt(ee, 2), ratio(ee, pe), fmt(pi, 2), fmt(ei, 2), ratio(ei, pi), ratio(pi, pe)];
    }));
  return rows;
}

function reportImports(results: JobResult<ImportRow>[]) {
  const rows = results.flatMap((r) => r.rows);
  const label = (r: ImportRow) => (r.db === 'ogr2ogr' ? 'ogr2ogr → PostGIS (no checks)' : DB_LABEL[r.db]);
  const ogr = rows.find((r) => r.db === 'ogr2ogr');
  printTable('Boundary import: us-atlas states and counties as GeoJSON, upload (read, store, check) and commit through the API; GET /api/health every 50 ms meanwhile',
    ['path', 'features', 'imported', 'left out', 'upload s', 'commit s', 'cells/s', 'commit cells/s', 'ogr2ogr faster by', 'health max ms', 'health answers'],
    rows.map((r) => [label(r), r.features, r.imported, r.leftOut, fmt(r.uploadSeconds, 2), fmt(r.commitSeconds, 2), fmt(r.cellsPerSecond, 0),
      r.db === 'ogr2ogr' ? '' : fmt(r.imported / r.commitSeconds, 0),
      ogr && r !== ogr ? ratio(ogr.cellsPerSecond, r.cellsPerSecond) : '', r.healthMaxMs === null ? '' : fmt(r.healthMaxMs, 0), r.healthAnswers ?? '']));
  for (const r of rows) {
    summary[`import.${r.db}.cellsPerSecond`] = round1(r.cellsPerSecond);
    if (r.db !== 'ogr2ogr') summary[`import.${r.db}.commitCellsPerSecond`] = round1(r.imported / r.commitSeconds);
    if (r.healthMaxMs !== null) summary[`import.${r.db}.healthDuringImportMaxMs`] = round1(r.healthMaxMs);
  }
  return rows;
}

function reportPartition(results: JobResult<PartitionRow>[]) {
  const rows = results.flatMap((r) => r.rows);
  printTable('Balanced division of an L-shaped community (POST /api/cells/:id/partition\'s work): time and balance (CV of workloads) vs k-means centres + Voronoi',
    ['units', 'cells', 'database', 'tiles', 'seconds', 'CV', 'max/min', 'contiguous', 'min compactness', 'baseline CV', 'baseline max/min'],
    rows.map((r) => [r.units, r.count, DB_LABEL[r.db], r.tiles, fmt(r.seconds, 2), fmt(r.cv, 4), fmt(r.maxMin ?? NaN, 3), r.contiguous ? 'yes' : 'no', fmt(r.minCompactness, 2), fmt(r.baselineCv, 3), fmt(r.baselineMaxMin ?? NaN, 2)]));
  for (const r of rows.filter((x) => x.count === 6)) {
    summary[`partition.${r.db}.${r.units}.seconds`] = Math.round(r.seconds * 100) / 100;
    summary[`partition.${r.db}.${r.units}.cv`] = r.cv;
    summary[`partition.${r.db}.${r.units}.baselineCv`] = Math.round(r.baselineCv * 1000) / 1000;
  }
  return rows;
}

async function main() {
  const args = process.argv.slice(2);
  const usage = `usage: npm run bench [-- <section>…] [-- --db=postgres|embedded] [-- --quick]\nsections: ${SECTIONS.join(' ')}\n`
    + 'environment: BENCH_HEAVY=1 (10^7 reports, 10^5-cell coverage), BENCH_CPU_PROFILE=dir (the server\'s CPU profile), BENCH_DATABASE_URL\n';
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage);
    return;
  }
  const unknown = args.filter((a) => !(SECTIONS as readonly string[]).includes(a) && a !== '--quick' && !/^--db=(postgres|embedded)$/.test(a));
  if (unknown.length) {
    process.stderr.write(`unknown argument${unknown.length > 1 ? 's' : ''}: ${unknown.join(' ')}\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if (args.includes('--quick')) process.env.BENCH_QUICK = '1';
  stopJobOnSignal();
  const sections = SECTIONS.filter((s) => args.includes(s));
  // --quick without sections: the reduced set (intake at 10^3 cells, tiles at 10^4, heatmap at 10^5), under 5 minutes.
  const chosen = sections.length ? sections : args.includes('--quick') ? ['intake', 'tiles', 'heatmap'] as Section[] : [...SECTIONS];
  const only = args.find((a) => a.startsWith('--db='))?.slice(5) as DbKind | undefined;
  const kinds: DbKind[] = only ? [only] : ['postgres', 'embedded'];
  const runId = randomBytes(3).toString('hex');
  const started = Date.now();
  if (kinds.includes('postgres')) await ensureBenchDatabase();
  log(`Wangge benchmarks${HEAVY ? ' (BENCH_HEAVY)' : ''}: ${chosen.join(', ')} on ${kinds.map((k) => DB_LABEL[k]).join(' and ')}${kinds.includes('postgres') ? ` (${BENCH_DATABASE_URL.replace(/\/\/[^@]*@/, '//')})` : ''}`);

  const memory: (string | number)[][] = [];
  const files: string[] = [];
  try {
    for (const section of chosen) {
      if (section === 'start') {
        // The embedded demo only: no per-database jobs, the server processes are the subject.
        log('\n[start · embedded demo]');
        const rows = await benchStart(log);
        printTable('Embedded demo: first start and restart (to /api/health), idle RSS of the server 10 s later',
          ['step', 'seconds', 'idle RSS MiB'], rows.map((r) => [r.what, fmt(r.seconds, 1), r.idleRssMiB ?? '']));
        files.push(writeResult(section, { rows }));
        continue;
      }
      // The client section measures the browser, not a database: once, on the embedded default.
      const jobKinds: JobKind[] = section === 'coverage' ? [...kinds, 'turf'] : section === 'client' || section === 'command' ? ['embedded'] : kinds;
      const results: JobResult<never>[] = [];
      for (const kind of jobKinds) {
        const r = await runJob<never>(section, kind, runId);
        results.push(r);
        memory.push([section, kind === 'turf' ? 'Turf and mapshaper (no database)' : DB_LABEL[kind], r.peakRssMiB, fmt(r.seconds, 0)]);
      }
      const rows = section === 'intake' ? reportIntake(results as JobResult<IntakeRow>[])
        : section === 'tiles' ? reportTiles(results as JobResult<TileRow>[])
          : section === 'heatmap' ? reportHeatmap(results as JobResult<HeatmapRow>[])
            : section === 'exchange' ? reportExchange(results as JobResult<ExchangeRow>[])
              : section === 'imports' ? reportImports(results as JobResult<ImportRow>[])
              : section === 'client' ? reportClient(results as JobResult<ClientRow>[])
              : section === 'command' ? reportCommand(results as JobResult<CommandRow>[])
              : section === 'partition' ? reportPartition(results as JobResult<PartitionRow>[])
              : reportCoverage(results as JobResult<CoverageRow>[]);
      files.push(writeResult(section, { rows, jobs: results.map((r) => ({ kind: r.kind, peakRssMiB: r.peakRssMiB, seconds: r.seconds })) }));
    }
  } finally {
    if (kinds.includes('postgres')) await dropSchemas(`wg_bench_${runId}_`);
  }
  printTable('Peak RSS per job (MiB): the benchmark process, which holds the embedded database; intake rows above give the server\'s own',
    ['section', 'database', 'peak RSS MiB', 'seconds'], memory);
  files.push(writeSummary());
  console.log(`\n${((Date.now() - started) / 60000).toFixed(1)} minutes; written: ${files.join(', ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] === '--job') await job(process.argv[3] as Section, process.argv[4] as JobKind, process.argv[5]!);
  else await main();
}
