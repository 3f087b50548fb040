import type { Role } from '../config.ts';
import type { SessionUser } from '../../core/contracts/accounts.ts';

/** The signed-in user a request acts as (scope: roots of the subtrees the user works in; empty = the whole grid). */
export interface Actor extends SessionUser {
  csrfToken?: string;
}

/** What each role may do. Routes declare the one they need (config.access, see access.ts); the client only hides buttons. */
export const PERMISSIONS = {
  'cells.edit': ['admin', 'planner'],
  'assignments.edit': ['admin', 'planner'],
  'people.edit': ['admin', 'planner'],
  'units.edit': ['admin', 'planner', 'worker'],
  'reports.view': ['admin', 'commander', 'worker'],
  'reports.work': ['admin', 'commander', 'worker'],
  'reports.supervise': ['admin', 'commander'],
  'users.manage': ['admin'],
  'audit.view': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(actor: Actor | null, permission: Permission): boolean {
  return !!actor && (PERMISSIONS[permission] as readonly Role[]).includes(actor.role);
}

/** Admins work everywhere; others in their scope (empty scope = everywhere). */
export function scopeOf(actor: Actor): number[] {
  return actor.role === 'admin' ? [] : actor.scope;
}
