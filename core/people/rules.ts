import type { AssignmentRole as AssignmentRoleConfig } from '../contracts/people.ts';

// The rules of a cell's responsible people (config assignmentRoles), for server and client alike:
// the server refuses a list over a maximum and reports the gaps; the planner's editor shows both
// before saving.

export interface RoleName {
  code: string;
  zh: string;
  en: string;
}

/** The configured names of a role; a role dropped from the configuration still shows its code. */
export function roleName(roles: AssignmentRoleConfig[], code: string): RoleName {
  const r = roles.find((x) => x.code === code);
  return { code, zh: r?.zh ?? code, en: r?.en ?? code };
}

/** Finds a role by its code or by its Chinese or English name (as people type it in a spreadsheet). */
export function findRole(roles: AssignmentRoleConfig[], text: string): AssignmentRoleConfig | undefined {
  const t = text.trim().toLowerCase();
  return roles.find((r) => r.code.toLowerCase() === t || r.zh === text.trim() || r.en.toLowerCase() === t);
}

export interface RuleViolation {
  role: string;
  rule: 'maxPerCell';
  max: number;
  given: number;
  message: string;
}

/** Maximums are hard rules: a cell's list that breaks one is refused as a whole. */
export function maxViolations(roles: AssignmentRoleConfig[], list: { role: string }[]): RuleViolation[] {
  const out: RuleViolation[] = [];
  for (const r of roles) {
    if (r.maxPerCell === undefined) continue;
    const given = list.filter((a) => a.role === r.code).length;
    if (given > r.maxPerCell) {
      out.push({ role: r.code, rule: 'maxPerCell', max: r.maxPerCell, given, message: `At most ${r.maxPerCell} ${r.zh} (${r.code}) per cell: ${given} given` });
    }
  }
  return out;
}

export interface Gap {
  role: string;
  zh: string;
  en: string;
  needed: number;
  have: number;
}

/** Minimums are soft: a cell short of a required role or of supervisors is a people gap, reported. */
/** How many holders of a role a cell needs: one when required, at least its minimum. */
export const neededOf = (r: AssignmentRoleConfig): number => Math.max(r.required ? 1 : 0, r.minPerCell ?? 0);

/** How many holders of each role a list has. */
export function countRoles(list: { role: string }[]): Record<string, number> {
  const have: Record<string, number> = {};
  for (const a of list) have[a.role] = (have[a.role] ?? 0) + 1;
  return have;
}

export function gapsOf(roles: AssignmentRoleConfig[], have: Record<string, number>): Gap[] {
  const out: Gap[] = [];
  for (const r of roles) {
    const needed = neededOf(r);
    const n = have[r.code] ?? 0;
    if (n < needed) out.push({ role: r.code, zh: r.zh, en: r.en, needed, have: n });
  }
  return out;
}
