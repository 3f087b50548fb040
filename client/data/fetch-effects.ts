/**
 * Finds data fetching inside React effects in a source file: the calls in a `useEffect(…)` that read
 * the API by hand — `api(`, `fetch(`, a `fetchX(` helper, or a domain API object's method
 * (`reportsApi.list(`) — which belong in a query (useQuery) instead. Used by no-fetch-effects.test.ts.
 */

export interface FetchInEffect {
  /** 1-based line of the call. */
  line: number;
  /** The called name: `api`, `fetch`, `fetchCells`, `reportsApi.list`… */
  call: string;
}

const CALL = /(?<![\w.$])(api|fetch|fetch[A-Z]\w*|\w+Api\.\w+)\s*(?:<[^<>()]*(?:<[^<>()]*>[^<>()]*)*>)?\s*\(/g;

/** The source with comments and the contents of string literals blanked (same length, same lines). */
export function blankCommentsAndStrings(source: string): string {
  let out = '';
  let i = 0;
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end < 0 ? source.length : end;
      out += blank(source.slice(i, stop));
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += blank(source.slice(i, stop));
      i = stop;
    } else if (c === '`') {
      // A template's text is blanked; its ${…} expressions (which may hold a call) are kept.
      out += c;
      let j = i + 1;
      while (j < source.length && source[j] !== '`') {
        if (source[j] === '\\') {
          out += '  ';
          j += 2;
        } else if (source[j] === '$' && source[j + 1] === '{') {
          let depth = 1;
          let k = j + 2;
          while (k < source.length && depth > 0) {
            if (source[k] === '{') depth++;
            else if (source[k] === '}') depth--;
            k++;
          }
          out += blankCommentsAndStrings(source.slice(j, k));
          j = k;
        } else {
          out += source[j] === '\n' ? '\n' : ' ';
          j++;
        }
      }
      out += source[j] ?? '';
      i = j + 1;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== c && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
      out += c + blank(source.slice(i + 1, j)) + (source[j] ?? '');
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Every fetching call inside the body of a `useEffect(` in `source`. */
export function fetchesInEffects(source: string): FetchInEffect[] {
  const code = blankCommentsAndStrings(source);
  const found: FetchInEffect[] = [];
  for (const start of code.matchAll(/\buseEffect\s*\(/g)) {
    let depth = 1;
    let i = start.index + start[0].length;
    while (i < code.length && depth > 0) {
      if (code[i] === '(') depth++;
      else if (code[i] === ')') depth--;
      i++;
    }
    const bodyStart = start.index + start[0].length;
    const body = code.slice(bodyStart, i - 1);
    for (const m of body.matchAll(CALL)) {
      const at = bodyStart + m.index;
      found.push({ line: code.slice(0, at).split('\n').length, call: m[1]! });
    }
  }
  return found;
}
