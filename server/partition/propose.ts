import type { Feature, MultiPolygon } from 'geojson';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { problem } from '../problem.ts';
import { partitionGraph } from './algorithm.ts';
import type { WorkloadWeights } from './config.ts';
import { extentOf, gridFor, linesSql, tessellate, unionRegions } from './tiles.ts';
import { ZERO, addMeasures, balanceOf, bandStatus, workloadOf, type Balance, type Measures } from './workload.ts';

export interface PartitionRequest {
  count?: number;
  /** The number of people available: one cell each (the same as count). */
  people?: number;
  /** Instead of a count: the workload one cell should carry; count = total / target, rounded. */
  targetWorkload?: number;
  weights?: Partial<WorkloadWeights>;
  unitWeights?: Record<string, number>;
  seed?: number;
  /** Lines the borders should follow where the balance allows (roads, rivers): GeoJSON in lon/lat, as the schema admits them (linesSql keeps the well-formed ones). */
  lines?: { type: 'LineString' | 'MultiLineString'; coordinates: (number | number[])[][] }[];
  /** Follow the borders of the parent's current children too (dividing again with another count). */
  followChildren?: boolean;
}

export type { Proposal, ProposalProperties } from '../../core/contracts/partition.ts';
import type { Proposal, ProposalProperties } from '../../core/contracts/partition.ts';

/** The weights of a request over the configured ones; the unit weights too. */
export function effectiveConfig(config: Config, req: Pick<PartitionRequest, 'weights' | 'unitWeights'>): Config {
  return { ...config, workload: { ...config.workload, weights: { ...config.workload.weights, ...req.weights }, unitWeights: { ...config.workload.unitWeights, ...req.unitWeights } } };
}

/** A proposal of `count` contiguous, balanced cells tiling the parent exactly (see algorithm.ts). */
export async function propose(q: Queryable, baseConfig: Config, parent: { id: number; name: string }, req: PartitionRequest, now: Date): Promise<Proposal> {
  const config = effectiveConfig(baseConfig, req);
  const w = config.workload.weights;
  const seed = req.seed ?? 1;
  let count = req.count ?? req.people;
  if (count === undefined && req.targetWorkload === undefined) throw problem('partition.count-required', {}, { errors: [{ field: 'body.count', message: 'required' }] });
  if (count !== undefined && count < 2) throw problem('partition.count-too-small', { count }, { errors: [{ field: 'body.count', message: 'at least 2' }] });
  const extent = await extentOf(q, parent.id);
  if (!extent || !(extent.areaM2 > 0)) throw problem('partition.no-area', { id: parent.id, name: parent.name });
  const grid = { ...gridFor(extent, Math.min(6000, Math.max(config.workload.tiles.target, (count ?? 2) * 30)), config.workload.tiles.minSideM), lines: linesSql(req.lines ?? [], req.followChildren ?? false) };
  const { tiles, adj, along } = await tessellate(q, config, parent.id, grid, now);
  if (!tiles.length) throw problem('partition.no-area', { id: parent.id, name: parent.name });
  const weights = tiles.map((t) => workloadOf(t, w));
  if (count === undefined) {
    const total = weights.reduce((s, v) => s + v, 0);
    count = Math.max(2, Math.round(total / req.targetWorkload!));
  }
  if (count > tiles.length) throw problem('partition.count-too-large', { count, id: parent.id, tiles: tiles.length }, { errors: [{ field: 'body.count', message: `at most ${tiles.length}` }] });
  const labels = partitionGraph({ x: tiles.map((t) => t.x), y: tiles.map((t) => t.y), w: weights, adj, along }, count, { seed });
  const measures: Measures[] = Array.from({ length: count }, () => ({ ...ZERO }));
  labels.forEach((r, k) => { measures[r] = addMeasures(measures[r]!, tiles[k]!); });
  const regions = await unionRegions(q, parent.id, grid, labels);
  const loads = measures.map((m) => workloadOf(m, w));
  const balance = balanceOf(loads);
  const features: Feature<MultiPolygon, ProposalProperties>[] = regions.map((r) => {
    const m = measures[r.region]!;
    const workload = loads[r.region]!;
    return {
      type: 'Feature',
      geometry: r.geometry,
      properties: {
        index: r.region + 1, ...roundMeasures(m), workload: round2(workload), share: balance.mean > 0 ? round2(workload / balance.mean) : 0,
        outsideBand: bandStatus(m, workload, config.workload.band), parts: r.parts, compactness: Math.round((r.compactness ?? 0) * 1000) / 1000,
      },
    };
  });
  return { type: 'FeatureCollection', features, parentId: parent.id, count, seed, weights: w, balance: roundBalance(balance), tiles: { count: tiles.length, sideM: round2(grid.sideM) } };
}

export const round2 = (v: number) => Math.round(v * 100) / 100;
export const roundMeasures = (m: Measures): Measures => ({ ...m, areaM2: round2(m.areaM2), unitsWeighted: round2(m.unitsWeighted), patrolMinutes: round2(m.patrolMinutes), households: round2(m.households), population: round2(m.population) });
export const roundBalance = (b: Balance): Balance => ({ mean: round2(b.mean), cv: Math.round(b.cv * 1e4) / 1e4, min: round2(b.min), max: round2(b.max), maxMin: b.maxMin === null ? null : Math.round(b.maxMin * 1e3) / 1e3 });
