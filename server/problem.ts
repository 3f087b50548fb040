import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { fillTemplate, problemCatalog, problemType, type ProblemCode, type ProblemParam, type ProblemParams } from '../core/problems/index.ts';
import type { Placeholders } from '../core/problems/define.ts';

/**
 * An RFC 9457 problem: thrown anywhere in a handler, answered as application/problem+json. Made by
 * `problem(code, params)`, it carries a stable code and parameters the client translates; `detail`
 * is the catalog's English text.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly extra: Record<string, unknown>,
    readonly code: ProblemCode,
    readonly params: Record<string, ProblemParam> = {},
  ) {
    super(detail ?? title);
  }
}

type Extra = Record<string, unknown>;
type ProblemArgs<C extends ProblemCode> = [Placeholders<(typeof problemCatalog)[C]['en']>] extends [never]
  ? [params?: Record<string, ProblemParam>, extra?: Extra]
  : [params: ProblemParams<C>, extra?: Extra];

/** The problem of a catalog code: its status, the English text as detail, the code and parameters for the client. */
export function problem<C extends ProblemCode>(code: C, ...[params, extra]: ProblemArgs<C>): Problem {
  return problemOf(code, (params ?? {}) as Record<string, ProblemParam>, extra);
}

/** The same for a code chosen at run time (e.g. from a mapping): its parameters are the caller's to match. */
export function problemOf(code: ProblemCode, params: Record<string, ProblemParam>, extra?: Extra): Problem {
  const def = problemCatalog[code];
  return new Problem(def.status, STATUS_CODES[def.status] ?? 'Error', fillTemplate(def.en, params, 'en'), extra ?? {}, code, params);
}


export function sendProblem(reply: FastifyReply, p: Problem) {
  return reply
    .code(p.status)
    .type('application/problem+json')
    .send({ type: problemType(p.code), code: p.code, params: p.params, title: p.title, status: p.status, detail: p.detail, instance: reply.request.url, ...p.extra });
}

/** A validator's parameters as plain values a message can show (lists joined). */
function schemaParams(params: Record<string, unknown>): Record<string, ProblemParam> {
  const out: Record<string, ProblemParam> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (Array.isArray(v)) out[k] = v.map(String).join(', ');
    else if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v as ProblemParam;
  }
  return out;
}

const SCHEMA_KEYWORDS = new Set(Object.keys(problemCatalog).filter((c) => c.startsWith('schema.')).map((c) => c.slice(7)));

/** JSON-schema paths like "/body/properties/name" read better as "body.properties.name". */
function fieldOf(instancePath: string, context?: string) {
  const parts = instancePath.split('/').filter(Boolean);
  return [context, ...parts].filter(Boolean).join('.');
}

/** Errors node-postgres raises when its server is away (refused, reset, shut down, connection lost). */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);
const UNREACHABLE_MESSAGE = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect/;

/** Whether err (or what it wraps) says the database cannot be reached: a 503 the client may retry, not a 500. */
export function isDatabaseUnreachable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && UNREACHABLE_MESSAGE.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnreachable(x, depth + 1))) return true;
  return isDatabaseUnreachable(e.cause, depth + 1);
}

/** Seconds a client should wait before retrying while the database is unreachable. */
export const DB_RETRY_AFTER_SECONDS = 5;

/**
 * One error handler for the whole API: validation failures name each invalid field, database
 * constraint violations become 409/422, an unreachable database 503 with Retry-After, and nothing
 * internal (stack, SQL) ever reaches a client.
 */
/** How much of a refused, too-large body is read and dropped so that the client sees the 413. */
const DISCARD_BYTES = 64 * 1024 * 1024;
const DISCARD_MS = 10_000;

/**
 * Reads and drops the rest of a request body, up to a bound. A server that answers before the body
 * is read and closes the socket makes the kernel reset it, and a client still sending then sees the
 * reset, never the answer. Past the bound (a client sending without end) the reset is fair.
 */
function discardBody(raw: IncomingMessage): Promise<void> {
  if (raw.complete || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', done);
      raw.off('error', done);
      raw.off('close', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DISCARD_BYTES) done();
    };
    const timer = setTimeout(done, DISCARD_MS);
    raw.on('data', onData);
    raw.once('end', done);
    raw.once('error', done);
    raw.once('close', done);
    raw.resume();
  });
}

export function installProblemHandlers(app: FastifyInstance) {
  app.setErrorHandler(async (err: FastifyError & { code?: string; constraint?: string }, request, reply) => {
    if (err instanceof Problem) return sendProblem(reply, err);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      await discardBody(request.raw);
      return sendProblem(reply, problem('http.body-too-large', { limitBytes: request.routeOptions.bodyLimit ?? 0 }));
    }
    if (err.validation) {
      const errors = err.validation.map((v) => {
        const missing = (v.params as { missingProperty?: string }).missingProperty;
        const field = fieldOf(v.instancePath + (missing ? `/${missing}` : ''), err.validationContext);
        const keyword = SCHEMA_KEYWORDS.has(v.keyword) ? v.keyword : 'other';
        return { field, message: v.message ?? 'is invalid', code: `schema.${keyword}`, params: schemaParams(v.params as Record<string, unknown>) };
      });
      const summary = errors.map((e) => `${e.field} ${e.message}`).join('; ');
      return sendProblem(reply, problem('request.invalid', { count: errors.length, summary }, { errors }));
    }
    if (isDatabaseUnreachable(err)) {
      request.log.warn({ err }, 'database unreachable');
      reply.header('retry-after', String(DB_RETRY_AFTER_SECONDS));
      return sendProblem(reply, problem('http.db-unavailable'));
    }
    if (err.code === '23505') return sendProblem(reply, problem('http.conflict-unique', {}, { constraint: err.constraint }));
    if (err.code === '23503') return sendProblem(reply, problem('http.conflict-reference', {}, { constraint: err.constraint }));
    if (err.code === '23514') return sendProblem(reply, problem('http.constraint', {}, { constraint: err.constraint }));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendProblem(reply, problem('http.unsupported-media-type', { contentType: String(request.headers['content-type'] ?? '') }));
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      request.log.error({ err }, 'unhandled error');
      return sendProblem(reply, problem('http.internal'));
    }
    // Fastify's own 4xx (a malformed JSON body, a bad header): its message is plain and safe.
    const p = problem('http.bad-request', { reason: err.message });
    return sendProblem(reply, new Problem(status, STATUS_CODES[status] ?? 'Bad Request', p.detail, {}, p.code, p.params));
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, problem('http.not-found', { method: request.method, path: request.url.split('?')[0]! })));
}

/** The JSON schema of a problem response, for route declarations. */
export const problemSchema = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
  },
  additionalProperties: true,
} as const;
