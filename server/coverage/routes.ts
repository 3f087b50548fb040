import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { audit } from '../audit.ts';
import { requirePermission, requireUser } from '../auth/guard.ts';
import { afterCellsChanged } from '../cells/reroute.ts';
import { geometrySchema } from '../cells/geometry.ts';
import { Problem, invalid, notFound, problemSchema } from '../problem.ts';
import { idSchema } from '../schemas.ts';
import { DEFAULT_MIN_AREA_M2, summarise, type CoverageTolerance } from '../../client/coverage/turf-engine.ts';
import { analyseParents, analyseParentsSafely } from './postgis.ts';
import { fixGap, fixOverlap, fixSlivers, fixStray } from './fix.ts';

interface CoverageQuery {
  parentId?: number;
  level?: number;
  minAreaM2?: number;
  sliverWidthM?: number;
}

type FixBody =
  | { kind: 'overlap'; a: number; b: number; keep: 'a' | 'b' | number }
  | { kind: 'gap'; parentId?: number; index?: number; gapGeometry?: object; into?: number | 'new'; name?: string; minAreaM2?: number; sliverWidthM?: number }
  | { kind: 'slivers'; parentId: number; minAreaM2?: number; sliverWidthM?: number }
  | { kind: 'stray'; cellId: number };

const geojsonObject = { type: 'object', additionalProperties: true } as const;
const piece = { areaM2: { type: 'number' }, widthM: { type: 'number' }, geometry: geojsonObject } as const;
const idList = { type: 'array', items: { type: 'integer' } } as const;

export const coverageReportSchema = {
  type: 'object',
  properties: {
    parentId: { type: 'integer' },
    notSubdivided: { type: 'boolean' },
    childCount: { type: 'integer' },
    parentAreaM2: { type: 'number' },
    coveredRatio: { type: ['number', 'null'] },
    overlaps: { type: 'array', items: { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'integer' }, ...piece } } },
    gaps: { type: 'array', items: { type: 'object', properties: { ...piece, neighbours: idList } } },
    strays: { type: 'array', items: { type: 'object', properties: { cellId: { type: 'integer' }, ...piece } } },
    slivers: {
      type: 'array',
      items: { type: 'object', properties: { kind: { type: 'string', enum: ['overlap', 'gap', 'stray'] }, a: { type: 'integer' }, b: { type: 'integer' }, cellId: { type: 'integer' }, neighbours: idList, ...piece } },
    },
    invalid: { type: 'array', items: { type: 'object', properties: { cellId: { type: 'integer' }, reason: { type: 'string' } } } },
    error: { type: 'string' },
  },
} as const;

const toleranceProps = {
  minAreaM2: { type: 'number', minimum: 0, maximum: 1e12, default: DEFAULT_MIN_AREA_M2, description: 'Pieces below this area (m²) are slivers, not faults' },
  sliverWidthM: { type: 'number', exclusiveMinimum: 0, maximum: 1e6, description: 'Pieces narrower than this (m, 2·area/perimeter) are slivers too' },
} as const;

const toleranceOf = (x: { minAreaM2?: number; sliverWidthM?: number }): CoverageTolerance => ({ minAreaM2: x.minAreaM2 ?? DEFAULT_MIN_AREA_M2, sliverWidthM: x.sliverWidthM ?? null });

