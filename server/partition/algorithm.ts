import { Rng } from '../demo/random.ts';

/**
 * Balanced, contiguous, compact partition of a tile graph (the fine tessellation of a parent cell)
 * into N regions. Pure and deterministic: the same graph, count and seed give the same labels.
 *
 * 1. Recursive weighted bisection: each set of tiles is cut along the grid (borders run straight)
 *    by growing one side from an end, tile by tile in order of position along an axis, over the
 *    adjacency graph, until it holds its share of the workload (k1/k of it for k1 of the k
 *    regions). Grown over the graph, that side is connected; pockets of the other side cut off
 *    from it join the grown side (contiguity repair). Of the four ways (two axes, two ends), one
 *    making the least elongated sides is taken, the seed choosing among near ties.
 * 2. Local search on the borders: a tile moves to a neighbouring region when that lowers
 *    J = Σ((W_r − T)/T)² + μ·(edges cut), keeping the region it leaves connected. J only falls, so
 *    the search ends; it evens the workloads out while keeping borders short.
 * With lines to follow (roads, existing borders: edges `along` them), growing a side fills the
 * ground up to a line before crossing it, the cut is taken where it runs along lines most (within
 * LINE_TOLERANCE of the balanced share), and an edge along a line costs ALONG_COST in J.
 */
export interface TileGraph {
  /** Tile centres in metres (any local frame). */
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Workload of each tile (≥ 0). */
  w: ArrayLike<number>;
  /** Neighbours of each tile (sharing an edge), both ways. */
  adj: number[][];
  /** Edges (edgeKey) that lie on a line to follow: a border there costs little. */
  along?: Set<number>;
}

/** The key of the edge between tiles a and b of n. */
export const edgeKey = (a: number, b: number, n: number) => (a < b ? a * n + b : b * n + a);

/** What a border along a line to follow costs, against 1 for any other edge. */
const ALONG_COST = 0.05;
/**
 * With lines to follow, a cut may give or take this share of one region's workload to run along
 * a line instead of straight across the ground; the local search then evens out what it can.
 */
const LINE_TOLERANCE = 0.15;
/** Following lines, the local search leaves alone a region within this share of the mean. */
const LINE_DEAD_ZONE = 0.1;

export interface PartitionOptions {
  seed?: number;
  /** Weight of border length against balance in the local search (per cut edge, relative). */
  compactness?: number;
  /** Sweeps of the local search at most. */
  maxSweeps?: number;
  /**
   * Rebalancing: the labels to stay close to. A tile leaving its anchor region costs movePenalty
   * cut edges' worth (and returning saves it), so only moves that matter for balance are made.
   */
  anchor?: ArrayLike<number>;
  movePenalty?: number;
}

class MinHeap {
  private keys: number[] = [];
  private vals: number[] = [];
  get size() {
    return this.vals.length;
  }
  push(key: number, val: number) {
    const k = this.keys;
    const v = this.vals;
    k.push(key);
    v.push(val);
    let i = k.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (k[p]! < key || (k[p] === key && v[p]! <= val)) break;
      k[i] = k[p]!;
      v[i] = v[p]!;
      i = p;
    }
    k[i] = key;
    v[i] = val;
  }
  pop(): number {
    const k = this.keys;
    const v = this.vals;
    const top = v[0]!;
    const lastK = k.pop()!;
    const lastV = v.pop()!;
    if (v.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= v.length) break;
        const r = l + 1;
        const c = r < v.length && (k[r]! < k[l]! || (k[r] === k[l] && v[r]! < v[l]!)) ? r : l;
        if (k[c]! > lastK || (k[c] === lastK && v[c]! >= lastV)) break;
        k[i] = k[c]!;
        v[i] = v[c]!;
        i = c;
      }
      k[i] = lastK;
      v[i] = lastV;
    }
    return top;
  }
}

/** Connected components of the tiles in `members` (all tiles when null), as lists. */
function components(adj: number[][], n: number, members: Uint8Array | null): number[][] {
  const seen = new Uint8Array(n);
  const out: number[][] = [];
  for (let s = 0; s < n; s++) {
    if (seen[s] || (members && !members[s])) continue;
    const comp = [s];
    seen[s] = 1;
    for (let h = 0; h < comp.length; h++) {
      for (const u of adj[comp[h]!]!) {
        if (!seen[u] && (!members || members[u])) {
          seen[u] = 1;
          comp.push(u);
        }
      }
    }
    out.push(comp);
  }
  return out;
}

