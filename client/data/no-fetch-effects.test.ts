import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchesInEffects } from './fetch-effects.ts';

const CLIENT = join(import.meta.dirname, '..');

/**
 * Effects that may read the API by hand: what they read is not data to cache. Keep this short; each
 * entry says why. `file` is relative to client/, `call` the name the scanner reports.
 */
const ALLOWED: { file: string; call: string; why: string }[] = [
  { file: 'session/session.tsx', call: 'api', why: 'the session bootstrap: it sets the CSRF token and the user every query depends on (the cache is reset on sign-in and sign-out)' },
];

/** The client's components and hooks (.tsx and .ts), tests left out. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

const found = sourceFiles(CLIENT).flatMap((path) => {
  const file = relative(CLIENT, path).split('\\').join('/');
  return fetchesInEffects(readFileSync(path, 'utf8')).map((f) => ({ file, ...f }));
});
const listed = (list: { file: string; call: string }[], f: { file: string; call: string }) => list.some((a) => a.file === f.file && a.call === f.call);

describe('no data fetching in effects (client/**/*.{ts,tsx})', () => {
  it('reads the API through queries (useQuery), not in a useEffect', () => {
    const offending = found.filter((f) => !listed(ALLOWED, f)).map((f) => `${f.file}:${f.line} ${f.call}(`);
    expect(offending).toEqual([]);
  });

  it('keeps the allow-list exact: every entry still matches an effect', () => {
    const stale = ALLOWED.filter((a) => !found.some((f) => f.file === a.file && f.call === a.call));
    expect(stale).toEqual([]);
  });
});

describe('the scanner', () => {
  it('finds api(, fetch(, a fetchX( helper and a domain API method in an effect body', () => {
    const source = [
      'useEffect(() => {',
      '  api<Card>(`/api/cells/${id}/card`, { signal }).then(setCard);',
      '  fetch("/x");',
      '  fetchCells({ level: 1 });',
      '  reportsApi.list(f, signal);',
      '}, [id]);',
    ].join('\n');
    expect(fetchesInEffects(source)).toEqual([
      { line: 2, call: 'api' }, { line: 3, call: 'fetch' }, { line: 4, call: 'fetchCells' }, { line: 5, call: 'reportsApi.list' },
    ]);
  });

  it('ignores calls outside effects, in comments and in strings, and ends the effect at its closing parenthesis', () => {
    const source = [
      'const load = () => api("/api/x");',
      'useEffect(() => {',
      '  // api(x) is how it was done',
      "  setText('fetchCells( in a string');",
      '  const s = `${name} ) api( ${other({ a: 1 })}`;',
      '}, [name]);',
      'async function save() { await api("/api/y", { method: "PUT" }); }',
    ].join('\n');
    expect(fetchesInEffects(source)).toEqual([]);
  });

  it('sees a call inside a template expression', () => {
    expect(fetchesInEffects('useEffect(() => { log(`${fetchCell(1)}`); }, []);')).toEqual([{ line: 1, call: 'fetchCell' }]);
  });
});
