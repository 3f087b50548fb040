import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { CellWriter } from '../cells/writer.ts';
import { problem, problemSchema } from '../problem.ts';
import { idSchema } from '../schemas.ts';
import { DEFAULT_MIN_AREA_M2, summarise, type Areal } from '../../core/coverage/engine.ts';
import { analyseParents, analyseParentsSafely } from './postgis.ts';
import {
  coverageAnswerSchema, coverageFixBodySchema, coverageInputSchema, fixAnswerSchema, toleranceProps,
  type CoverageAnswer, type CoverageFixBody, type CoverageInput, type FixAnswer, type ToleranceUsed,
} from '../../core/contracts/coverage.ts';
import { fixGap, fixOverlap, fixSlivers, fixStray } from './fix.ts';

interface ScopeQuery {
  parentId?: number;
  level?: number;
}

interface CoverageQuery extends ScopeQuery {
  minAreaM2?: number;
  sliverWidthM?: number;
}

const toleranceOf = (x: { minAreaM2?: number; sliverWidthM?: number }): ToleranceUsed => ({ minAreaM2: x.minAreaM2 ?? DEFAULT_MIN_AREA_M2, sliverWidthM: x.sliverWidthM ?? null });

/** Seamless coverage: finding overlaps, gaps, strays and slivers, and repairing them. */
export default async function coverageRoutes(app: FastifyInstance, { db, config }: AppContext) {
  /** The parents a query names: the one cell (parentId), or every cell of a level in code order. */
  const parentsOf = async ({ parentId, level }: ScopeQuery): Promise<number[]> => {
    if ((parentId === undefined) === (level === undefined)) {
      const field = parentId === undefined ? 'parentId' : 'level';
      throw problem('coverage.parent-or-level', {}, { errors: [{ field: `querystring.${field}`, message: 'give exactly one of parentId and level' }] });
    }
    if (parentId !== undefined) {
      const { rowCount } = await db.query('SELECT 1 FROM cells WHERE id = $1', [parentId]);
      if (!rowCount) throw problem('coverage.cell-not-found', { id: parentId });
      return [parentId];
    }
    const { rows } = await db.query<{ id: number }>('SELECT id FROM cells WHERE level = $1 ORDER BY code', [level]);
    return rows.map((r) => r.id);
  };

  app.get<{ Querystring: CoverageQuery; Reply: CoverageAnswer }>('/api/coverage', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['coverage'],
      summary: 'Overlaps, gaps, strays and slivers of the children of one parent (parentId), or of every parent at a level',
      querystring: {
        type: 'object',
        properties: { parentId: idSchema, level: { type: 'integer', minimum: 1, maximum: 32 }, ...toleranceProps },
        additionalProperties: false,
      },
      response: {
        200: coverageAnswerSchema,
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const { parentId, level } = request.query;
    const tolerance = toleranceOf(request.query);
    const parentIds = await parentsOf(request.query);
    if (parentId !== undefined) {
      const [report] = await analyseParentsSafely(db, parentIds, tolerance);
      return { ...report!, tolerance };
    }
    const parents = await analyseParentsSafely(db, parentIds, tolerance);
    // parentsOf asked for exactly one of parentId and level.
    return { level: level!, tolerance, parents, summary: summarise(parents) };
  });

  app.get<{ Querystring: ScopeQuery; Reply: CoverageInput }>('/api/coverage/cells', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['coverage'],
      summary: 'The parents and children an analysis reads, unrounded, for the planner\'s browser to run the same analysis instantly (Turf)',
      querystring: {
        type: 'object',
        properties: { parentId: idSchema, level: { type: 'integer', minimum: 1, maximum: 32 } },
        additionalProperties: false,
      },
      response: {
        200: coverageInputSchema,
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const parentIds = await parentsOf(request.query);
    // Full precision: rounded to the 7 decimals of /api/cells, a vertex lying on a neighbour's edge
    // moves off it by up to 5 mm, and the browser would report slivers the server does not see.
    const { rows } = await db.query<{ id: number; parent_id: number | null; geometry: Areal }>(
      `SELECT c.id, c.parent_id, ST_AsGeoJSON(c.geom, 15)::json AS geometry
       FROM cells c WHERE c.id = ANY($1::int[]) OR c.parent_id = ANY($1::int[]) ORDER BY c.level, c.code`, [parentIds]);
    const isParent = new Set(parentIds);
    const byId = new Map(rows.filter((r) => isParent.has(r.id)).map((r) => [r.id, r]));
    return {
      parents: parentIds.map((id) => ({ id, geometry: byId.get(id)!.geometry })),
      children: rows.filter((r) => r.parent_id !== null && isParent.has(r.parent_id)).map((r) => ({ id: r.id, parentId: r.parent_id!, geometry: r.geometry })),
    };
  });

  app.post<{ Body: CoverageFixBody; Reply: FixAnswer }>('/api/coverage/fix', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['coverage'],
      summary: 'Repair one coverage fault (overlap, gap, stray) or all slivers of a parent, in one transaction',
      body: coverageFixBodySchema,
      response: {
        200: fixAnswerSchema,
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const body = request.body;
    const need = (fields: string[]) => {
      const missing = fields.filter((f) => (body as Record<string, unknown>)[f] === undefined);
      if (missing.length) throw problem('coverage.fix-fields-missing', { kind: body.kind, fields: missing.join(', ') }, { errors: missing.map((f) => ({ field: `body.${f}`, message: 'required' })) });
    };
    return db.transaction(async (tx) => {
      const w = new CellWriter(tx, request);
      let changed: number[];
      let created: number | null = null;
      const tolerance = toleranceOf(body as { minAreaM2?: number; sliverWidthM?: number });
      switch (body.kind) {
        case 'overlap':
          need(['a', 'b', 'keep']);
          changed = await fixOverlap(w, body.a!, body.b!, body.keep!);
          break;
        case 'stray':
          need(['cellId']);
          changed = await fixStray(w, body.cellId!);
          break;
        case 'gap': {
          if (body.index === undefined && body.gapGeometry === undefined) need(['index']);
          const r = await fixGap(w, { ...body, tolerance }, config.codeScheme);
          changed = r.changed;
          created = r.created;
          break;
        }
        case 'slivers':
          need(['parentId']);
          changed = await fixSlivers(w, body.parentId!, tolerance);
          break;
      }
      const { rows } = await tx.query<{ parent_id: number | null }>('SELECT DISTINCT parent_id FROM cells WHERE id = ANY($1::int[])', [changed]);
      const parentId = body.kind === 'slivers' ? body.parentId! : rows[0]?.parent_id ?? null;
      if (changed.length) await w.refile(changed);
      await w.audit(`coverage.fix.${body.kind}`, parentId ? `cell:${parentId}` : null, { ...body, gapGeometry: undefined, changed, created });
      const [report] = parentId ? await analyseParents(tx, [parentId], tolerance) : [];
      return { kind: body.kind, changed, created, report };
    });
  });
}
