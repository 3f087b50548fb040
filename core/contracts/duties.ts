/** The five fixed (五定) lists of a cell as the API answers them (server/duties). */
import { object, type FromSchema } from './schema.ts';

/** One duty or task, in its domain (a code: fire, environment …; `general` for what serves every domain). */
export const dutyItemSchema = object({ domain: { type: 'string' }, text: { type: 'string' } });
export type DutyItem = FromSchema<typeof dutyItemSchema>;

const itemList = { type: 'array', items: dutyItemSchema } as const;

/** GET /api/cells/:id/duties: a cell's duties and tasks, inherited from its level's template until changed. */
export const cellDutiesSchema = object({
  cellId: { type: 'integer' },
  level: { type: 'integer' },
  duties: itemList,
  tasks: itemList,
  dutiesInherited: { type: 'boolean' },
  tasksInherited: { type: 'boolean' },
  rewardRules: { type: 'string' },
  template: object({ duties: itemList, tasks: itemList }),
  domains: { type: 'array', items: object({ code: { type: 'string' }, zh: { type: 'string' }, en: { type: 'string' } }) },
});
export type CellDuties = FromSchema<typeof cellDutiesSchema>;

/** PUT /api/cells/:id/duties: a list replaces the cell's; null restores the level's template; absent leaves it as it is. */
export const dutiesBodySchema = (domainCodes: readonly string[]) => {
  const itemsInput = {
    anyOf: [
      {
        type: 'array', maxItems: 50,
        items: {
          type: 'object',
          properties: { domain: { type: 'string', enum: domainCodes }, text: { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S' } },
          required: ['domain', 'text'], additionalProperties: false,
        },
      },
      { type: 'null' },
    ],
  } as const;
  return {
    type: 'object',
    properties: { duties: itemsInput, tasks: itemsInput },
    anyOf: [{ required: ['duties'] }, { required: ['tasks'] }],
    additionalProperties: false,
  } as const;
};
export type DutiesBody = FromSchema<ReturnType<typeof dutiesBodySchema>>;
