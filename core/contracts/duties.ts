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
