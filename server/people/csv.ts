import type { FastifyInstance } from 'fastify';
import { parse } from 'csv-parse/sync';
import { problem } from '../problem.ts';
import { fillTemplate, problemCatalog, type ProblemCode, type ProblemParam } from '../../core/problems/index.ts';

export type { RowError } from '../../core/contracts/imports.ts';
import type { RowError } from '../../core/contracts/imports.ts';

/** A row error named by a catalog code: its English text as message, the code and parameters for the client. */
export function rowError(row: number, field: string, code: ProblemCode, params: Record<string, ProblemParam> = {}): RowError {
  return { row, field, message: fillTemplate(problemCatalog[code].en, params, 'en'), code, params };
}

export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

/** Lets a plugin's routes take a raw text/csv body (a spreadsheet export posted as is). */
export function acceptCsvBodies(app: FastifyInstance) {
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_request, body, done) => done(null, body));
}

const squash = (h: string) => h.trim().toLowerCase().replace(/[\s_-]/g, '');

/**
 * Parses CSV with a header row. Columns are found by any of their aliases (English or Chinese, case,
 * spaces and underscores ignored); the result keys rows by the canonical column name. Unknown
 * columns are kept under their header as written. A file that is not CSV, or lacks a required
 * column, is one 422 naming the problem.
 */
export function parseCsv(text: string, columns: Record<string, string[]>, required: string[][]): { rows: CsvRow[]; headers: string[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (e) {
    throw problem('csv.invalid', { reason: (e as Error).message }, { errors: [{ field: 'csv', message: (e as Error).message }] });
  }
  const [head, ...body] = records;
  if (!head) throw problem('csv.empty', {}, { errors: [{ field: 'csv', message: 'empty' }] });
  const headers = head.record.map((h) => {
    const s = squash(h);
    return Object.entries(columns).find(([name, aliases]) => squash(name) === s || aliases.some((a) => squash(a) === s))?.[0] ?? h.trim();
  });
  const missing = required.filter((anyOf) => !anyOf.some((c) => headers.includes(c)));
  if (missing.length) {
    const names = missing.map((m) => m.join(' or '));
    throw problem('csv.columns-missing', { columns: names.join('; '), found: head.record.join(', ') }, { errors: names.map((n) => ({ field: 'csv.header', message: `missing ${n}` })) });
  }
  if (body.length === 0) throw problem('csv.no-rows', {}, { errors: [{ field: 'csv', message: 'no rows' }] });
  const rows = body.map(({ record, info }) => {
    const values: Record<string, string> = {};
    headers.forEach((h, i) => { values[h] = record[i] ?? ''; });
    // info.lines is where the record ends; a quoted field spanning lines moves its start up.
    const spanned = record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
    return { line: info.lines - spanned, values };
  });
  return { rows, headers };
}
