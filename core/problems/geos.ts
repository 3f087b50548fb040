import { fillTemplate, type ProblemParam } from './define.ts';
import { cellProblems } from './cells.ts';

type CellCode = keyof typeof cellProblems;

/**
 * The reasons GEOS gives for an invalid geometry (PostGIS's ST_IsValidDetail and ST_IsValidReason;
 * GEOS's TopologyValidationError), each with its code in core/problems/cells.ts. Matched exactly:
 * the code's English text repeats the reason, so the server's `detail` reads as PostGIS said it.
 */
export const GEOS_REASON_CODES = {
  'Self-intersection': 'cells.geometry-self-intersection',
  'Ring Self-intersection': 'cells.geometry-ring-self-intersection',
  'Hole lies outside shell': 'cells.geometry-hole-outside-shell',
  'Holes are nested': 'cells.geometry-holes-nested',
  'Interior is disconnected': 'cells.geometry-interior-disconnected',
  'Nested shells': 'cells.geometry-nested-shells',
  'Duplicate Rings': 'cells.geometry-duplicate-rings',
  'Too few points in geometry component': 'cells.geometry-too-few-points',
  'Invalid Coordinate': 'cells.geometry-invalid-coordinate',
  'Ring is not closed': 'cells.geometry-open-ring',
} as const satisfies Record<string, CellCode>;

export interface GeometryFault {
  code: CellCode;
  params: Record<string, ProblemParam>;
}

/** A location to 7 decimals (about 1 cm, the stored precision), as "[lon, lat]". */
const position = (at: readonly number[]) => `[${at.map((n) => Math.round(n * 1e7) / 1e7).join(', ')}]`;

/** Where a fault is, in both languages; empty when GEOS gave no location. */
export const atParam = (at: readonly number[] | null | undefined): ProblemParam =>
  at ? { en: ` at ${position(at)}`, zh: `（位置 ${position(at)}）` } : '';

/**
 * The code and parameters of a GEOS reason at a location: its own code when the catalog names
 * it, else the generic 'cells.geometry-invalid' that shows the reason as given. `whose` names the
 * field in a batch (" (cells[1].geometry)"), empty otherwise.
 */
export function geosFault(reason: string | null | undefined, at: readonly number[] | null | undefined, whose = ''): GeometryFault {
  const text = reason ?? 'not valid';
  const code = Object.hasOwn(GEOS_REASON_CODES, text) ? GEOS_REASON_CODES[text as keyof typeof GEOS_REASON_CODES] : null;
  return code
    ? { code, params: { whose, at: atParam(at) } }
    : { code: 'cells.geometry-invalid', params: { whose, reason: text, at: atParam(at) } };
}

/** A fault's English text after "Invalid geometry: ", as PostGIS or the structure check names it. */
export function faultReason(fault: GeometryFault): string {
  return fillTemplate(cellProblems[fault.code].en, { ...fault.params, whose: '' }, 'en').replace(/^Invalid geometry: /, '');
}

/** ST_IsValidReason's text, "Self-intersection[107.015 34.015]", as its reason and location. */
export function parseValidReason(text: string): { reason: string; at: number[] | null } {
  const m = /^(.*?)\s*\[(\S+) (\S+)\]$/.exec(text);
  const at = m ? [Number(m[2]), Number(m[3])] : null;
  return at && at.every(Number.isFinite) ? { reason: m![1]!, at } : { reason: text, at: null };
}
