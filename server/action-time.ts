import type { FastifyRequest } from 'fastify';
import { problem } from './problem.ts';

/**
 * The time of an action done on a phone, perhaps offline and sent later. The phone sends `at` (its
 * clock when the action was done) and, with every request, the header X-Client-Time (its clock when
 * sending). Their difference to the server's clock is the phone's offset; the action's time is `at`
 * corrected by it, so a phone whose clock is wrong is still judged on the right time. Rules
 * (README, "Working offline"):
 * - later than the server's now by more than FUTURE_TOLERANCE_MS: impossible, taken as now, flagged "future";
 * - older than ACTION_MAX_AGE_DAYS: kept, flagged "stale" (a phone offline that long is worth a look);
 * - a patrol action before the patrol started (beyond the slack): taken as the start, flagged "before-start".
 * Without `at` the action happened now (the online case).
 */

export const FUTURE_TOLERANCE_MS = 2 * 60_000;
export const ACTION_MAX_AGE_DAYS = 7;

export type TimeFlag = 'future' | 'stale' | 'before-start';

export interface ActionTime {
  at: Date;
  /** The phone's clock minus the server's (ms) when the request came; null without X-Client-Time. */
  offsetMs: number | null;
  flag: TimeFlag | null;
}

/** The body field for the phone's time of the action. */
export { atSchema } from '../core/contracts/patrols.ts';

export function actionTime(request: FastifyRequest, claimed: string | undefined, now: Date, notBefore?: { at: Date; slackMs: number }): ActionTime {
  if (claimed === undefined) return { at: now, offsetMs: null, flag: null };
  const device = Date.parse(claimed);
  if (Number.isNaN(device)) throw problem('offline.time-invalid', { at: claimed }, { errors: [{ field: 'at', message: 'must be a date-time' }] });
  const header = request.headers['x-client-time'];
  const sent = typeof header === 'string' ? Date.parse(header) : Number.NaN;
  const offsetMs = Number.isNaN(sent) ? null : sent - now.getTime();
  const corrected = device - (offsetMs ?? 0);
  if (corrected > now.getTime() + FUTURE_TOLERANCE_MS) return { at: now, offsetMs, flag: 'future' };
  if (notBefore && corrected < notBefore.at.getTime() - notBefore.slackMs) return { at: notBefore.at, offsetMs, flag: 'before-start' };
  const stale = corrected < now.getTime() - ACTION_MAX_AGE_DAYS * 86_400_000;
  return { at: new Date(corrected), offsetMs, flag: stale ? 'stale' : null };
}
