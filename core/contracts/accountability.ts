/** Warnings, warning notices and the periodic evaluation as the API answers them (server/accountability). */
import { idSchema, namedSchema, object, type FromSchema } from './schema.ts';

/** The levels a person's warnings reach (预警提醒, 书面说明, 通报批评), by the configured thresholds. */
export const WARNING_LEVELS = ['warning', 'explanation', 'publicNotice'] as const;
export type WarningLevel = (typeof WARNING_LEVELS)[number];

const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;
const intOrNull = { type: ['integer', 'null'] } as const;
const strOrNull = { type: ['string', 'null'] } as const;
const level = { type: 'string', enum: WARNING_LEVELS } as const;

/** A numbered warning notice (预警通知书, 〔year〕第 n 号) with the warnings it is about. */
export const noticeSchema = object({
  id: int,
  number: str,
  year: int,
  seq: int,
  personId: int,
  personName: str,
  level,
  note: strOrNull,
  from: str,
  to: str,
  issuedAt: str,
  issuedBy: strOrNull,
  url: str,
  warnings: { type: 'array', items: object({ reportId: int, trackingCode: str, cellId: intOrNull, step: str, at: str }) },
});
export type Notice = FromSchema<typeof noticeSchema>;

/** GET /api/warnings: the warnings of a period, the cells warned in, and per person the count, the level reached and the notices issued. */
export const warningsSchema = object({
  from: str,
  to: str,
  timeZone: str,
  thresholds: object({ warning: int, explanation: int, publicNotice: int }),
  levels: { type: 'object', additionalProperties: namedSchema },
  people: {
    type: 'array',
    items: object({
      personId: int,
      name: str,
      count: { ...int, description: 'Warnings in the period, over all cells (the thresholds count them all)' },
      inCell: { ...int, description: 'Of those, in the cell filtered by' },
      level: { type: ['string', 'null'], enum: [...WARNING_LEVELS, null] },
      cells: { type: 'array', items: object({ id: int, code: str, name: str }) },
      notices: { type: 'array', items: object({ id: int, number: str, level, issuedAt: str, url: str }) },
    }),
  },
  cells: { type: 'array', items: object({ id: int, code: str, name: str, count: int }) },
  total: int,
  warnings: {
    type: 'array',
    items: object({
      reportId: int,
      trackingCode: str,
      reportUrl: str,
      personId: int,
      personName: str,
      roles: { type: 'array', items: object({ code: str, zh: str, en: str }) },
      cellId: intOrNull,
      cellCode: strOrNull,
      cellName: strOrNull,
      step: str,
      at: str,
    }),
  },
});
export type Warnings = FromSchema<typeof warningsSchema>;

const figure = { type: ['number', 'null'] } as const;
export const EVALUATION_FIGURES = ['onTime', 'rectification', 'patrol', 'satisfaction', 'democratic'] as const;

/** A cell's evaluation: its counts, each figure (0–100, null when there is nothing to measure), the weighted total and rank. */
export const cellEvaluationSchema = object({
  id: int,
  code: str,
  name: str,
  parentId: intOrNull,
  handled: int,
  onTimeCount: int,
  verified: int,
  rectifiedCount: int,
  ratings: int,
  onTime: figure,
  rectification: figure,
  patrol: figure,
  satisfaction: figure,
  democratic: figure,
  total: figure,
  rank: intOrNull,
});
export type CellEvaluation = FromSchema<typeof cellEvaluationSchema>;

/** A person's score: the average total of their cells, less a penalty per warning. */
export const personEvaluationSchema = object({
  personId: int,
  name: str,
  cells: { type: 'array', items: int },
  average: figure,
  warnings: int,
  score: figure,
  rank: intOrNull,
});
export type PersonEvaluation = FromSchema<typeof personEvaluationSchema>;

/** GET /api/evaluations: the cells of a level for a month or a quarter, ranked, and the people. */
export const evaluationSchema = object({
  period: str,
  level: int,
  levelName: namedSchema,
  from: str,
  to: str,
  timeZone: str,
  generatedAt: str,
  weights: {
    type: 'object',
    properties: { onTime: { type: 'number' }, rectification: { type: 'number' }, patrol: { type: 'number' }, satisfaction: { type: 'number' }, democratic: { type: 'number' } },
    required: EVALUATION_FIGURES,
    additionalProperties: { type: 'number' },
    description: 'The weight of each figure in the total (configuration command.evaluation.weights)',
  },
  warningPenalty: { type: 'number' },
  cells: { type: 'array', items: cellEvaluationSchema },
  people: { type: 'array', items: personEvaluationSchema },
});
export type Evaluation = FromSchema<typeof evaluationSchema>;

/** PUT /api/evaluations/:period/cells/:id/democratic: the 民主测评 score as stored. */
export const democraticScoreSchema = object({ cellId: int, period: str, score: { type: 'number' } });
export type DemocraticScore = FromSchema<typeof democraticScoreSchema>;

/** A local date in a request (query or body). */
export const dateQuery = { type: 'string', maxLength: 10, description: 'A local date YYYY-MM-DD in the deployment time zone' } as const;

/** POST /api/warnings/notices: a numbered warning notice to a person about their warnings in a period. */
export const noticeBodySchema = {
  type: 'object',
  properties: {
    personId: idSchema, level: { type: 'string', enum: WARNING_LEVELS }, note: { type: 'string', maxLength: 2000 },
    from: dateQuery, to: dateQuery,
  },
  required: ['personId', 'level'],
  additionalProperties: false,
} as const;
export type NoticeBody = FromSchema<typeof noticeBodySchema>;

/** PUT /api/evaluations/:period/cells/:id/democratic: a cell's 民主测评 score. */
export const democraticBodySchema = { type: 'object', properties: { score: { type: 'number', minimum: 0, maximum: 100 } }, required: ['score'], additionalProperties: false } as const;
export type DemocraticBody = FromSchema<typeof democraticBodySchema>;
