import { describeProblem, isProblemCode, problemCatalog, problemType, type ProblemBody } from '../../core/problems/index.ts';

const CHINESE = /[\u4e00-\u9fff]/;

/**
 * What a problem+json answer lacks for a user to read it in both languages: a catalog code, its
 * `type`, parameters for every placeholder, and codes on its field or row errors. null when nothing.
 */
export function problemLacks(body: Record<string, unknown>): string | null {
  const code = body.code;
  if (typeof code !== 'string') return 'no code';
  if (!isProblemCode(code)) return `code ${code} is not in the catalog`;
  if (body.type !== problemType(code)) return `type ${String(body.type)} is not ${problemType(code)}`;
  const params = (body.params ?? {}) as Record<string, unknown>;
  const missing = [...problemCatalog[code].en.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).filter((p) => !(p in params));
  if (missing.length) return `${code} lacks the parameters ${missing.join(', ')}`;
  const zh = describeProblem(body as Partial<ProblemBody>, 'zh-CN');
  if (!CHINESE.test(zh)) return `${code} reads in zh-CN as "${zh}"`;
  const errors = Array.isArray(body.errors) ? (body.errors as { code?: unknown; row?: unknown }[]) : [];
  // A request.invalid lists schema codes per field; a row-by-row import lists each row's code.
  for (const e of errors) {
    if ((code === 'request.invalid' || typeof e.row === 'number') && !isProblemCode(e.code)) return `${code}: an entry of errors has no catalog code (${JSON.stringify(e)})`;
  }
  return null;
}
