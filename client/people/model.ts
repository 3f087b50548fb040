/** The planner's list of a cell's responsible people, as edited before it is saved (pure functions, tested). */

/** The API's shapes (server/people: assignments.ts, routes.ts). */
export type { Assignment, AssignmentRole as Role, Person } from '../../core/contracts/people.ts';
import type { Assignment, AssignmentRole as Role, AssignmentsBody, Person } from '../../core/contracts/people.ts';
import { countRoles, gapsOf } from '../../core/people/rules.ts';

export interface Entry {
  personId: number;
  role: string;
  name: string;
  phone: string | null;
  organisation: string | null;
  title: string | null;
}

export const toEntries = (list: Assignment[]): Entry[] =>
  list.map(({ personId, role, name, phone, organisation, title }) => ({ personId, role, name, phone, organisation, title }));

export const entryKey = (e: { personId: number; role: string }) => `${e.personId}/${e.role}`;

/** The body of PUT /api/cells/:id/assignments: the whole list in order. */
export const toBody = (list: Entry[]): AssignmentsBody => list.map(({ personId, role }) => ({ personId, role }));

export const sameList = (a: Entry[], b: Entry[]) => a.length === b.length && a.every((e, i) => entryKey(e) === entryKey(b[i]!));

/** The list with the item at `from` moved to index `to` (clamped); the same list when nothing moves. */
export function move<T>(list: T[], from: number, to: number): T[] {
  const target = Math.max(0, Math.min(list.length - 1, to));
  if (from === target || from < 0 || from >= list.length) return list;
  const next = list.slice();
  const [item] = next.splice(from, 1);
  next.splice(target, 0, item!);
  return next;
}

/** Adds a person in a role at the end, unless they already hold that role here (then null). */
export function addEntry(list: Entry[], person: Pick<Person, 'id' | 'name' | 'phone' | 'organisation' | 'title'>, role: string): Entry[] | null {
  if (list.some((e) => e.personId === person.id && e.role === role)) return null;
  return [...list, { personId: person.id, role, name: person.name, phone: person.phone, organisation: person.organisation, title: person.title }];
}

/** Changes the role of the entry at `index`, unless the person already holds the new role here (then null). */
export function changeRole(list: Entry[], index: number, role: string): Entry[] | null {
  const entry = list[index];
  if (!entry) return null;
  if (list.some((e, i) => i !== index && e.personId === entry.personId && e.role === role)) return null;
  return list.map((e, i) => (i === index ? { ...e, role } : e));
}

export interface Gap {
  role: Role;
  needed: number;
  have: number;
}

/** Roles this list leaves short: the server's people-gap rule (core/people/rules.ts). */
export function gapsIn(roles: Role[], list: { role: string }[]): Gap[] {
  return gapsOf(roles, countRoles(list)).map((g) => ({ role: roles.find((r) => r.code === g.role)!, needed: g.needed, have: g.have }));
}

/** The role offered first when adding someone: the first one still missing, else the first role. */
export function suggestedRole(roles: Role[], list: { role: string }[]): string {
  return gapsIn(roles, list)[0]?.role.code ?? roles[0]?.code ?? '';
}
