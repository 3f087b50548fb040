/** People, who answers for which cell, and a cell's public card as the API answers them (server/people). */
import { dutyItemSchema } from './duties.ts';
import { idSchema, namedSchema, object, type FromSchema } from './schema.ts';

/**
 * A role a person can hold in a cell (第一责任人, 监督员 …). maxPerCell is enforced when assignments
 * are saved; minPerCell and required are reported as people gaps, never enforced.
 */
export const assignmentRoleSchema = object({
  code: { type: 'string' },
  zh: { type: 'string' },
  en: { type: 'string' },
  maxPerCell: { type: 'integer' },
  minPerCell: { type: 'integer' },
  required: { type: 'boolean' },
}, 'maxPerCell', 'minPerCell', 'required');
export type AssignmentRole = FromSchema<typeof assignmentRoleSchema>;

export const roleNameSchema = object({ code: { type: 'string' }, zh: { type: 'string' }, en: { type: 'string' } });

/** One of a cell's responsible people, in order (GET/PUT /api/cells/:id/assignments). */
export const assignmentSchema = object({
  position: { type: 'integer' },
  role: { type: 'string' },
  roleName: roleNameSchema,
  personId: { type: 'integer' },
  name: { type: 'string' },
  phone: { type: ['string', 'null'] },
  organisation: { type: ['string', 'null'] },
  title: { type: ['string', 'null'] },
});
export type Assignment = FromSchema<typeof assignmentSchema>;

/** A person (/api/people): the phone in full only where the reader may see it. */
export const personSchema = object({
  id: { type: 'integer' },
  name: { type: 'string' },
  phone: { type: ['string', 'null'] },
  organisation: { type: ['string', 'null'] },
  title: { type: ['string', 'null'] },
  userId: { type: ['integer', 'null'], description: 'the account linked to this person (set on the account by an admin)' },
  version: { type: 'integer' },
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
});
export type Person = FromSchema<typeof personSchema>;

/** A cell as its card names it, and each of its parents. */
export const cardCellSchema = object({ id: { type: 'integer' }, code: { type: 'string' }, name: { type: 'string' }, level: { type: 'integer' }, levelName: namedSchema });
export type CardCell = FromSchema<typeof cardCellSchema>;

export const cardPersonSchema = object({
  name: { type: 'string' },
  role: { type: 'string' },
  roleName: roleNameSchema,
  phone: { type: ['string', 'null'], description: 'masked (138****5678) unless the deployment sets card.maskPhones false' },
  organisation: { type: ['string', 'null'] },
  title: { type: ['string', 'null'] },
  photoUrl: { type: ['string', 'null'], description: 'the thumbnail of their photo, when they have one' },
});
export type CardPerson = FromSchema<typeof cardPersonSchema>;

/** GET /api/cells/:id/card and /api/cards/at: a cell's public card (亮身份), no account needed. */
export const cardSchema = object({
  ...cardCellSchema.properties,
  areaM2: { type: 'number' },
  pointInside: {
    type: ['array', 'null'], items: [{ type: 'number' }, { type: 'number' }], minItems: 2, additionalItems: false,
    description: '[lon, lat] of a point inside the cell: where a report started from its card is placed',
  },
  parents: { type: 'array', items: cardCellSchema, description: 'from the root (level 1) down to the direct parent' },
  people: { type: 'array', items: cardPersonSchema },
  duties: { type: 'array', items: dutyItemSchema, description: "定职责: the cell's own list, else its level's template" },
  tasks: { type: 'array', items: dutyItemSchema, description: "定任务: the cell's own list, else its level's template" },
  rewardRules: { type: 'string', description: "定奖惩: the level's reward and penalty rules" },
});
export type Card = FromSchema<typeof cardSchema>;

/** A role a cell lacks, or has too few of: how many it needs and has. */
export const missingRoleSchema = object({ role: { type: 'string' }, zh: { type: 'string' }, en: { type: 'string' }, needed: { type: 'integer' }, have: { type: 'integer' } });
/** GET /api/people-gaps: a cell missing a required role or short of a minimum (the rules of server/people/rules.ts). */
export const peopleGapSchema = object({
  cellId: { type: 'integer' },
  code: { type: 'string' },
  name: { type: 'string' },
  level: { type: 'integer' },
  missing: { type: 'array', items: missingRoleSchema },
});
export type PeopleGap = FromSchema<typeof peopleGapSchema>;

const text = (max: number) => ({ anyOf: [{ type: 'string', maxLength: max }, { type: 'null' }] }) as const;
/** The fields of a person as they are added (POST /api/people) and edited (PATCH /api/people/:id). */
export const personFields = {
  name: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' },
  phone: text(40),
  organisation: text(200),
  title: text(100),
} as const;

/** POST /api/people: add a person. */
export const newPersonBodySchema = { type: 'object', properties: personFields, required: ['name'], additionalProperties: false } as const;
export type NewPersonBody = FromSchema<typeof newPersonBodySchema>;

/** PATCH /api/people/:id: edit a person. */
export const personPatchBodySchema = { type: 'object', properties: personFields, minProperties: 1, additionalProperties: false } as const;
export type PersonPatchBody = FromSchema<typeof personPatchBodySchema>;

/** PUT /api/cells/:id/assignments: a cell's whole ordered list of responsible people, in the configured roles. */
export const assignmentsBodySchema = (roleCodes: readonly string[]) => ({
  type: 'array',
  maxItems: 200,
  items: {
    type: 'object',
    properties: { personId: idSchema, role: { type: 'string', enum: roleCodes } },
    required: ['personId', 'role'],
    additionalProperties: false,
  },
}) as const;
export type AssignmentsBody = FromSchema<ReturnType<typeof assignmentsBodySchema>>;

/** POST /api/assignments/import as JSON (text/csv is the bare string). */
export const assignmentImportBodySchema = {
  anyOf: [
    { type: 'string', minLength: 1 },
    { type: 'object', properties: { csv: { type: 'string', minLength: 1 }, skipInvalid: { type: 'boolean' } }, required: ['csv'], additionalProperties: false },
  ],
} as const;
export type AssignmentImportBody = FromSchema<typeof assignmentImportBodySchema>;
