import type { SessionUser } from '../../core/contracts/accounts.ts';

/** The signed-in user a request acts as (scope: roots of the subtrees the user works in; empty = the whole grid). */
export interface Actor extends SessionUser {
  csrfToken?: string;
}

export { PERMISSIONS, type Permission } from '../../core/auth/permissions.ts';
import { roleMay, type Permission } from '../../core/auth/permissions.ts';

export function can(actor: Actor | null, permission: Permission): boolean {
  return !!actor && roleMay(actor.role, permission);
}

/** Admins work everywhere; others in their scope (empty scope = everywhere). */
export function scopeOf(actor: Actor): number[] {
  return actor.role === 'admin' ? [] : actor.scope;
}
