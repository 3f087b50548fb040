import { fillTemplate, type Lang, type ParamsOf, type ProblemDef, type ProblemParam } from './define.ts';
import { httpProblems, schemaProblems } from './http.ts';
import { authProblems } from './auth.ts';
import { basemapProblems } from './basemap.ts';
import { unitProblems, unitRowProblems } from './units.ts';
import { patrolProblems, patrolRecordProblems } from './patrols.ts';
import { csvProblems, peopleProblems } from './people.ts';
import { photoProblems } from './photos.ts';
import { inputProblems } from './input.ts';
import { userProblems } from './users.ts';
import { workflowProblems } from './workflow.ts';
import { cellProblems } from './cells.ts';
import { importProblems, importReadProblems, importRowProblems } from './imports.ts';
import { cellEditProblems } from './cell-edits.ts';
import { coverageProblems } from './coverage.ts';
import { ogcProblems } from './ogc.ts';
import { reportProblems } from './reports.ts';
import { commandProblems } from './command.ts';
import { open311Problems } from './open311.ts';
import { rewardProblems } from './rewards.ts';
import { auditProblems } from './audit.ts';
import { partitionProblems } from './partition.ts';
import { accountabilityProblems } from './accountability.ts';
import { offlineProblems } from './offline.ts';

export { fillTemplate, placeholders, type Lang, type ProblemParam } from './define.ts';

/**
 * Every problem the API can answer, by code. A domain keeps its own file; add it here. The test
 * beside this catalog checks that both languages exist and use the same placeholders.
 */
/** Each domain's catalog, for the test that no code is defined twice (a later spread would hide one). */
export const problemDomains = [httpProblems, schemaProblems, authProblems, basemapProblems, unitProblems, unitRowProblems, patrolProblems, peopleProblems, photoProblems, inputProblems, userProblems, workflowProblems, cellProblems, importProblems, importRowProblems, importReadProblems, cellEditProblems, coverageProblems, ogcProblems, reportProblems, patrolRecordProblems, csvProblems, commandProblems, open311Problems, rewardProblems, auditProblems, partitionProblems, accountabilityProblems, offlineProblems];

export const problemCatalog = {
  ...httpProblems,
  ...schemaProblems,
  ...authProblems,
  ...basemapProblems,
  ...unitProblems,
  ...unitRowProblems,
  ...patrolProblems,
  ...peopleProblems,
  ...photoProblems,
  ...inputProblems,
  ...userProblems,
  ...workflowProblems,
  ...cellProblems,
  ...importProblems,
  ...importRowProblems,
  ...importReadProblems,
  ...cellEditProblems,
  ...coverageProblems,
  ...ogcProblems,
  ...reportProblems,
  ...patrolRecordProblems,
  ...csvProblems,
  ...commandProblems,
  ...open311Problems,
  ...rewardProblems,
  ...auditProblems,
  ...partitionProblems,
  ...accountabilityProblems,
  ...offlineProblems,
} satisfies Record<string, ProblemDef>;

export type ProblemCode = keyof typeof problemCatalog;
export type ProblemParams<C extends ProblemCode> = ParamsOf<(typeof problemCatalog)[C]>;

/** What travels in a problem+json besides the RFC 9457 members: the code and its parameters. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code?: string;
  params?: Record<string, ProblemParam>;
  errors?: { field: string; message: string; code?: string; params?: Record<string, ProblemParam>; row?: number }[];
  [extra: string]: unknown;
}

export const isProblemCode = (code: unknown): code is ProblemCode => typeof code === 'string' && Object.hasOwn(problemCatalog, code);

/** The problem+json `type` of a code: a relative URI the server answers with the code's definition. */
export const problemType = (code: string) => `/api/problems/${code}`;

/** A problem's text in one language; undefined for a code this catalog does not know. */
export function problemText(code: string, params: Record<string, ProblemParam> | undefined, lang: Lang): string | undefined {
  if (!isProblemCode(code)) return undefined;
  const def: ProblemDef = problemCatalog[code];
  return fillTemplate(lang === 'zh-CN' ? def.zh : def.en, params, lang);
}

/**
 * What a person reads for a problem answer: the catalog's text for its code (and, for an invalid
 * request, each field's rule), else the server's own detail.
 */
export function describeProblem(body: Partial<ProblemBody>, lang: Lang): string {
  if (body.code === 'request.invalid' && body.errors?.length) {
    const lines = body.errors.map((e) => (e.code && problemText(e.code, { field: e.field, ...e.params }, lang)) || `${e.field} ${e.message}`);
    return lines.join(lang === 'zh-CN' ? '；' : '; ');
  }
  const text = body.code ? problemText(body.code, body.params, lang) : undefined;
  return text ?? body.detail ?? body.title ?? '';
}
