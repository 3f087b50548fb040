import { describe, expect, it } from 'vitest';
import { Rng } from '../demo/random.ts';
import { loadConfig } from '../config.ts';
import { cutEdges, partitionGraph, type TileGraph } from './algorithm.ts';
import { balanceOf, patrolMinutesByType } from './workload.ts';

/** An L-shaped grid of side × side tiles less its north-east quarter, with lumpy workloads; `gap` cuts a channel making an island. */
function lGrid(side: number, seed = 7, gap = false): TileGraph {
  const rng = new Rng(seed);
  const index = new Map<string, number>();
  const x: number[] = [], y: number[] = [], w: number[] = [];
  for (let i = 0; i < side; i++) {
    for (let j = 0; j < side; j++) {
      if (i >= side / 2 && j >= side / 2) continue;
      if (gap && i === side - 3) continue;
      index.set(`${i},${j}`, x.length);
      x.push(i * 50);
      y.push(j * 50);
      w.push(0.02 + (rng.chance(0.5) ? rng.int(1, 120) : 0));
    }
  }
  const adj = x.map(() => [] as number[]);
  for (const [key, t] of index) {
    const [i, j] = key.split(',').map(Number) as [number, number];
    for (const n of [index.get(`${i + 1},${j}`), index.get(`${i},${j + 1}`)]) {
      if (n === undefined) continue;
      adj[t]!.push(n);
      adj[n]!.push(t);
    }
  }
  return { x, y, w, adj };
}

function regions(g: TileGraph, labels: Int32Array, count: number) {
  const loads = new Array<number>(count).fill(0);
  labels.forEach((l, t) => { loads[l] = loads[l]! + g.w[t]!; });
  // Connected pieces per region, over the adjacency.
  const pieces = new Array<number>(count).fill(0);
  const seen = new Uint8Array(labels.length);
  for (let s = 0; s < labels.length; s++) {
    if (seen[s]) continue;
    pieces[labels[s]!]!++;
    const queue = [s];
    seen[s] = 1;
    for (let h = 0; h < queue.length; h++) {
      for (const u of g.adj[queue[h]!]!) {
        if (!seen[u] && labels[u] === labels[s]) {
          seen[u] = 1;
          queue.push(u);
        }
      }
    }
  }
  return { loads, pieces };
}

describe('partition of a tile graph', () => {
  const g = lGrid(50);

  it.each([2, 3, 6, 12, 25])('makes %i contiguous regions of even workload on a concave shape', (count) => {
    const labels = partitionGraph(g, count, { seed: 1 });
    const { loads, pieces } = regions(g, labels, count);
    expect(pieces).toEqual(new Array(count).fill(1));
    expect(balanceOf(loads).cv).toBeLessThan(0.05);
  });

  it('is deterministic for a seed and varies with it', () => {
    const a = partitionGraph(g, 6, { seed: 1 });
    expect(partitionGraph(g, 6, { seed: 1 })).toEqual(a);
    expect(partitionGraph(g, 6, { seed: 9 })).not.toEqual(a);
  });

  it('keeps borders short: far fewer cut edges than a random labelling', () => {
    const labels = partitionGraph(g, 6, { seed: 1 });
    const rng = new Rng(3);
    const random = labels.map(() => rng.int(0, 5));
    expect(cutEdges(g.adj, labels)).toBeLessThan(cutEdges(g.adj, random) / 10);
  });

  it('assigns an island (a part of the parent apart from the rest) to a region', () => {
    const island = lGrid(30, 7, true);
    const labels = partitionGraph(island, 4, { seed: 1 });
    expect(labels.every((l) => l >= 0 && l < 4)).toBe(true);
    expect(new Set(labels).size).toBe(4);
  });

  it('refuses more regions than tiles', () => {
    expect(() => partitionGraph(lGrid(4), 100)).toThrow(RangeError);
  });
});

describe('workload measures', () => {
  it('balance: CV and max/min', () => {
    expect(balanceOf([10, 10, 10])).toMatchObject({ cv: 0, maxMin: 1, mean: 10 });
    const b = balanceOf([5, 15]);
    expect(b.cv).toBeCloseTo(0.5);
    expect(b.maxMin).toBe(3);
    expect(balanceOf([0, 4]).maxMin).toBeNull();
  });

  it('patrol minutes a month follow the cadence of the first plan listing the type', () => {
    const minutes = patrolMinutesByType(loadConfig({}));
    // Class A key fire-safety units weekly, 30 minutes a visit; pollution sources twice a month.
    expect(minutes.key_fire_a).toBeCloseTo((30.44 / 7) * 30);
    expect(minutes.pollution_source).toBeCloseTo(60);
    expect(minutes.small_place).toBeCloseTo(30);
  });
});
