import type { Role } from '../contracts/accounts.ts';

/**
 * What each role may do, for server and client alike: routes declare the permission they need
 * (config.access, server/auth/access.ts) and the client shows a control only to a role that may use
 * it (useSession().may). Admins may do everything.
 */
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

/** Whether a role has a permission. */
export const roleMay = (role: Role, permission: Permission): boolean => (PERMISSIONS[permission] as readonly Role[]).includes(role);
