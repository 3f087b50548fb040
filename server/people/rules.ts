import type { AssignmentRoleConfig } from '../config.ts';

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
export function gapsOf(roles: AssignmentRoleConfig[], have: Record<string, number>): Gap[] {
  const out: Gap[] = [];
  for (const r of roles) {
    const needed = Math.max(r.required ? 1 : 0, r.minPerCell ?? 0);
    const n = have[r.code] ?? 0;
    if (n < needed) out.push({ role: r.code, zh: r.zh, en: r.en, needed, have: n });
  }
  return out;
}
