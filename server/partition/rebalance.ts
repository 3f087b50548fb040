import type { Feature, MultiPolygon } from 'geojson';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { problem } from '../problem.ts';
import { rebalanceGraph } from './algorithm.ts';
import { effectiveConfig, round2, roundBalance, type PartitionRequest } from './propose.ts';
import { extentOf, gridFor, moveTiles, tessellate, tileOwners } from './tiles.ts';
import { balanceOf, workloadOf } from './workload.ts';

export type { Rebalance, RebalanceProperties } from '../../core/contracts/partition.ts';
import type { Rebalance, RebalanceProperties } from '../../core/contracts/partition.ts';

/**
 * The smallest border moves that even out the workloads of a cell's present children: the
 * children as tiles, the local search of a division started from them (a moved tile costs), and
 * the children that changed, with their versions, ready for POST /api/cells/reshape.
 */
export async function rebalance(q: Queryable, baseConfig: Config, parent: { id: number; name: string }, req: Pick<PartitionRequest, 'weights' | 'unitWeights'>, now: Date): Promise<Rebalance> {
  const config = effectiveConfig(baseConfig, req);
  const extent = await extentOf(q, parent.id);
  if (!extent || !(extent.areaM2 > 0)) throw problem('partition.no-area', { id: parent.id, name: parent.name });
  const { rows: kids } = await q.query<{ id: number }>('SELECT id FROM cells WHERE parent_id = $1 ORDER BY code', [parent.id]);
  if (kids.length < 2) throw problem('partition.too-few-cells', { count: kids.length });
  const grid = gridFor(extent, Math.min(6000, Math.max(config.workload.tiles.target, kids.length * 30)), config.workload.tiles.minSideM);
  const { tiles, adj } = await tessellate(q, config, parent.id, grid, now);
  const owners = await tileOwners(q, parent.id, grid);
  const index = new Map(kids.map((k, i) => [k.id, i]));
  // Ground no child covers goes with a neighbouring tile's cell (coverage faults are fixed elsewhere).
  const labels = owners.map((o) => (o === null ? -1 : index.get(o)!));
  for (let changed = true; changed;) {
    changed = false;
    labels.forEach((l, t) => {
      if (l >= 0) return;
      const n = adj[t]!.find((u) => labels[u]! >= 0);
      if (n !== undefined) { labels[t] = labels[n]!; changed = true; }
    });
  }
  const w = tiles.map((t) => workloadOf(t, config.workload.weights));
  const loads = (ls: ArrayLike<number>) => {
    const out = new Array<number>(kids.length).fill(0);
    for (let t = 0; t < ls.length; t++) if (ls[t]! >= 0) out[ls[t]!] = out[ls[t]!]! + w[t]!;
    return out;
  };
  const before = loads(labels);
  const after = rebalanceGraph({ x: tiles.map((t) => t.x), y: tiles.map((t) => t.y), w, adj }, labels.map((l) => Math.max(l, 0)), kids.length);
  const moved: number[] = [];
  after.forEach((l, t) => { if (l !== labels[t]) moved.push(t); });
  const now2 = loads(after);
  const changed = await moveTiles(q, parent.id, grid, Array.from(after, (l) => kids[l]!.id), moved);
  const features: Feature<MultiPolygon, RebalanceProperties>[] = changed.map((c) => ({
    type: 'Feature', id: c.id, geometry: c.geometry,
    properties: { id: c.id, version: c.version, before: round2(before[index.get(c.id)!]!), workload: round2(now2[index.get(c.id)!]!), parts: c.parts },
  }));
  return {
    type: 'FeatureCollection', features, parentId: parent.id, before: roundBalance(balanceOf(before)), balance: roundBalance(balanceOf(now2)),
    moved: { tiles: moved.length, areaM2: round2(moved.reduce((s, t) => s + tiles[t]!.areaM2, 0)) },
  };
}
