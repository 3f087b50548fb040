import type { CodeScheme } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { problem } from '../problem.ts';

/** Digits in a code at `level`: the division code, then a fixed width per deeper level. */
export const codeLength = (s: CodeScheme, level: number) => s.rootDigits + (level - 1) * s.digitsPerLevel;

/** A given code must be digits, of its level's length, and start with the parent's code. */
export function checkCode(s: CodeScheme, code: string, level: number, parentCode: string | null) {
  const len = codeLength(s, level);
  if (!/^\d+$/.test(code) || code.length !== len) {
    throw problem('cells.code-length', { code, digits: len, level }, { errors: [{ field: 'properties.code', message: `must be ${len} digits` }] });
  }
  if (parentCode && !code.startsWith(parentCode)) {
    throw problem('cells.code-prefix', { code, parentCode }, { errors: [{ field: 'properties.code', message: 'must start with the parent code' }] });
  }
}

/** The parent's code plus the next free sequence number at that level. */
export async function nextChildCode(q: Queryable, s: CodeScheme, parentCode: string, level: number): Promise<string> {
  const len = codeLength(s, level);
  const { rows } = await q.query<{ max: string | null }>(
    'SELECT max(code) AS max FROM cells WHERE code LIKE $1 AND length(code) = $2', [`${parentCode}%`, len]);
  const next = rows[0]?.max ? Number(rows[0].max.slice(parentCode.length)) + 1 : 1;
  if (next >= 10 ** s.digitsPerLevel) throw problem('cells.codes-exhausted', { parentCode });
  return parentCode + String(next).padStart(s.digitsPerLevel, '0');
}
