import type { FastifyInstance, FastifyRequest } from 'fastify';
import { problem } from './problem.ts';

/** How deep a JSON body may nest (GeoJSON needs 5; unit attributes a few more). */
export const MAX_JSON_DEPTH = 64;

/** The depth of a JSON text's arrays and objects, counted without parsing; stops past `limit`. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/**
 * What PostgreSQL cannot store in text: NUL, and UTF-16 surrogates without their pair. A request
 * holding it is refused here; an uploaded file's attributes lose it (server/exchange/import/read.ts).
 */
// eslint-disable-next-line no-control-regex
export const UNSTORABLE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const badText = (s: string) => UNSTORABLE_TEXT.test(s);
const badNumber = (n: number) => !Number.isFinite(n) || Object.is(n, -0) || Math.abs(n) > Number.MAX_SAFE_INTEGER;

/**
 * The first value in `value` (query, params or body, walked without recursion) that is text with a
 * NUL or a lone surrogate (PostgreSQL refuses both) or, with `numbers`, a number that is not finite,
 * is -0, or is beyond ±2^53 (JavaScript and PostgreSQL disagree past it).
 */
function findBad(value: unknown, root: string, numbers: boolean): { field: string; kind: 'text' | 'number' } | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length) {
    const [v, field] = stack.pop()!;
    if (typeof v === 'string') {
      if (badText(v)) return { field, kind: 'text' };
    } else if (typeof v === 'number') {
      if (numbers && badNumber(v)) return { field, kind: 'number' };
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push([x, `${field}.${i}`]));
    } else if (v && typeof v === 'object' && !ArrayBuffer.isView(v) && typeof (v as { pipe?: unknown }).pipe !== 'function') {
      // Plain objects, and the querystring parser's (whose prototype is an empty class's); not buffers or streams.
      for (const [k, x] of Object.entries(v)) {
        if (badText(k)) return { field: `${field}.${JSON.stringify(k).slice(1, 40)}`, kind: 'text' };
        stack.push([x, `${field}.${k}`]);
      }
    }
  }
  return null;
}

function check(request: FastifyRequest, numbers: boolean) {
  const parts: [unknown, string][] = [[request.params, 'params'], [request.query, 'query'], [request.body, 'body'],
    [request.headers['idempotency-key'], 'headers.idempotency-key'], [request.headers['if-match'], 'headers.if-match']];
  for (const [value, root] of parts) {
    const bad = findBad(value, root, numbers);
    if (bad) throw bad.kind === 'text' ? problem('input.text', { field: bad.field }) : problem('input.number', { field: bad.field });
  }
}

/**
 * One guard for every route, so a new route is covered too: bad text is refused before validation,
 * bad numbers after it (the schema's coercion is what turns "1e309" into Infinity), and a JSON body
 * nested deeper than MAX_JSON_DEPTH is refused by the parser before anything walks it recursively.
 * Each is a 400 problem: such values used to reach SQL and fail there as 500s.
 */
export function installInputGuard(app: FastifyInstance) {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && jsonDepthExceeds(body, MAX_JSON_DEPTH)) return done(problem('input.too-deep', { limit: MAX_JSON_DEPTH }), undefined);
    return parseJson(request, body as string, done);
  });
  app.addHook('preValidation', async (request) => check(request, true));
  app.addHook('preHandler', async (request) => check(request, true));
}
