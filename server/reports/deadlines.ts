import type { ReportsConfig, Severity, StepHours } from '../config.ts';
import { stepOf, type State } from '../../core/reports/workflow.ts';

/** Hours allowed for a step: the category's exception when configured, else the severity's default. */
export function stepHours(config: ReportsConfig, category: string, severity: Severity, step: keyof StepHours): number {
  return config.categoryDeadlines[category]?.[severity]?.[step] ?? config.deadlines[severity][step];
}

/** When the step of `state` is due if it starts at `start`; null for a finished report. */
export function dueAt(config: ReportsConfig, category: string, severity: Severity, state: State, start: Date): Date | null {
  const step = stepOf(state);
  if (!step) return null;
  return new Date(start.getTime() + stepHours(config, category, severity, step) * 3600_000);
}
