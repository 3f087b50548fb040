/**
 * Balanced division (任务相当): the time of a proposal (POST /api/cells/:id/partition's work:
 * tessellation and measures in PostGIS, the partition in Node, the union of each part) for an
 * L-shaped community holding 1,000, 5,000 and 20,000 units, and the balance it reaches (CV of the
 * workloads) against a naive baseline: k-means centres of the workload, each tile to the nearest
 * centre (their Voronoi diagram clipped to the parent). Part of `npm run bench -- partition`.
 */
import { loadConfig } from '../../server/config.ts';
import type { Db } from '../../server/db/db.ts';
import { Rng } from '../../server/demo/random.ts';
import { propose } from '../../server/partition/propose.ts';
import { extentOf, gridFor, tessellate } from '../../server/partition/tiles.ts';
import { balanceOf, workloadOf } from '../../server/partition/workload.ts';
import { lShapedCommunity } from '../../tests/helpers/community.ts';
import { HEAVY, QUICK, type DbKind, openPlace, timeIt } from './lib.ts';

export interface PartitionRow {
  db: DbKind;
  units: number;
  count: number;
  tiles: number;
  seconds: number;
  cv: number;
  maxMin: number | null;
  contiguous: boolean;
  /** The least compact part (Polsby–Popper 4πA/P²). */
  minCompactness: number;
  baselineCv: number;
  baselineMaxMin: number | null;
}

/** Lloyd's k-means over the tiles weighted by workload (k-means++ start from the seed); each tile's nearest centre. */
export function kmeansBaseline(x: number[], y: number[], w: number[], k: number, seed = 1): Int32Array {
  const rng = new Rng(seed);
  const n = x.length;
  const cx: number[] = [];
  const cy: number[] = [];
  const first = Math.floor(rng.next() * n);
  cx.push(x[first]!);
  cy.push(y[first]!);
  const d2 = new Float64Array(n).fill(Infinity);
  while (cx.length < k) {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      d2[i] = Math.min(d2[i]!, (x[i]! - cx.at(-1)!) ** 2 + (y[i]! - cy.at(-1)!) ** 2);
      sum += d2[i]! * (w[i]! + 1e-9);
    }
    let r = rng.next() * sum;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      r -= d2[i]! * (w[i]! + 1e-9);
      if (r <= 0) { pick = i; break; }
    }
    cx.push(x[pick]!);
    cy.push(y[pick]!);
  }
  const label = new Int32Array(n);
  for (let iter = 0; iter < 50; iter++) {
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bd = Infinity;
      for (let c = 0; c < k; c++) {
        const d = (x[i]! - cx[c]!) ** 2 + (y[i]! - cy[c]!) ** 2;
        if (d < bd) [bd, best] = [d, c];
      }
      label[i] = best;
    }
    const sx = new Float64Array(k), sy = new Float64Array(k), sw = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const c = label[i]!;
      const wi = w[i]! + 1e-9;
      sx[c] = sx[c]! + x[i]! * wi;
      sy[c] = sy[c]! + y[i]! * wi;
      sw[c] = sw[c]! + wi;
    }
    for (let c = 0; c < k; c++) if (sw[c]! > 0) [cx[c], cy[c]] = [sx[c]! / sw[c]!, sy[c]! / sw[c]!];
  }
  return label;
}

export async function benchPartition(kind: DbKind, runId: string, log: (s: string) => void): Promise<PartitionRow[]> {
  const config = loadConfig({});
  const rows: PartitionRow[] = [];
  const sizes = QUICK ? [1_000, 5_000] : HEAVY ? [1_000, 5_000, 20_000, 100_000] : [1_000, 5_000, 20_000];
  const db: Db = await openPlace({ kind, where: kind === 'embedded' ? '' : `wg_bench_${runId}_partition` }, { create: true });
  try {
    for (const units of sizes) {
      await db.query('TRUNCATE units, cells CASCADE');
      const { community } = await lShapedCommunity(db, units);
      const parent = { id: community, name: '姜城社区' };
      await propose(db, config, parent, { count: 6, seed: 1 }, new Date()); // warm-up: plans, caches
      for (const count of [6, 12]) {
        const [p, seconds] = await timeIt(() => propose(db, config, parent, { count, seed: 1 }, new Date()));
        // The baseline on the same tiles and workloads.
        const extent = (await extentOf(db, community))!;
        const grid = gridFor(extent, Math.min(6000, Math.max(config.workload.tiles.target, count * 30)), config.workload.tiles.minSideM);
        const { tiles } = await tessellate(db, config, community, grid, new Date());
        const w = tiles.map((t) => workloadOf(t, config.workload.weights));
        const labels = kmeansBaseline(tiles.map((t) => t.x), tiles.map((t) => t.y), w, count);
        const loads = new Array<number>(count).fill(0);
        labels.forEach((l, i) => { loads[l] = loads[l]! + w[i]!; });
        const base = balanceOf(loads);
        rows.push({
          db: kind, units, count, tiles: p.tiles.count, seconds, cv: p.balance.cv, maxMin: p.balance.maxMin,
          contiguous: p.features.every((f) => f.properties.parts === 1), minCompactness: Math.min(...p.features.map((f) => f.properties.compactness)), baselineCv: base.cv, baselineMaxMin: base.maxMin,
        });
        log(`  ${units} units, ${count} cells, ${kind}: ${seconds.toFixed(2)} s, CV ${p.balance.cv.toFixed(4)} (k-means/Voronoi ${base.cv.toFixed(3)})`);
      }
    }
  } finally {
    await db.close();
  }
  return rows;
}
