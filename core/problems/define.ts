/**
 * A problem the API answers (RFC 9457) is named by a stable code with parameters; its text in every
 * language comes from the catalog, so the server's English `detail` and the client's Chinese are
 * one definition. A catalog entry is `{ status, en, zh }` with `{name}` placeholders.
 */
export interface ProblemDef {
  /** The HTTP status the server answers with. */
  status: number;
  en: string;
  zh: string;
}

export type Lang = 'zh-CN' | 'en';

/** A parameter shown to a user: plain, or already in both languages (a level's or a role's name). */
export type ProblemParam = string | number | boolean | null | { zh: string; en: string };

/** The `{name}` placeholders of a template, as a union of names. */
export type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;

/** The parameters a definition needs: one per placeholder of its English text. */
export type ParamsOf<D extends ProblemDef> = [Placeholders<D['en']>] extends [never]
  ? Record<string, ProblemParam>
  : { [K in Placeholders<D['en']>]: ProblemParam } & Record<string, ProblemParam>;

/** Keeps the literal texts of a domain's catalog, so each code's parameters are typed. */
export const defineProblems = <const T extends Record<string, ProblemDef>>(defs: T): T => defs;

/** Every placeholder name in a template, in order of appearance. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

const paramText = (value: ProblemParam | undefined, lang: Lang): string => {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return lang === 'zh-CN' ? value.zh : value.en;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
  return String(value);
};

/** Fills a template's placeholders in one language; a missing parameter shows as its name. */
export function fillTemplate(template: string, params: Record<string, ProblemParam> | undefined, lang: Lang): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (params && name in params ? paramText(params[name], lang) : match));
}
