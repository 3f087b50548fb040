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

/**
 * Not converted yet (issue #22, item 5): still a hand-written fetch effect. This list only shrinks:
 * an entry that no longer matches fails the test, so a converted file must leave it.
 */
const NOT_YET_CONVERTED: { file: string; call: string }[] = [
  { file: 'admin/AdminPanel.tsx', call: 'fetchCells' },
  { file: 'admin/BasemapSettings.tsx', call: 'api' },
  { file: 'coverage/CoveragePanel.tsx', call: 'fetchCell' },
  { file: 'patrols/PatrolOverview.tsx', call: 'patrolApi.farCheckIns' },
  { file: 'patrols/PatrolOverview.tsx', call: 'patrolApi.coverage' },
  { file: 'patrols/PatrolOverview.tsx', call: 'patrolApi.coverageMap' },
  { file: 'patrols/WorkerPatrol.tsx', call: 'patrolApi.coverage' },
  { file: 'patrols/WorkerPatrol.tsx', call: 'patrolApi.openPatrols' },
  { file: 'patrols/WorkerPatrol.tsx', call: 'patrolApi.categories' },
  { file: 'patrols/WorkerPatrol.tsx', call: 'patrolApi.inspection' },
  { file: 'people/PersonSearch.tsx', call: 'api' },
  { file: 'plan/DividePanel.tsx', call: 'api' },
  { file: 'plan/DividePanel.tsx', call: 'fetchCells' },
  { file: 'plan/HistoryPanel.tsx', call: 'api' },
  { file: 'search/SearchBox.tsx', call: 'searchApi.search' },
];

function tsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tsxFiles(path);
    return e.name.endsWith('.tsx') ? [path] : [];
  });
}

const found = tsxFiles(CLIENT).flatMap((path) => {
  const file = relative(CLIENT, path).split('\\').join('/');
  return fetchesInEffects(readFileSync(path, 'utf8')).map((f) => ({ file, ...f }));
});
const listed = (list: { file: string; call: string }[], f: { file: string; call: string }) => list.some((a) => a.file === f.file && a.call === f.call);

describe('no data fetching in effects (client/**/*.tsx)', () => {
  it('reads the API through queries (useQuery), not in a useEffect', () => {
    const offending = found.filter((f) => !listed(ALLOWED, f) && !listed(NOT_YET_CONVERTED, f)).map((f) => `${f.file}:${f.line} ${f.call}(`);
    expect(offending).toEqual([]);
  });

  it('keeps the allow-list and the to-do list exact: every entry still matches an effect', () => {
    const stale = [...ALLOWED, ...NOT_YET_CONVERTED].filter((a) => !found.some((f) => f.file === a.file && f.call === a.call));
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