/**
 * A copy of the adjacency where every island (a separate part of a multipart parent, or a sliver
 * touching the rest at a point only) is linked to the nearest tile of the rest, so every region can
 * be grown; an island's region is then multipart, as the parent is.
 */
export function linkIslands(g: TileGraph): number[][] {
  const n = g.w.length;
  const adj = g.adj.map((a) => [...a]);
  const comps = components(adj, n, null).sort((a, b) => b.length - a.length || a[0]! - b[0]!);
  const linked = new Uint8Array(n);
  for (const t of comps[0] ?? []) linked[t] = 1;
  for (const comp of comps.slice(1)) {
    let best = -1;
    let from = -1;
    let dist = Infinity;
    for (const t of comp) {
      for (let u = 0; u < n; u++) {
        if (!linked[u]) continue;
        const d = (g.x[t]! - g.x[u]!) ** 2 + (g.y[t]! - g.y[u]!) ** 2;
        if (d < dist) [dist, best, from] = [d, u, t];
      }
      if (comp.length > 50) break; // a large island: its first tile is near enough
    }
    adj[from]!.push(best);
    adj[best]!.push(from);
    for (const t of comp) linked[t] = 1;
  }
  return adj;
}

/** Labels 0…count−1 for every tile. */
export function partitionGraph(g: TileGraph, count: number, opts: PartitionOptions = {}): Int32Array {
  const n = g.w.length;
  if (count < 1 || count > n) throw new RangeError(`cannot make ${count} regions of ${n} tiles`);
  const rng = new Rng(opts.seed ?? 1);
  const adj = linkIslands(g);
  const lines = (g.along?.size ?? 0) > 0;
  const isAlong = (a: number, b: number) => g.along?.has(edgeKey(a, b, n)) ?? false;
  const cost = (a: number, b: number) => (isAlong(a, b) ? ALONG_COST : 1);
  // Larger than any distance across the grid (metres): a tile across a line is taken after this side.
  const BARRIER = 1e9;
  /** What the cut between `inA` and the rest of the set being cut (inSet) costs. */
  const cutOf = (inA: Set<number>) => {
    let c = 0;
    for (const t of inA) for (const u of adj[t]!) if (!inA.has(u) && inSet[u]) c += cost(t, u);
    return c;
  };
  const labels = new Int32Array(n).fill(-1);
  const inSet = new Uint8Array(n);
  let next = 0;

  const bisect = (S: number[], k: number) => {
    if (k === 1) {
      for (const t of S) labels[t] = next;
      next++;
      return;
    }
    const k1 = Math.floor(k / 2);
    const k2 = k - k1;
    let W = 0;
    for (const t of S) W += g.w[t]!;
    for (const t of S) inSet[t] = 1;
    const target = (W * k1) / k;

    /** One side grown from one end along one axis of the grid, with the other side's pockets. */
    const grow = (alongX: boolean, flip: number): Set<number> => {
      const proj = (t: number) => (alongX ? g.x[t]! : g.y[t]!) * flip;
      let start = S[0]!;
      for (const t of S) if (proj(t) < proj(start)) start = t;
      const inA = new Set<number>();
      const queued = new Set<number>([start]);
      const heap = new MinHeap();
      heap.push(proj(start), start);
      let WA = 0;
      // With lines: the order tiles were taken, the cut's cost after each, the best cut within tolerance.
      const order: number[] = [];
      let cutCost = 0;
      let best = { size: -1, cost: Infinity, off: Infinity };
      let closest = { size: -1, off: Infinity };
      const slack = lines ? (LINE_TOLERANCE * W) / k : 0;
      while (heap.size && S.length - inA.size > k2) {
        const t = heap.pop();
        const wt = g.w[t]!;
        const worse = Math.abs(WA + wt - target) >= Math.abs(WA - target);
        if (inA.size >= k1 && worse && (!lines || WA + wt > target + slack)) break;
        inA.add(t);
        WA += wt;
        if (lines) {
          order.push(t);
          for (const u of adj[t]!) if (inSet[u]) cutCost += inA.has(u) ? -cost(t, u) : cost(t, u);
          const off = Math.abs(WA - target);
          if (inA.size >= k1 && S.length - inA.size >= k2 && off < closest.off) closest = { size: inA.size, off };
          if (inA.size >= k1 && S.length - inA.size >= k2 && off <= slack && (cutCost < best.cost - 1e-9 || (Math.abs(cutCost - best.cost) <= 1e-9 && off < best.off))) {
            best = { size: inA.size, cost: cutCost, off };
          }
        }
        for (const u of adj[t]!) {
          if (inSet[u] && !queued.has(u)) {
            queued.add(u);
            // Across a line, a tile waits until this side of it is taken.
            heap.push(proj(u) + (lines && isAlong(t, u) ? BARRIER : 0), u);
          }
        }
      }
      // The cut along lines most within the tolerance; else the one nearest the balanced share.
      const keep = best.size > 0 ? best.size : closest.size;
      if (lines && keep > 0 && keep < inA.size) for (const t of order.slice(keep)) inA.delete(t);
      // Pockets of the other side that growing A cut off from its main part join A.
      const membersB = new Uint8Array(n);
      for (const t of S) if (!inA.has(t)) membersB[t] = 1;
      const partsB = components(adj, n, membersB);
      if (partsB.length > 1) {
        const weightOf = (p: number[]) => p.reduce((sum, t) => sum + g.w[t]!, 0);
        partsB.sort((a, b) => weightOf(b) - weightOf(a) || b.length - a.length || a[0]! - b[0]!);
        if (partsB[0]!.length >= k2) for (const p of partsB.slice(1)) for (const t of p) inA.add(t);
      }
      return inA;
    };
    /** How elongated the thinner side is: the larger long/short ratio of the two sides' extents. */
    const elongation = (inA: Set<number>): number => {
      const box = [[Infinity, -Infinity, Infinity, -Infinity], [Infinity, -Infinity, Infinity, -Infinity]];
      for (const t of S) {
        const b = box[inA.has(t) ? 0 : 1]!;
        b[0] = Math.min(b[0]!, g.x[t]!);
        b[1] = Math.max(b[1]!, g.x[t]!);
        b[2] = Math.min(b[2]!, g.y[t]!);
        b[3] = Math.max(b[3]!, g.y[t]!);
      }
      // Tile centres: a side one tile wide still has some width.
      const step = Math.sqrt(Math.max(1e-9, ((box[0]![1]! - box[0]![0]!) * (box[0]![3]! - box[0]![2]!)) / Math.max(1, inA.size)));
      return Math.max(...box.map(([x0, x1, y0, y1]) => {
        const a = x1! - x0! + step;
        const b = y1! - y0! + step;
        return Math.max(a, b) / Math.min(a, b);
      }));
    };
    // The four ways to cut (two axes of the grid, from either end): the cut runs along the grid, so
    // borders are straight lines, not staircases. The seed picks among those making the least
    // elongated sides (within 15% of the best), so another seed gives another proposal.
    const options = [[true, 1], [true, -1], [false, 1], [false, -1]] as const;
    const tried = options.map(([alongX, flip]) => {
      const inA = grow(alongX, flip);
      // With lines, a cut along them counts for more than its sides' shape.
      return { inA, cost: elongation(inA) * (lines ? 1 + cutOf(inA) / Math.sqrt(S.length) : 1) };
    });
    const best = Math.min(...tried.map((o) => o.cost));
    const good = tried.filter((o) => o.cost <= best * 1.15);
    const inA = good[Math.floor(rng.next() * good.length)]!.inA;
    for (const t of S) inSet[t] = 0;
    const A = S.filter((t) => inA.has(t));
    const B = S.filter((t) => !inA.has(t));
    bisect(A, k1);
    bisect(B, k2);
  };
  bisect(Array.from({ length: n }, (_, i) => i), count);
  refine(g, adj, labels, count, opts);
  return labels;
}

