/** The server's local date, YYYY-MM-DD: a planner in Beijing names the file after their day. */
export function localDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * Bidirectional controls (U+202A–U+202E, U+2066–U+2069) and other invisible format characters: in a
 * file name they make "exe.pdf" read as "fdp.exe" and the like.
 */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
export const withoutBidi = (name: string) => name.replace(BIDI, '');

/** "渭滨区-金陵街道-社区-2025-03-01": district, subtree root, level, date; unsafe characters dropped. */
export function exportTitle(parts: (string | null | undefined)[], date: Date): string {
  const seen = new Set<string>();
  const kept = parts.filter((p): p is string => !!p && !seen.has(p) && !!seen.add(p));
  return withoutBidi([...kept, localDate(date)].join('-')).replace(/[\\/:*?"<>|\p{Cc}]/gu, '_');
}

/**
 * RFC 6266: an ASCII file name for old clients and the real one (Chinese) as RFC 5987 UTF-8,
 * which every current browser uses.
 */
export function contentDisposition(raw: string, ext: string): string {
  const title = withoutBidi(raw);
  const ascii = title.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '').replace(/^-+|-+$/g, '') || 'cells';
  return `attachment; filename="${ascii}.${ext}"; filename*=UTF-8''${encodeURIComponent(`${title}.${ext}`)}`;
}
