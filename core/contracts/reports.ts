/** Hazard reports as the API takes and answers them (server/reports: routes.ts, model.ts, rewards.ts). */
import { idSchema, namedSchema, object, orNull, pointSchema, type FromSchema } from './schema.ts';

export const SEVERITIES = ['ordinary', 'major'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The workflow's states and actions (the table of transitions is core/reports/workflow.ts). */
export const STATES = ['reported', 'verified', 'rejected', 'dispatched', 'rectifying', 'rectified', 'closed'] as const;
export type State = (typeof STATES)[number];
/** States in which someone still owes a step (and a deadline runs). */
export const OPEN_STATES: readonly State[] = ['reported', 'verified', 'dispatched', 'rectifying', 'rectified'];
export const ACTIONS = ['verify', 'reject', 'dispatch', 'accept', 'rectify', 'close', 'return', 'transfer', 'reopen'] as const;
export type Action = (typeof ACTIONS)[number];

export const SOURCES = ['resident', 'patrol', 'hotline', 'inspection'] as const;
export type Source = (typeof SOURCES)[number];

const nullableString = { type: ['string', 'null'] } as const;
const nullableInt = { type: ['integer', 'null'] } as const;

export const ratingSchema = object({ score: { type: 'integer' }, comment: nullableString, at: { type: 'string' } });
export type Rating = FromSchema<typeof ratingSchema>;

export const reportPhotoSchema = object({
  id: { type: 'integer' },
  purpose: { type: 'string', enum: ['report', 'evidence'] },
  eventId: nullableInt,
  mime: { type: 'string' },
  bytes: { type: 'integer' },
  width: nullableInt,
  height: nullableInt,
  url: { type: 'string' },
  thumbUrl: { type: 'string' },
});
export type ReportPhoto = FromSchema<typeof reportPhotoSchema>;

/** A report as staff see it, with the actions this user may take on it. */
export const reportSchema = {
  $id: 'Report',
  ...object({
    id: { type: 'integer' },
    trackingCode: { type: 'string' },
    location: pointSchema,
    category: { type: 'string' },
    severity: { type: 'string', enum: SEVERITIES },
    description: { type: 'string' },
    source: { type: 'string', enum: SOURCES },
    confidential: { type: 'boolean' },
    reporter: orNull(object({ name: nullableString, contact: nullableString })),
    state: { type: 'string', enum: STATES },
    cellId: nullableInt,
    cellCode: nullableString,
    cellName: nullableString,
    coverageGap: { type: 'boolean' },
    transferred: { type: 'boolean' },
    escalatedTo: nullableInt,
    escalationLevel: { type: 'integer' },
    supervised: { type: 'boolean' },
    assignees: { type: 'array', items: object({ id: { type: 'integer' }, name: { type: 'string' } }) },
    department: nullableString,
    stepStartedAt: { type: 'string' },
    dueAt: nullableString,
    overdue: { type: 'boolean' },
    createdAt: { type: 'string' },
    observedAt: nullableString,
    timeFlag: nullableString,
    updatedAt: { type: 'string' },
    closedAt: nullableString,
    rating: orNull(ratingSchema),
    version: { type: 'integer' },
    photos: { type: 'array', items: reportPhotoSchema },
    allowedActions: { type: 'array', items: { type: 'string', enum: ACTIONS } },
  }),
} as const;
export type Report = FromSchema<typeof reportSchema>;

/** GET /api/reports: the inbox (overdue first, then by due date), a page of it and how many match. */
export const reportPageSchema = object({ total: { type: 'integer' }, items: { type: 'array', items: { $ref: 'Report#' } } });
export type ReportPage = FromSchema<typeof reportPageSchema, { references: [typeof reportSchema] }>;

/** POST /api/reports: a new report (JSON, or the "report" field of a multipart form with photos). */
export const newReportSchema = {
  type: 'object',
  properties: {
    location: {
      type: 'object',
      properties: { type: { const: 'Point' }, coordinates: { type: 'array', minItems: 2, maxItems: 3, items: { type: 'number' } } },
      required: ['type', 'coordinates'],
    },
    category: { type: 'string', minLength: 1, maxLength: 64 },
    severity: { type: 'string', enum: SEVERITIES },
    description: { type: 'string', minLength: 1, maxLength: 4000, pattern: '\\S' },
    source: { type: 'string', enum: SOURCES },
    reporter: {
      type: 'object',
      properties: { name: { type: 'string', maxLength: 100 }, contact: { type: 'string', maxLength: 200 } },
      additionalProperties: false,
    },
    confidential: { type: 'boolean' },
    observedAt: { type: 'string', format: 'date-time', description: "the phone's time of the report, when it was made offline and is sent later" },
  },
  required: ['location', 'category', 'severity', 'description'],
  additionalProperties: false,
} as const;
export type NewReport = FromSchema<typeof newReportSchema>;

/** What filing a report answers. */
export const filedSchema = object({
  id: { type: 'integer' },
  trackingCode: { type: 'string' },
  trackUrl: { type: 'string' },
  cellId: nullableInt,
  cellName: nullableString,
  coverageGap: { type: 'boolean' },
  state: { type: 'string', enum: STATES },
  dueAt: nullableString,
  createdAt: { type: 'string' },
  photos: { type: 'integer' },
  claimCode: { type: 'string', description: 'shown once to the reporter: claims the reward of a verified report (有奖举报)' },
});
export type Filed = FromSchema<typeof filedSchema>;

/** POST /api/reports/:id/actions: one workflow step (JSON, or the "action" field of a multipart form with photos). */
export const actionSchema = {
  type: 'object',
  properties: {
    action: { type: 'string', enum: ACTIONS },
    note: { type: 'string', maxLength: 4000, description: 'the reason (reject, return, reopen), the evidence (rectify) or a working note; staff only' },
    reply: { type: 'string', maxLength: 2000, description: 'feedback to the reporter (反馈), shown on the tracking page' },
    version: { type: 'integer', minimum: 1, description: 'the report version acted on; a stale one is a 409' },
    severity: { type: 'string', enum: SEVERITIES, description: 'verify: the severity as found on site' },
    assignees: { type: 'array', items: idSchema, maxItems: 50, description: 'dispatch: people of the cell (or above) who rectify' },
    department: { type: 'string', maxLength: 200 },
    dueAt: { type: 'string', format: 'date-time', description: 'dispatch, return, reopen: a deadline other than the configured one' },
    cellId: { ...idSchema, description: 'transfer: the cell that takes the report over' },
    photoIds: { type: 'array', items: idSchema, maxItems: 50, description: 'rectify: evidence photos uploaded with POST /api/reports/:id/photos' },
    at: { type: 'string', format: 'date-time', description: "the phone's time of a step done offline" },
  },
  required: ['action'],
  additionalProperties: false,
} as const;
export type ActionInput = FromSchema<typeof actionSchema>;

/** An uploaded photo's links (the evidence of a step). */
export const photoLinkSchema = object({ id: { type: 'integer' }, url: { type: 'string' }, thumbUrl: { type: 'string' } });
export type PhotoLink = FromSchema<typeof photoLinkSchema>;

/** One step of a report's history, as staff see it. */
export const reportEventSchema = object({
  id: { type: 'integer' },
  at: { type: 'string' },
  action: { type: 'string' },
  user: nullableString,
  userName: { ...nullableString, description: "the account's display name; null for the public and the system" },
  userRole: nullableString,
  toCellName: nullableString,
  fromState: { type: ['string', 'null'], enum: [...STATES, null] },
  toState: { type: ['string', 'null'], enum: [...STATES, null] },
  fromCell: nullableInt,
  toCell: nullableInt,
  note: nullableString,
  reply: nullableString,
  detail: { type: 'object', additionalProperties: true },
  photos: { type: 'array', items: photoLinkSchema },
});
export type ReportEvent = FromSchema<typeof reportEventSchema>;

/** GET /api/reports/track/:code: what the reporter (anyone with the code) sees, nothing about people. */
export const trackedSchema = object({
  trackingCode: { type: 'string' },
  category: { type: 'string' },
  severity: { type: 'string', enum: SEVERITIES },
  state: { type: 'string', enum: STATES },
  stateName: namedSchema,
  cellName: nullableString,
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
  closedAt: nullableString,
  reward: nullableInt,
  rewardStatus: { type: ['string', 'null'], enum: ['claimed', 'paid', null] },
  rewardPayee: { ...nullableString, description: "the payee's phone, masked" },
  rating: orNull(ratingSchema),
  timeline: { type: 'array', items: object({ at: { type: 'string' }, state: { type: ['string', 'null'], enum: [...STATES, null] }, reply: nullableString }) },
});
export type Tracked = FromSchema<typeof trackedSchema>;


/** How a reward was paid. */
export const PAY_METHODS = ['cash', 'bank', 'wechat', 'alipay', 'other'] as const;
export type PayMethod = (typeof PAY_METHODS)[number];

/** A claim code as given at filing (with or without its hyphen). */
export const CLAIM_CODE = '^[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}$';

/** POST /api/reports/track/:code/claim: claim the reward of a verified report, naming who is to be paid. */
export const claimBodySchema = {
  type: 'object',
  properties: { claimCode: { type: 'string', pattern: CLAIM_CODE }, name: { type: 'string', minLength: 1, maxLength: 100 }, phone: { type: 'string', minLength: 3, maxLength: 40 } },
  required: ['claimCode', 'name', 'phone'],
  additionalProperties: false,
} as const;
export type ClaimBody = FromSchema<typeof claimBodySchema>;

/** POST /api/reports/track/:code/rating: rate the handling of a closed report, once. */
export const ratingBodySchema = {
  type: 'object',
  properties: { score: { type: 'integer', minimum: 1, maximum: 5 }, comment: { type: 'string', maxLength: 500 } },
  required: ['score'],
  additionalProperties: false,
} as const;
export type RatingBody = FromSchema<typeof ratingBodySchema>;

/** POST /api/rewards/:id/payout: the payout of a claimed reward. */
export const payoutBodySchema = {
  type: 'object',
  properties: {
    amount: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    paidOn: { type: 'string', format: 'date' },
    method: { type: 'string', enum: PAY_METHODS },
    note: { type: 'string', maxLength: 500 },
  },
  required: ['amount', 'paidOn', 'method'],
  additionalProperties: false,
} as const;
export type PayoutBody = FromSchema<typeof payoutBodySchema>;

/** A reward of the ledger (有奖举报): what a verified public report earned, and whether it is owed, claimed or paid. */
export const rewardSchema = object({
  id: { type: 'integer' },
  reportId: { type: 'integer' },
  trackingCode: { type: 'string' },
  category: { type: 'string' },
  severity: { type: 'string', enum: SEVERITIES },
  amount: { type: 'integer' },
  createdAt: { type: 'string' },
  status: { type: 'string', enum: ['owed', 'claimed', 'paid'] },
  claimedAt: nullableString,
  paidAt: nullableString,
  reporter: object({ name: nullableString, contact: nullableString }),
  payee: orNull(object({ name: nullableString, phone: nullableString })),
  payout: orNull(object({ amount: { type: 'integer' }, on: { type: 'string' }, method: { type: 'string', enum: PAY_METHODS }, by: nullableString, note: nullableString })),
});
export type Reward = FromSchema<typeof rewardSchema>;

/** GET /api/rewards: the ledger of my cells, with the sums per status. */
export const rewardsLedgerSchema = object({
  total: { type: 'integer' },
  owed: { type: 'integer' },
  claimed: { type: 'integer' },
  paid: { type: 'integer' },
  items: { type: 'array', items: rewardSchema },
});
export type RewardsLedger = FromSchema<typeof rewardsLedgerSchema>;