/**
 * The smallest moves of border tiles that even out the workloads of existing regions (`labels`,
 * each region connected): the same local search as a division, starting from them, each tile
 * moved away from its region costing movePenalty cut edges.
 */
export function rebalanceGraph(g: TileGraph, labels: ArrayLike<number>, count: number, opts: PartitionOptions & { tolerance?: number } = {}): Int32Array {
  const adj = linkIslands(g);
  const out = Int32Array.from(labels);
  refine(g, adj, out, count, { compactness: 0.02, movePenalty: 1, ...opts, anchor: labels });
  // Where the cost of moving held the search in a poor balance, it goes on without that cost.
  if (cv(g.w, out, count) > (opts.tolerance ?? 0.05)) refine(g, adj, out, count, { compactness: 0.02, ...opts, movePenalty: 0, anchor: labels });
  return out;
}

function cv(w: ArrayLike<number>, labels: ArrayLike<number>, count: number): number {
  const loads = new Array<number>(count).fill(0);
  for (let t = 0; t < labels.length; t++) loads[labels[t]!] = loads[labels[t]!]! + w[t]!;
  const mean = loads.reduce((s, v) => s + v, 0) / count;
  return mean > 0 ? Math.sqrt(loads.reduce((s, v) => s + (v - mean) ** 2, 0) / count) / mean : 0;
}

