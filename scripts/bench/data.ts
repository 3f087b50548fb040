/**
 * Deterministic benchmark data: grid cells from the coverage benchmark's tiling (irregular
 * quadrilaterals about 100 m across, 100 to a parent, a few injected faults), and hazard reports
 * generated inside the database from their row number, so 10^7 of them never cross the wire.
 */
import type { Db } from '../../server/db/db.ts';
import { ensureReportPartitions } from '../../server/reports/partitions.ts';
import { load, makeTiling } from './coverage.ts';
import { rng } from './lib.ts';

/** The tiling's grid: cells are STEP degrees apart from (110°E, 30°N). */
export const ORIGIN: [number, number] = [110, 30];
export const STEP = 0.001;

/** The bbox [w, s, e, n] a tiling of `cells` cells covers (square, BLOCK = 10 cells a side per parent). */
export function tilingExtent(cells: number): [number, number, number, number] {
  const blocksPerSide = Math.ceil(Math.sqrt(Math.ceil(cells / 100)));
  const side = blocksPerSide * 10 * STEP;
  return [ORIGIN[0], ORIGIN[1], ORIGIN[0] + side, ORIGIN[1] + side];
}

/** Loads a tiling of about `cells` level-2 cells (plus their level-1 parents); returns the parent ids. */
export async function loadCells(db: Db, cells: number) {
  return load(db, makeTiling(cells));
}

/** `n` report points in the bbox, from a seed: two thirds uniform, one third around 12 hot spots. */
export function reportPoints(n: number, bbox: [number, number, number, number], seed = 7): [number, number][] {
  const r = rng(seed);
  const [w, s, e, nn] = bbox;
  const hot = Array.from({ length: 12 }, () => [w + r() * (e - w), s + r() * (nn - s)] as const);
  return Array.from({ length: n }, (_, i) => {
    if (i % 3 === 2) {
      const [x, y] = hot[i % hot.length]!;
      return [Math.min(e, Math.max(w, x + (r() - 0.5) * 0.01)), Math.min(nn, Math.max(s, y + (r() - 0.5) * 0.01))];
    }
    return [w + r() * (e - w), s + r() * (nn - s)];
  });
}

/**
 * Inserts reports numbered from..to (inclusive) straight into the reports table: point, category,
 * severity, state and time all follow from the number (a quasi-random R2 sequence, one third
 * gathered in 12 hot spots), so every run makes the same rows without sending them.
 */
export async function insertReports(db: Db, from: number, to: number, bbox: [number, number, number, number]): Promise<void> {
  const [w, s, e, n] = bbox;
  await db.query(
    `INSERT INTO reports (tracking_code, geom, category, severity, description, source, state, step_started_at, due_at, created_at, updated_at)
     SELECT 'BENCH-' || g, ST_SetSRID(ST_MakePoint(x, y), 4326),
            (ARRAY['fire','environment','work_safety','food_drug','price','conduct','other'])[1 + g % 7],
            CASE WHEN g % 10 = 0 THEN 'major' ELSE 'ordinary' END, 'bench', 'resident',
            (ARRAY['reported','verified','dispatched','rectifying','rectified','closed','closed','closed'])[1 + g % 8],
            t, t + interval '7 days', t, t
     FROM (SELECT $3::float8 AS w, $4::float8 AS s, $5::float8 AS e, $6::float8 AS n) b,
     LATERAL (
       SELECT g,
              CASE WHEN g % 3 = 2 THEN hx + (u - 0.5) * 0.01 ELSE b.w + u * (b.e - b.w) END AS x,
              CASE WHEN g % 3 = 2 THEN hy + (v - 0.5) * 0.01 ELSE b.s + v * (b.n - b.s) END AS y,
              timestamptz '2026-01-01' + (g % 525600) * interval '1 minute' AS t
       FROM (
         SELECT g, g * 0.7548776662466927 - floor(g * 0.7548776662466927) AS u,
                   g * 0.5698402909980532 - floor(g * 0.5698402909980532) AS v,
                   b.w + ((g % 12) * 0.618034 - floor((g % 12) * 0.618034)) * (b.e - b.w) AS hx,
                   b.s + ((g % 12) * 0.414214 - floor((g % 12) * 0.414214)) * (b.n - b.s) AS hy
         FROM generate_series($1::int, $2::int) g) q) p`,
    [from, to, w, s, e, n]);
}

/**
 * Fills the reports table up to `total` rows in batches, with the heatmap rollup's trigger off and
 * the rollup rebuilt at the end (a bulk load, not intake), then analyses both.
 */
export async function fillReports(db: Db, total: number, bbox: [number, number, number, number], batch = 100_000): Promise<void> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM reports');
  // The bench's reports fall in 2026: each month's partition exists before they arrive.
  await ensureReportPartitions(db, new Date('2026-01-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'));
  await db.exec('ALTER TABLE reports DISABLE TRIGGER reports_heat_insert; ALTER TABLE reports DISABLE TRIGGER reports_key');
  try {
    for (let from = rows[0]!.n + 1; from <= total; from += batch) {
      await insertReports(db, from, Math.min(total, from + batch - 1), bbox);
    }
  } finally {
    await db.exec('ALTER TABLE reports ENABLE TRIGGER reports_heat_insert; ALTER TABLE reports ENABLE TRIGGER reports_key');
  }
  // The keys (migration 025) of the loaded reports, in one statement rather than a trigger per row.
  await db.query(`INSERT INTO report_keys (id, created_at, tracking_code)
                  SELECT r.id, r.created_at, r.tracking_code FROM reports r WHERE NOT EXISTS (SELECT 1 FROM report_keys k WHERE k.id = r.id)`);
  await db.query('SELECT report_heat_rebuild()');
  await db.exec('ANALYZE reports; ANALYZE report_keys; ANALYZE report_heat');
}
