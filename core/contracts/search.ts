/** GET /api/search (server/search/routes.ts). */
import { object, type FromSchema } from './schema.ts';

export const HIT_KINDS = ['cell', 'unit', 'person', 'report', 'track', 'point'] as const;

/** One hit of the search box and where to look: a point and, for cells, the box. */
export const hitSchema = object({
  kind: { type: 'string', enum: HIT_KINDS },
  id: { type: ['integer', 'string'] },
  label: { type: 'string' },
  detail: { type: ['string', 'null'] },
  cellId: { type: ['integer', 'null'] },
  lon: { type: ['number', 'null'] },
  lat: { type: ['number', 'null'] },
  bbox: { type: ['array', 'null'], items: { type: 'number' } },
});
export type Hit = FromSchema<typeof hitSchema>;
export type HitKind = Hit['kind'];

export const searchAnswerSchema = object({ results: { type: 'array', items: hitSchema } });
export type SearchAnswer = FromSchema<typeof searchAnswerSchema>;
