/**
 * Heatmap: GET /api/heatmap's answer (server/command/heatmap.ts: points up to the threshold, else
 * bins on a Web Mercator grid sized to the zoom), from the rollup (report_heat) and from the raw
 * reports side by side, at 10^5 and 10^6 reports (10^7 with BENCH_HEAVY=1, PostgreSQL only; 10^5
 * only with --quick), for a 1280×800 px view at zooms 10 (the whole city), 13, 14, 15 and 16 over the
 * city's centre, under several filters (all, category + open, overdue, a 30-day window, one replay
 * step of a day starting at 08:00 local).
 */
import { commandConfig } from '../../server/command/config.ts';
import { heatmap } from '../../server/command/heatmap.ts';
import type { Bbox, ReportFilter } from '../../server/command/filters.ts';
import { fillReports, tilingExtent } from './data.ts';
import { HEAVY, QUICK, openPlace, percentile, type DbKind } from './lib.ts';

export const HEATMAP_SIZES = (kind: DbKind) => QUICK ? [100_000] : [100_000, 1_000_000, ...(HEAVY && kind === 'postgres' ? [10_000_000] : [])];
const ZOOMS = [10, 13, 14, 15, 16];
const REPEATS = 5;
/** The city: as wide as the 10^5-cell tiling (about 35 km). */
const CITY = tilingExtent(100_000);
const NOW = new Date('2027-01-01T00:00:00Z');

const FILTERS: Record<string, Omit<ReportFilter, 'scope' | 'now' | 'bbox'>> = {
  all: { state: 'all' },
  'fire+open': { state: 'open', category: 'fire' },
  overdue: { state: 'overdue' },
  '30 days': { state: 'all', from: new Date('2026-01-10T00:00:00+08:00'), to: new Date('2026-02-09T00:00:00+08:00') },
  'replay day': { state: 'all', from: new Date('2026-01-20T08:00:00+08:00'), to: new Date('2026-01-21T08:00:00+08:00') },
};

export interface HeatmapRow {
  reports: number;
  db: DbKind;
  zoom: number;
  filter: string;
  source: 'rollup' | 'raw';
  mode: string;
  bins: number;
  inView: number;
  p50Ms: number;
  p95Ms: number;
  loadSeconds: number;
}

/** A 1280×800 px view at zoom z around the city's centre. */
function view(z: number): Bbox {
  const cx = (CITY[0] + CITY[2]) / 2, cy = (CITY[1] + CITY[3]) / 2;
  const w = (1280 * 360) / (256 * 2 ** z), h = (800 * 360) / (256 * 2 ** z) * Math.cos((cy * Math.PI) / 180);
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

export async function benchHeatmap(kind: DbKind, runId: string, log: (s: string) => void): Promise<HeatmapRow[]> {
  const rows: HeatmapRow[] = [];
  const cfg = commandConfig();
  const db = await openPlace({ kind, where: kind === 'embedded' ? '' : `wg_bench_${runId}_heatmap` }, { create: true });
  try {
    for (const reports of HEATMAP_SIZES(kind)) {
      const start = process.hrtime.bigint();
      await fillReports(db, reports, CITY);
      const loadSeconds = Number(process.hrtime.bigint() - start) / 1e9;
      log(`  ${reports} reports loaded (and the rollup rebuilt) in ${loadSeconds.toFixed(1)} s`);
      for (const zoom of ZOOMS) {
        for (const [name, f] of Object.entries(FILTERS)) {
          const filter: ReportFilter = { scope: [], ...f, bbox: view(zoom), now: NOW };
          for (const source of ['rollup', 'raw'] as const) {
            await heatmap(db, cfg, filter, zoom, false, source); // warm-up
            const ms: number[] = [];
            let last: Awaited<ReturnType<typeof heatmap>> | undefined;
            for (let k = 0; k < REPEATS; k++) {
              const t = process.hrtime.bigint();
              last = await heatmap(db, cfg, filter, zoom, false, source);
              ms.push(Number(process.hrtime.bigint() - t) / 1e6);
            }
            const row: HeatmapRow = {
              reports, db: kind, zoom, filter: name, source, mode: last!.mode, bins: last!.bins?.length ?? last!.points?.length ?? 0, inView: last!.total,
              p50Ms: percentile(ms, 50), p95Ms: percentile(ms, 95), loadSeconds,
            };
            log(`  ${reports} reports z${zoom} ${name} ${source}: ${row.mode} ${row.bins} (${row.inView}), p50 ${row.p50Ms.toFixed(0)} ms`);
            rows.push(row);
          }
        }
      }
    }
  } finally {
    await db.close();
  }
  return rows;
}
