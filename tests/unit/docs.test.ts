import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README is a newcomer's page that leads to docs/; the links between them must lead somewhere.
 * Anchors are checked with GitHub's rule for heading ids (github-slugger): lower case, punctuation
 * dropped, spaces to hyphens, a repeated heading numbered -1, -2 ….
 */
const ROOT = path.resolve(import.meta.dirname, '../..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return markdownFiles(file);
    return name.endsWith('.md') ? [file] : [];
  });
}

/** The text outside fenced code blocks and inline code, line by line. */
function proseLines(text: string): string[] {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line.replace(/`[^`]*`/g, '');
  });
}

export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  const seen = new Map<string, number>();
  const ids = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  return ids;
}

function relativeLinks(file: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  // The whole text at once: a link's words may wrap onto the next line.
  const prose = proseLines(readFileSync(file, 'utf8')).join('\n');
  for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    out.push({ line: prose.slice(0, m.index).split('\n').length, target });
  }
  return out;
}

const files = [path.join(ROOT, 'README.md'), ...markdownFiles(path.join(ROOT, 'docs'))];

describe('the README and docs/', () => {
  it('keeps the README a newcomer\'s page of at most 200 lines', () => {
    const lines = readFileSync(path.join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(200);
  });

  it('links from the README to each role\'s guide, the API, operations, performance and development', () => {
    const targets = relativeLinks(path.join(ROOT, 'README.md')).map((l) => l.target.split('#')[0]);
    for (const doc of ['docs/guide/public.md', 'docs/guide/planner.md', 'docs/guide/worker.md', 'docs/guide/commander.md',
      'docs/guide/admin.md', 'docs/api.md', 'docs/operations.md', 'docs/performance.md', 'docs/development.md']) {
      expect(targets).toContain(doc);
    }
  });

  it.each(files.map((f) => [path.relative(ROOT, f), f]))('%s: every relative link and picture leads to a file and heading', (_name, file) => {
    const broken: string[] = [];
    for (const { line, target } of relativeLinks(file)) {
      const [filePart, anchor] = target.split('#') as [string, string | undefined];
      const resolved = filePart === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(filePart));
      if (!resolved.startsWith(ROOT) || !existsSync(resolved)) {
        broken.push(`line ${line}: ${target} (no such file)`);
        continue;
      }
      if (anchor && resolved.endsWith('.md') && !anchors(resolved).has(decodeURIComponent(anchor).toLowerCase())) {
        broken.push(`line ${line}: ${target} (no such heading in ${path.relative(ROOT, resolved)})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('makes heading anchors the way GitHub does', () => {
    expect(slug('Balanced division (任务相当)')).toBe('balanced-division-任务相当');
    expect(slug('Coverage: overlaps, gaps, strays')).toBe('coverage-overlaps-gaps-strays');
    expect(slug('Use Wangge from QGIS, ArcGIS, GDAL and Open311 clients')).toBe('use-wangge-from-qgis-arcgis-gdal-and-open311-clients');
  });
});
