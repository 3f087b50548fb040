import { defineProblems } from './define.ts';

/** The hazard workflow's business rules (verification, rewards). */
export const workflowProblems = defineProblems({
  'workflow.own-report': { status: 403, en: 'You filed report {id} (or it gives your phone as the reporter\'s): someone else must verify it', zh: '报告 {id} 是你本人上报的（或上报人电话是你的），须由他人核实' },
});
