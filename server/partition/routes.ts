import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { cellInScope } from '../auth/guard.ts';
import { scopeOf } from '../auth/actor.ts';
import { checkStructure, checkValidity, type CellGeometry } from '../cells/geometry.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams } from '../schemas.ts';
import {
  areasWorkloadSchema, cellWorkloadSchema, commitBodySchema, commitResultSchema, partitionBodySchema, proposalSchema, rebalanceBodySchema, rebalanceSchema,
  weightsSchema, workloadBodySchema, type AreasWorkload, type CellWorkload, type CommitBody, type CommitResult, type PartitionBody, type Proposal, type Rebalance,
  type RebalanceBody, type WeightsBody, type WorkloadBody,
} from '../../core/contracts/partition.ts';
// The schema checks a geometry's type and that its coordinates are arrays; commitDivision checks each outline.
import { commitDivision, type CommitBody as ServerCommitBody } from './commit.ts';
import { CellWriter } from '../cells/writer.ts';
import { effectiveConfig, propose, round2, roundBalance, roundMeasures } from './propose.ts';
import { balanceOf, bandStatus, childMeasures, measureAreas, workloadOf } from './workload.ts';
import { rebalance } from './rebalance.ts';

/** The parent a planner divides or measures: it must exist and lie in their scope (else 404). */
async function plannedCell(q: Queryable, request: FastifyRequest, id: number) {
  const actor = request.actor;
  const { rows } = await q.query<{ id: number; name: string; level: number }>('SELECT id, name, level FROM cells WHERE id = $1', [id]);
  if (!rows[0] || !(await cellInScope(q, actor, id))) throw problem('partition.cell-not-found', { id });
  return { actor, cell: rows[0] };
}

/** Workload of cells and balanced division of a cell into N (任务相当). */
export default async function partitionRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  app.get<{ Params: { id: number }; Querystring: WeightsBody; Reply: CellWorkload }>('/api/cells/:id/workload', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Workload of each child of a cell (households, units by weight, area, reports of 12 months, patrol hours), its balance and the cells outside the band',
      params: idParams,
      querystring: weightsSchema,
      response: {
        200: cellWorkloadSchema,
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const { cell } = await plannedCell(db, request, request.params.id);
    const cfg = effectiveConfig(config, { weights: request.query });
    const w = cfg.workload.weights;
    const { children, unfiled } = await childMeasures(db, cfg, cell.id, now());
    const cells = children.map((c) => {
      const workload = workloadOf(c, w);
      return { ...c, ...roundMeasures(c), workload: round2(workload), outsideBand: bandStatus(c, workload, cfg.workload.band) };
    });
    return {
      parentId: cell.id, weights: w, band: cfg.workload.band, cells,
      unfiled: { ...roundMeasures(unfiled), workload: round2(workloadOf(unfiled, w)) },
      balance: roundBalance(balanceOf(cells.map((c) => c.workload))),
      outsideBand: cells.filter((c) => c.outsideBand).map((c) => c.id),
    };
  });

  app.post<{ Body: WorkloadBody; Reply: AreasWorkload }>('/api/workload', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Workload of any areas (drawn, proposed, adjusted): each unit and report counted once, in the first area holding it; balance and band as for children',
      body: workloadBodySchema,
      response: { 200: areasWorkloadSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const { features } = request.body;
    for (const [i, f] of features.entries()) {
      // The schema checks a geometry's type and that its coordinates are arrays; checkStructure checks the rest.
      checkStructure(f.geometry as CellGeometry, `features[${i}].geometry`);
      await checkValidity(db, JSON.stringify(f.geometry), `features[${i}].geometry`);
    }
    const cfg = effectiveConfig(config, request.body);
    const w = cfg.workload.weights;
    const measures = await measureAreas(db, cfg, features.map((f) => JSON.stringify(f.geometry)), scopeOf(actor), now());
    const areas = measures.map((m) => {
      const workload = workloadOf(m, w);
      return { ...roundMeasures(m), workload: round2(workload), outsideBand: bandStatus(m, workload, cfg.workload.band) };
    });
    return { weights: w, band: cfg.workload.band, areas, balance: roundBalance(balanceOf(areas.map((a) => a.workload))) };
  });

  app.post<{ Params: { id: number }; Body: PartitionBody; Reply: Proposal }>('/api/cells/:id/partition', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Propose a division of a cell into count contiguous cells of even workload that tile it exactly (GeoJSON; nothing is saved)',
      params: idParams,
      body: partitionBodySchema,
      response: { 200: proposalSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const { cell } = await plannedCell(db, request, request.params.id);
    if (cell.level >= config.levels.length) throw problem('partition.deepest-level', { id: cell.id, level: cell.level });
    return propose(db, config, cell, request.body ?? {}, now());
  });

  app.post<{ Params: { id: number }; Body: RebalanceBody; Reply: Rebalance }>('/api/cells/:id/rebalance', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Propose the smallest border moves that even out the workloads of the present children (the changed children with their versions, for POST /api/cells/reshape; nothing is saved)',
      params: idParams,
      body: rebalanceBodySchema,
      response: { 200: rebalanceSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const { cell } = await plannedCell(db, request, request.params.id);
    return rebalance(db, config, cell, request.body ?? {}, now());
  });

  app.post<{ Params: { id: number }; Body: CommitBody; Reply: CommitResult }>('/api/cells/:id/partition/commit', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Create the cells of a division (e.g. a proposal, adjusted) as the children of the cell, replacing its children if asked; coverage is proven clean in the same transaction',
      params: idParams,
      body: commitBodySchema,
      response: {
        201: commitResultSchema,
        '4xx': problemSchema,
      },
    },
  }, async (request, reply) => {
    const { actor, cell } = await plannedCell(db, request, request.params.id);
    const result = await db.transaction((tx) => commitDivision(new CellWriter(tx, request, actor), config, cell.id, request.body as ServerCommitBody));
    return reply.code(201).send(result);
  });
}
