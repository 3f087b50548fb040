import type { Permission } from '../auth/permissions.ts';

/**
 * The closed loop of a hazard report, in one place for server and client: which action leads from which state to which,
 * who may take it, and what it must carry. Routes, the inbox's allowedActions and the tests all
 * read this table; nothing else decides a transition.
 *
 *   reported ──verify──▶ verified ──dispatch──▶ dispatched ──accept──▶ rectifying ──rectify──▶ rectified ──close──▶ closed
 *      │                                                                  ▲                      │
 *      └──reject──▶ rejected                                              └───────return─────────┘
 *   closed ──reopen──▶ rectifying;  rejected ──reopen──▶ reported;  transfer: reported/verified, another cell
 */
export { ACTIONS, OPEN_STATES, STATES, type Action, type State } from '../contracts/reports.ts';
import type { Action, State } from '../contracts/reports.ts';

/** The steps with a deadline (config reports.deadlines). */
export type Step = 'verify' | 'dispatch' | 'rectify' | 'check';

/** What an action must carry besides the action name. */
export type Need = 'reason' | 'evidence' | 'assignee' | 'cell';

export interface Transition {
  action: Action;
  from: State;
  /** The state after the action; transfer keeps the state. */
  to: State;
  permission: Permission;
  needs: readonly Need[];
}

const t = (action: Action, from: State, to: State, permission: Permission, needs: Need[] = []): Transition => ({ action, from, to, permission, needs });

export const TRANSITIONS: readonly Transition[] = [
  t('verify', 'reported', 'verified', 'reports.work'),
  t('reject', 'reported', 'rejected', 'reports.work', ['reason']),
  t('transfer', 'reported', 'reported', 'reports.work', ['cell']),
  t('dispatch', 'verified', 'dispatched', 'reports.work', ['assignee']),
  t('transfer', 'verified', 'verified', 'reports.work', ['cell']),
  t('accept', 'dispatched', 'rectifying', 'reports.work'),
  t('rectify', 'rectifying', 'rectified', 'reports.work', ['evidence']),
  t('close', 'rectified', 'closed', 'reports.supervise'),
  t('return', 'rectified', 'rectifying', 'reports.supervise', ['reason']),
  t('reopen', 'closed', 'rectifying', 'reports.supervise', ['reason']),
  t('reopen', 'rejected', 'reported', 'reports.supervise', ['reason']),
];


export function findTransition(state: State, action: Action): Transition | undefined {
  return TRANSITIONS.find((tr) => tr.from === state && tr.action === action);
}

/** The actions a user with these permissions may take on a report in this state (scope is checked before). */
export function allowedActions(state: State, may: (p: Permission) => boolean): Action[] {
  return TRANSITIONS.filter((tr) => tr.from === state && may(tr.permission)).map((tr) => tr.action);
}

/** The step whose deadline runs in a state: verify a new report, dispatch a verified one, and so on. */
export function stepOf(state: State): Step | null {
  switch (state) {
    case 'reported': return 'verify';
    case 'verified': return 'dispatch';
    case 'dispatched':
    case 'rectifying': return 'rectify';
    case 'rectified': return 'check';
    default: return null;
  }
}

/** Chinese names of the states, for feedback texts and the tracking page. */
export const STATE_NAMES: Record<State, { zh: string; en: string }> = {
  reported: { zh: '已上报', en: 'Reported' },
  verified: { zh: '已核实', en: 'Verified' },
  rejected: { zh: '不属实', en: 'Rejected as unfounded' },
  dispatched: { zh: '已派遣', en: 'Dispatched' },
  rectifying: { zh: '整改中', en: 'Being rectified' },
  rectified: { zh: '已整改', en: 'Rectified' },
  closed: { zh: '已结案', en: 'Closed' },
};
