import { describe, expect, it } from 'vitest';
import { can, type Actor } from '../../server/auth/actor.ts';
import { reportsConfig } from '../../server/config.ts';
import { dueAt, stepHours } from '../../server/reports/deadlines.ts';
import { ACTIONS, OPEN_STATES, STATES, TRANSITIONS, allowedActions, findTransition, stepOf, type State } from '../../core/reports/workflow.ts';

const actor = (role: Actor['role']): Actor => ({ id: 1, username: role, displayName: role, role, scope: [], personId: null, via: 'token' });

describe('the report state machine', () => {
  it('reaches every state from reported, and closes the loop', () => {
    const seen = new Set<State>(['reported']);
    for (let grew = true; grew;) {
      grew = false;
      for (const tr of TRANSITIONS) if (seen.has(tr.from) && !seen.has(tr.to)) { seen.add(tr.to); grew = true; }
    }
    expect([...seen].sort()).toEqual([...STATES].sort());
  });

  it('leaves no open state without a way forward, and only reopen out of closed and rejected', () => {
    for (const s of OPEN_STATES) expect(TRANSITIONS.some((tr) => tr.from === s && tr.to !== s)).toBe(true);
    for (const s of ['closed', 'rejected'] as const) expect(TRANSITIONS.filter((tr) => tr.from === s).map((tr) => tr.action)).toEqual(['reopen']);
  });

  it('has at most one transition per state and action, and uses only known actions', () => {
    const keys = TRANSITIONS.map((tr) => `${tr.from}:${tr.action}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const tr of TRANSITIONS) expect(ACTIONS).toContain(tr.action);
  });

  it('asks a reason to reject, return and reopen, evidence to rectify, people to dispatch, a cell to transfer', () => {
    expect(findTransition('reported', 'reject')!.needs).toEqual(['reason']);
    expect(findTransition('rectified', 'return')!.needs).toEqual(['reason']);
    expect(findTransition('closed', 'reopen')!.needs).toEqual(['reason']);
    expect(findTransition('rectifying', 'rectify')!.needs).toEqual(['evidence']);
    expect(findTransition('verified', 'dispatch')!.needs).toEqual(['assignee']);
    expect(findTransition('reported', 'transfer')!.needs).toEqual(['cell']);
    expect(findTransition('closed', 'verify')).toBeUndefined();
  });

  it('offers workers the work and commanders the check; planners nothing', () => {
    const offered = (role: Actor['role'], s: State) => allowedActions(s, (p) => can(actor(role), p));
    expect(offered('worker', 'rectified')).toEqual([]);
    expect(offered('commander', 'rectified')).toEqual(['close', 'return']);
    expect(offered('worker', 'reported')).toEqual(['verify', 'reject', 'transfer']);
    expect(offered('worker', 'closed')).toEqual([]);
    expect(offered('admin', 'closed')).toEqual(['reopen']);
    for (const s of STATES) expect(offered('planner', s)).toEqual([]);
  });
});

describe('deadlines', () => {
  const config = reportsConfig({ deadlines: { ordinary: { verify: 12 } }, categoryDeadlines: { fire: { major: { rectify: 72 } } } });
  const start = new Date('2030-01-01T00:00:00Z');

  it('runs a step per state: verify, dispatch, rectify (also while dispatched), check; none when finished', () => {
    expect(STATES.map(stepOf)).toEqual(['verify', 'dispatch', null, 'rectify', 'rectify', 'check', null]);
  });

  it('takes the category exception, else the severity default; a partial file keeps the other defaults', () => {
    expect(stepHours(config, 'fire', 'major', 'rectify')).toBe(72);
    expect(stepHours(config, 'environment', 'major', 'rectify')).toBe(720);
    expect(stepHours(config, 'fire', 'ordinary', 'rectify')).toBe(168);
    expect(stepHours(config, 'fire', 'ordinary', 'verify')).toBe(12);
    expect(stepHours(config, 'fire', 'ordinary', 'check')).toBe(72);
    expect(dueAt(config, 'fire', 'major', 'rectifying', start)!.toISOString()).toBe('2030-01-04T00:00:00.000Z');
    expect(dueAt(config, 'fire', 'major', 'closed', start)).toBeNull();
  });

  it('defaults to the documents: rewards 50 and 300, warnings at 1, 3 and 5', () => {
    const d = reportsConfig();
    expect(d.rewards).toEqual({ ordinary: 50, major: 300 });
    expect(d.warningThresholds).toEqual({ warning: 1, explanation: 3, publicNotice: 5 });
    expect(d.categories.map((c) => c.code)).toEqual(['fire', 'environment', 'work_safety', 'food_drug', 'price', 'conduct', 'other']);
  });
});