/** Number of adjacent tile pairs in different regions. */
export function cutEdges(adj: number[][], labels: ArrayLike<number>): number {
  let cut = 0;
  adj.forEach((nb, t) => nb.forEach((u) => { if (u > t && labels[u] !== labels[t]) cut++; }));
  return cut;
}

function refine(g: TileGraph, adj: number[][], labels: Int32Array, count: number, opts: PartitionOptions) {
  const n = labels.length;
  const W = new Float64Array(count);
  const size = new Int32Array(count);
  let total = 0;
  for (let t = 0; t < n; t++) {
    const r = labels[t]!;
    W[r] = W[r]! + g.w[t]!;
    size[r] = size[r]! + 1;
    total += g.w[t]!;
  }
  const T = total / count;
  if (T <= 0) return;
  const cost = (a: number, b: number) => (g.along?.has(edgeKey(a, b, n)) ? ALONG_COST : 1);
  let border = 0;
  adj.forEach((nb, t) => nb.forEach((u) => { if (u > t && labels[u] !== labels[t]) border += cost(t, u); }));
  // μ per cut edge: the whole border is worth about `compactness` of Σ((W−T)/T)².
  const mu = (opts.compactness ?? 0.05) / Math.max(1, border);
  // Imbalance of a region: squared, relative to the target. Following lines, a region within
  // LINE_DEAD_ZONE of it counts as balanced, so the search does not trade a border along a line
  // for evenness the tolerance already allows.
  const dead = (g.along?.size ?? 0) > 0 ? LINE_DEAD_ZONE : 0;
  const pen = (load: number) => Math.max(0, Math.abs(load - T) / T - dead) ** 2;
  const stamp = new Int32Array(n);
  let gen = 0;

  /** Whether region a stays connected without tile t (BFS until every a-neighbour of t is reached). */
  const staysConnected = (t: number, a: number): boolean => {
    const nbA = adj[t]!.filter((u) => labels[u] === a);
    if (nbA.length <= 1) return true;
    gen++;
    stamp[t] = gen;
    const queue = [nbA[0]!];
    stamp[nbA[0]!] = gen;
    let found = 1;
    for (let h = 0; h < queue.length && found < nbA.length; h++) {
      for (const u of adj[queue[h]!]!) {
        if (stamp[u] === gen || labels[u] !== a) continue;
        stamp[u] = gen;
        if (nbA.includes(u)) found++;
        queue.push(u);
      }
    }
    return found === nbA.length;
  };

  const maxSweeps = opts.maxSweeps ?? 300;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let moved = 0;
    for (let t = 0; t < n; t++) {
      const a = labels[t]!;
      if (size[a] === 1) continue;
      const w = g.w[t]!;
      let bestB = -1;
      let bestJ = -1e-12;
      let inA = 0;
      for (const u of adj[t]!) if (labels[u] === a) inA += cost(t, u);
      for (const u of adj[t]!) {
        const b = labels[u]!;
        if (b === a) continue;
        let inB = 0;
        for (const v of adj[t]!) if (labels[v] === b) inB += cost(t, v);
        const dBal = pen(W[a]! - w) + pen(W[b]! + w) - pen(W[a]!) - pen(W[b]!);
        const anchored = opts.anchor ? (opts.anchor[t] === a ? 1 : opts.anchor[t] === b ? -1 : 0) : 0;
        const dJ = dBal + mu * (inA - inB + anchored * (opts.movePenalty ?? 0));
        if (dJ < bestJ) [bestJ, bestB] = [dJ, b];
      }
      if (bestB < 0 || !staysConnected(t, a)) continue;
      labels[t] = bestB;
      W[a] = W[a]! - w;
      W[bestB] = W[bestB]! + w;
      size[a] = size[a]! - 1;
      size[bestB] = size[bestB]! + 1;
      moved++;
    }
    if (!moved) break;
  }
}
