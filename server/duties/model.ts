import type { Queryable } from '../db/db.ts';
import { templateOf, type DutiesConfig, type DutyItem } from './config.ts';

/** A cell's 五定 lists as shown: its own list where a planner changed it, else its level's template. */
export interface CellDuties {
  duties: DutyItem[];
  tasks: DutyItem[];
  /** True while the list is the level's template (nothing stored for the cell). */
  dutiesInherited: boolean;
  tasksInherited: boolean;
  rewardRules: string;
}

export async function cellDuties(q: Queryable, config: DutiesConfig, cellId: number, level: number): Promise<CellDuties> {
  const { rows } = await q.query<{ duties: DutyItem[] | null; tasks: DutyItem[] | null }>('SELECT duties, tasks FROM cell_duties WHERE cell_id = $1', [cellId]);
  const own = rows[0];
  const template = templateOf(config, level);
  return {
    duties: own?.duties ?? template.duties,
    tasks: own?.tasks ?? template.tasks,
    dutiesInherited: own?.duties == null,
    tasksInherited: own?.tasks == null,
    rewardRules: template.rewardRules,
  };
}

export { dutyItemSchema } from '../../core/contracts/duties.ts';
