import { scopeOf, type Actor } from '../auth/actor.ts';

/**
 * Phones are stored as digits with an optional leading "+", so the same number typed as
 * "138 0013 8000", "138-0013-8000" or "+86 13800138000" matches one person.
 */
export function normalizePhone(input: string): string | null {
  const compact = input.trim().replace(/[\s\-().]/g, '');
  if (!/^\+?[0-9]{3,20}$/.test(compact)) return null;
  // A mainland mobile with the country code is the same phone as without it.
  const mobile = /^(?:\+86|0086|86)(1[0-9]{10})$/.exec(compact);
  return mobile ? mobile[1]! : compact;
}

/**
 * 13812345678 → 138****5678: enough to recognise a number, not enough to call it. Only a number of
 * 11 characters or more keeps its first 3 and last 4; a shorter one (a landline, an extension) keeps
 * its last quarter at most, so a mask never shows most of a number.
 */
export function maskPhone(phone: string): string {
  const n = phone.length;
  const start = n >= 11 ? 3 : 0;
  const end = n >= 11 ? 4 : Math.floor(n / 4);
  return phone.slice(0, start) + '*'.repeat(n - start - end) + phone.slice(n - end);
}

/**
 * SQL true when the actor sees person `personColumn`'s full phone: admins, the person themself,
 * accounts of the whole grid (their scope holds every cell, and the unassigned as for reports), and
 * staff whose scope holds a cell the person is assigned to. Pushes its parameters onto `params`.
 */
export function fullPhoneSql(personColumn: string, actor: Actor, params: unknown[]): string {
  const scope = scopeOf(actor);
  if (scope.length === 0) return 'true';
  const self = `$${params.push(actor.personId)}::int`;
  const roots = `$${params.push(scope)}::int[]`;
  return `(${personColumn} = ${self} OR EXISTS (
    SELECT 1 FROM cell_assignments pa WHERE pa.person_id = ${personColumn} AND pa.cell_id IN (
      SELECT id FROM cells WHERE id = ANY (${roots}) OR ancestors && ${roots})))`;
}

/** The phone as this actor may see it. */
export const shownPhone = (phone: string | null, full: boolean) => (phone && !full ? maskPhone(phone) : phone);