/** Seamless coverage: finding overlaps, gaps, strays and slivers, and repairing them. */
export default async function coverageRoutes(app: FastifyInstance, { db, config }: AppContext) {
  app.get<{ Querystring: CoverageQuery }>('/api/coverage', {
    schema: {
      tags: ['coverage'],
      summary: 'Overlaps, gaps, strays and slivers of the children of one parent (parentId), or of every parent at a level',
      querystring: {
        type: 'object',
        properties: { parentId: idSchema, level: { type: 'integer', minimum: 1, maximum: 32 }, ...toleranceProps },
        additionalProperties: false,
      },
      response: {
        200: {
          type: 'object',
          properties: {
            ...coverageReportSchema.properties,
            level: { type: 'integer' },
            tolerance: { type: 'object', properties: { minAreaM2: { type: 'number' }, sliverWidthM: { type: ['number', 'null'] } } },
            parents: { type: 'array', items: coverageReportSchema },
            summary: {
              type: 'object',
              properties: {
                ...Object.fromEntries(['parents', 'subdivided', 'notSubdivided', 'overlaps', 'gaps', 'strays', 'slivers', 'invalid', 'overlapAreaM2', 'gapAreaM2', 'strayAreaM2']
                  .map((k) => [k, { type: 'number' }])),
                coveredRatio: { type: ['number', 'null'] },
              },
            },
          },
        },
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    requireUser(request);
    const { parentId, level } = request.query;
    const tolerance = toleranceOf(request.query);
    if ((parentId === undefined) === (level === undefined)) {
      const field = parentId === undefined ? 'parentId' : 'level';
      throw new Problem(400, 'Bad Request', 'Give either parentId (one parent) or level (every parent at that level), not both and not neither', { errors: [{ field: `querystring.${field}`, message: 'give exactly one of parentId and level' }] });
    }
    if (parentId !== undefined) {
      const { rowCount } = await db.query('SELECT 1 FROM cells WHERE id = $1', [parentId]);
      if (!rowCount) throw notFound(`Cell ${parentId}`);
      const [report] = await analyseParentsSafely(db, [parentId], tolerance);
      return { ...report!, tolerance };
    }
    const { rows } = await db.query<{ id: number }>('SELECT id FROM cells WHERE level = $1 ORDER BY code', [level]);
    const parents = await analyseParentsSafely(db, rows.map((r) => r.id), tolerance);
    return { level, tolerance, parents, summary: summarise(parents) };
  });

  app.post<{ Body: FixBody }>('/api/coverage/fix', {
    schema: {
      tags: ['coverage'],
      summary: 'Repair one coverage fault (overlap, gap, stray) or all slivers of a parent, in one transaction',
      body: {
        type: 'object',
        properties: {
          kind: { type: 'string', enum: ['overlap', 'gap', 'slivers', 'stray'] },
          a: idSchema,
          b: idSchema,
          keep: { anyOf: [{ type: 'string', enum: ['a', 'b'] }, idSchema] },
          parentId: idSchema,
          index: { type: 'integer', minimum: 0, maximum: 1_000_000 },
          gapGeometry: geometrySchema,
          into: { anyOf: [{ const: 'new' }, idSchema] },
          name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
          cellId: idSchema,
          ...toleranceProps,
        },
        required: ['kind'],
        additionalProperties: false,
      },
      response: {
        200: {
          type: 'object',
          properties: { kind: { type: 'string' }, changed: idList, created: { type: ['integer', 'null'] }, report: coverageReportSchema },
        },
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const actor = requirePermission(request, 'cells.edit');
    const body = request.body;
    const need = (fields: string[]) => {
      const missing = fields.filter((f) => (body as Record<string, unknown>)[f] === undefined);
      if (missing.length) throw invalid(`A ${body.kind} fix needs ${missing.join(', ')}`, { errors: missing.map((f) => ({ field: `body.${f}`, message: 'required' })) });
    };
    return db.transaction(async (tx) => {
      let changed: number[];
      let created: number | null = null;
      const tolerance = toleranceOf(body as { minAreaM2?: number; sliverWidthM?: number });
      switch (body.kind) {
        case 'overlap':
          need(['a', 'b', 'keep']);
          changed = await fixOverlap(tx, actor, body.a, body.b, body.keep);
          break;
        case 'stray':
          need(['cellId']);
          changed = await fixStray(tx, actor, body.cellId);
          break;
        case 'gap': {
          if (body.index === undefined && body.gapGeometry === undefined) need(['index']);
          const r = await fixGap(tx, actor, { ...body, tolerance }, config.codeScheme);
          changed = r.changed;
          created = r.created;
          break;
        }
        case 'slivers':
          need(['parentId']);
          changed = await fixSlivers(tx, actor, body.parentId, tolerance);
          break;
      }
      const { rows } = await tx.query<{ parent_id: number | null }>('SELECT DISTINCT parent_id FROM cells WHERE id = ANY($1::int[])', [changed]);
      const parentId = body.kind === 'slivers' ? body.parentId : rows[0]?.parent_id ?? null;
      if (changed.length) await afterCellsChanged(tx, changed);
      await audit(tx, request, `coverage.fix.${body.kind}`, parentId ? `cell:${parentId}` : null, { ...body, gapGeometry: undefined, changed, created });
      const [report] = parentId ? await analyseParents(tx, [parentId], tolerance) : [];
      return { kind: body.kind, changed, created, report };
    });
  });
}
