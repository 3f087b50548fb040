import { stringify, type Input, type Options } from 'csv-stringify/sync';

/**
 * A cell a spreadsheet would run as a formula (OWASP CSV injection): text starting with = + - @,
 * a tab or a carriage return. Such a cell gets a leading apostrophe, which spreadsheets show as
 * text; numbers are written as numbers and need none.
 */
export function neutralizeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** CSV text for every export: csv-stringify with each text cell neutralized. All CSV writers use this. */
export function csvText(input: Input, options: Options = {}): string {
  return stringify(input, { ...options, cast: { ...options.cast, string: (value, context) => neutralizeCell(options.cast?.string ? String(options.cast.string(value, context)) : value) } });
}
