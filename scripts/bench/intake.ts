/**
 * Routing and intake: reports per second through POST /api/reports of the real server (a child
 * process, autocannon on loopback) at 10^3 and 10^5 cells, and the raw point-in-cell query
 * (route_point) alone on the same data, so the API's share shows as a ratio.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import type { Db } from '../../server/db/db.ts';
import { loadCells, reportPoints, tilingExtent } from './data.ts';
import { HEAVY, QUICK, openPlace, percentile, schemaUrl, type DbKind } from './lib.ts';
import { startChildServer } from './server.ts';

export const INTAKE_SIZES = QUICK ? [1_000] : [1_000, 100_000];
const DURATION_S = Number(process.env.BENCH_INTAKE_SECONDS ?? (HEAVY ? 30 : QUICK ? 5 : 10));
const CONNECTIONS = 10;
const RAW_QUERIES = 3000;

export interface IntakeRow {
  cells: number;
  db: DbKind;
  apiReqPerS: number;
  apiP50Ms: number;
  apiP95Ms: number;
  apiP99Ms: number;
  created: number;
  failed: number;
  stored: number;
  rawQueriesPerS: number;
  rawP50Ms: number;
  rawP95Ms: number;
  rawP99Ms: number;
  serverPeakRssMiB: number;
}

/** route_point alone, CONNECTIONS at a time like the HTTP run: per-query latency and throughput. */
async function rawRouting(db: Db, points: [number, number][]) {
  const samples: number[] = [];
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (next < RAW_QUERIES) {
      const [lon, lat] = points[next++ % points.length]!;
      const t = process.hrtime.bigint();
      const { rows } = await db.query<{ id: number | null }>('SELECT route_point(ST_SetSRID(ST_MakePoint($1, $2), 4326)) AS id', [lon, lat]);
      if (rows.length !== 1) throw new Error('route_point returned no row');
      samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }));
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  return { perS: RAW_QUERIES / secs, p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99) };
}

export async function benchIntake(kind: DbKind, runId: string, log: (s: string) => void): Promise<IntakeRow[]> {
  const rows: IntakeRow[] = [];
  for (const cells of INTAKE_SIZES) {
    const dir = kind === 'embedded' ? mkdtempSync(path.join(os.tmpdir(), 'wangge-bench-')) : undefined;
    const place = { kind, where: dir ?? `wg_bench_${runId}_intake_${cells}` };
    try {
      const points = reportPoints(4000, tilingExtent(cells));
      let db = await openPlace(place, { create: true });
      await loadCells(db, cells);
      // Warm the cells index and caches before timing.
      await db.query('SELECT count(*) FROM cells');
      const raw = await rawRouting(db, points);
      log(`  ${cells} cells: route_point ${raw.perS.toFixed(0)}/s`);
      await db.close();

      const server = await startChildServer(kind === 'embedded' ? { dataDir: dir } : { databaseUrl: schemaUrl(place.where) });
      let result: autocannon.Result;
      let i = 0;
      const latencies: number[] = [];
      try {
        const bodies = points.map(([lon, lat], k) => JSON.stringify({
          location: { type: 'Point', coordinates: [lon, lat] }, category: k % 2 ? 'fire' : 'environment', severity: k % 10 ? 'ordinary' : 'major',
          description: `benchmark report ${k}`,
        }));
        result = await new Promise<autocannon.Result>((resolve, reject) => {
          const run = autocannon({
            url: server.url, connections: CONNECTIONS, duration: DURATION_S,
            requests: [{ method: 'POST', path: '/api/reports', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }) }],
          }, (err, res) => (err ? reject(err) : resolve(res)));
          run.on('response', (_client, status, _bytes, ms) => {
            if (status === 201) latencies.push(ms);
          });
        });
      } finally {
        await server.stop();
      }
      db = await openPlace(place);
      const stored = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM reports')).rows[0]!.n;
      await db.close();
      const row: IntakeRow = {
        cells, db: kind,
        apiReqPerS: result['2xx'] / result.duration, apiP50Ms: percentile(latencies, 50), apiP95Ms: percentile(latencies, 95), apiP99Ms: percentile(latencies, 99),
        created: result['2xx'], failed: result.non2xx + result.errors, stored,
        rawQueriesPerS: raw.perS, rawP50Ms: raw.p50, rawP95Ms: raw.p95, rawP99Ms: raw.p99,
        serverPeakRssMiB: server.peakRssMiB(),
      };
      log(`  ${cells} cells: API ${row.apiReqPerS.toFixed(0)}/s, ${row.created} created, ${row.stored} stored, ${row.failed} failed`);
      rows.push(row);
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}
