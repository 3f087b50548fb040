import type { ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { can, scopeOf, type Actor } from '../auth/actor.ts';
import { SESSION_COOKIE } from '../auth/plugin.ts';
import { sha256 } from '../auth/tokens.ts';
import { REPORT_COLUMNS, REPORT_FROM, toPublicSummary, toReport, type ReportRow } from './model.ts';

export type ReportEventType = 'created' | 'changed';

/*
 * Live report events. Every workflow change NOTIFYs from its own transaction (so a rolled-back change
 * is never announced, and a committed one always is), a new report right after its commit (below); each server process LISTENs once and fans the event out
 * to its SSE clients. Several processes behind a load balancer thus all see every change. The
 * channel carries the schema, because NOTIFY is per database and schemas (test runs) share one.
 */
export const CHANNEL_SQL = `'wangge_reports_' || current_schema()`;

export async function notifyReport(q: Queryable, id: number, type: ReportEventType): Promise<void> {
  await q.query(`SELECT pg_notify(${CHANNEL_SQL}, $1)`, [JSON.stringify({ id, type })]);
}

/*
 * New reports are announced after their commit, many to a NOTIFY. A NOTIFY in the filing
 * transaction would serialise every intake on PostgreSQL's one notification lock, held through the
 * commit's flush to disk: with it, ten connections filed fewer reports a second than one did. So
 * intake commits alone, then queues the id here; the queue is sent on the next turn of the event
 * loop as one NOTIFY (500 ids at most) whose transaction skips the flush (synchronous_commit off:
 * nothing of it needs to survive a crash). A report is never announced before it is committed. Were
 * the process to die between the commit and the NOTIFY (a few milliseconds), the live viewers would
 * get that report when their stream next reconnects (Last-Event-ID) or on reload.
 */
const ANNOUNCE_MAX_IDS = 500;
interface Announcing { ids: number[]; log: FastifyBaseLogger }
const announcing = new WeakMap<Queryable, Announcing>();

export function announceCreated(db: Queryable, id: number, log: FastifyBaseLogger): void {
  const queued = announcing.get(db);
  if (queued) {
    queued.ids.push(id);
    return;
  }
  const batch: Announcing = { ids: [id], log };
  announcing.set(db, batch);
  setImmediate(() => {
    announcing.delete(db);
    void (async () => {
      for (let i = 0; i < batch.ids.length; i += ANNOUNCE_MAX_IDS) {
        const ids = batch.ids.slice(i, i + ANNOUNCE_MAX_IDS);
        await db.query(`SELECT set_config('synchronous_commit', 'off', true), pg_notify(${CHANNEL_SQL}, $1)`, [JSON.stringify({ ids, type: 'created' })]);
      }
    })().catch((err: unknown) => batch.log.error({ err, reports: batch.ids }, 'announcing new reports failed'));
  });
}

interface Client {
  actor: Actor | null;
  /** The hash of the session cookie or API token the stream was opened with, checked again while it runs. */
  credential: string | null;
  raw: ServerResponse;
}

/** A reconnecting client is sent up to this many changed reports; past it, it reloads. */
const MAX_RESUME = 500;

/**
 * One SSE event. Its id is the report's newest event (report_events.id): a browser that reconnects
 * sends the last one it saw, and is sent what changed since.
 */
const eventText = (id: string | null, type: ReportEventType, report: unknown) =>
  `event: report\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify({ type, report })}\n\n`;

/** A client this far behind is cut off rather than buffered without end; EventSource reconnects. */
const MAX_BUFFERED = 1024 * 1024;
const HEARTBEAT_MS = 25_000;
/** How often an idle stream checks that its session or token is still valid. */
const SESSION_CHECK_MS = 5_000;

/** GET /api/events: Server-Sent Events of report changes, each client seeing what its scope allows. */
export default async function reportEvents(app: FastifyInstance, { db, now }: AppContext) {
  const clients = new Set<Client>();
  let listening: Promise<() => Promise<void>> | null = null;
  // The newest report event announced (report_events.id): after a lost subscription, every event
  // since is announced again, so clients miss nothing that was committed while no one listened.
  let announced = 0;
  const newestEvent = async () => Number((await db.query<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM report_events')).rows[0]!.id);

  function send(c: Client, text: string) {
    if (c.raw.writableLength > MAX_BUFFERED) {
      clients.delete(c);
      c.raw.end();
      return;
    }
    c.raw.write(text);
  }

  /**
   * Ends the streams whose session was signed out or expired, whose token was revoked, or whose
   * account was deactivated: they carried full reports. The browser's EventSource reconnects and,
   * without a session, gets the public summaries only.
   */
  async function revalidate() {
    const signedIn = [...clients].filter((c) => c.credential !== null);
    if (signedIn.length === 0) return;
    const hashes = [...new Set(signedIn.map((c) => c.credential!))];
    const { rows } = await db.query<{ hash: string }>(
      `SELECT s.token_hash AS hash FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ANY($1::text[]) AND s.expires_at > $2 AND u.active
       UNION ALL
       SELECT t.token_hash FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ANY($1::text[]) AND t.revoked_at IS NULL AND u.active`,
      [hashes, now()]);
    const valid = new Set(rows.map((r) => r.hash));
    for (const c of signedIn) {
      if (valid.has(c.credential!)) continue;
      clients.delete(c);
      c.raw.end('event: signed-out\ndata: {}\n\n');
    }
  }

  /** A NOTIFY: one report ({id, type}) or several filed ones ({ids, type}), fanned out in order. */
  async function onNotify(payload: string) {
    let msg: { id?: number; ids?: number[]; type: ReportEventType };
    try {
      msg = JSON.parse(payload) as typeof msg;
    } catch {
      return;
    }
    for (const id of msg.ids ?? (msg.id === undefined ? [] : [msg.id])) await fanOut({ id, type: msg.type });
  }

  async function fanOut(msg: { id: number; type: ReportEventType }, only?: Client) {
    if (clients.size === 0 && !only) return;
    const { rows } = await db.query<ReportRow & { last_event: string | null }>(
      `SELECT ${REPORT_COLUMNS}, (SELECT max(e.id)::text FROM report_events e WHERE e.report_id = r.id) AS last_event FROM ${REPORT_FROM} WHERE r.id = $1`, [msg.id]);
    const row = rows[0];
    if (!row) return;
    if (!only) {
      announced = Math.max(announced, Number(row.last_event ?? 0));
      await revalidate();
    }
    const t = now();
    // One scope check per distinct scope, not per client.
    const visible = new Map<string, Promise<boolean>>();
    const inScope = (scope: number[]) => {
      const key = scope.join(',');
      let v = visible.get(key);
      if (!v) {
        v = scope.length === 0
          ? Promise.resolve(true)
          : db.query<{ ok: boolean }>('SELECT cell_within($1, $2::int[]) AS ok', [row.cell_id, scope]).then((r) => r.rows[0]?.ok === true);
        visible.set(key, v);
      }
      return v;
    };
    for (const c of only ? [only] : clients) {
      const staff = c.actor && can(c.actor, 'reports.view') && (await inScope(scopeOf(c.actor)));
      const report = staff && c.actor ? toReport(row, c.actor, t) : toPublicSummary(row);
      send(c, eventText(row.last_event, msg.type, report));
    }
  }

  /**
   * A reconnecting browser names the last event it saw (Last-Event-ID, sent by EventSource itself,
   * or ?lastEventId= when it had to open a new stream): the reports changed since are sent to it
   * alone, newest state each. Too many to send, it is told to reload instead.
   */
  async function resume(c: Client, lastId: number) {
    const { rows } = await db.query<{ report_id: number; action: string; id: string }>(
      `SELECT DISTINCT ON (report_id) report_id, action, id::text FROM report_events WHERE id > $1 ORDER BY report_id, id DESC LIMIT ${MAX_RESUME + 1}`, [lastId]);
    if (rows.length > MAX_RESUME) {
      send(c, `event: reset\ndata: {}\n\n`);
      return;
    }
    for (const r of rows.sort((a, b) => Number(a.id) - Number(b.id))) {
      await fanOut({ id: r.report_id, type: r.action === 'create' ? 'created' : 'changed' }, c);
    }
  }

  /** The reports changed since the newest event announced, announced now (a client may see one twice, never none). */
  async function catchUp() {
    const since = announced;
    const { rows } = await db.query<{ report_id: number; action: string; id: string }>(
      `SELECT DISTINCT ON (report_id) report_id, action, id::text FROM report_events WHERE id > $1 ORDER BY report_id, id DESC`, [since]);
    for (const r of rows.sort((a, b) => Number(a.id) - Number(b.id))) {
      await fanOut({ id: r.report_id, type: r.action === 'create' ? 'created' : 'changed' });
      announced = Math.max(announced, Number(r.id));
    }
    app.log.info({ since, reports: rows.length }, 'report events caught up after the subscription was renewed');
  }

  function listen() {
    listening ??= (async () => {
      const { rows } = await db.query<{ channel: string }>(`SELECT ${CHANNEL_SQL} AS channel`);
      const unlisten = await db.listen(rows[0]!.channel, (payload) => {
        onNotify(payload).catch((err: unknown) => app.log.error({ err }, 'report event fan-out failed'));
      }, () => {
        catchUp().catch((err: unknown) => app.log.error({ err }, 'report event catch-up failed'));
      });
      // Read after subscribing, so nothing falls between the two.
      announced = await newestEvent();
      return unlisten;
    })().catch((err: unknown) => {
      listening = null;
      throw err;
    });
    return listening;
  }

  const heartbeat = setInterval(() => {
    for (const c of clients) send(c, ': ping\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const sessionCheck = setInterval(() => {
    revalidate().catch((err: unknown) => app.log.warn({ err }, 'checking the sessions of live event streams failed'));
  }, SESSION_CHECK_MS);
  sessionCheck.unref();

  app.addHook('preClose', async () => {
    clearInterval(heartbeat);
    clearInterval(sessionCheck);
    for (const c of clients) c.raw.end();
    clients.clear();
  });
  app.addHook('onClose', async () => {
    if (listening) await (await listening.catch(() => async () => {}))();
  });

  app.get<{ Querystring: { lastEventId?: string } }>('/api/events', {
    config: { access: 'public' },
    schema: {
      querystring: { type: 'object', properties: { lastEventId: { type: 'string', pattern: '^[0-9]{1,15}$' } }, additionalProperties: false },
      headers: { type: 'object', properties: { 'last-event-id': { type: 'string', maxLength: 20 } } },
      tags: ['reports'],
      summary: 'Live report events (text/event-stream): "event: report" with {type: created|changed, report}; the full report for staff in scope, else the public summary. '
        + 'A stream opened with a session or token ends with "event: signed-out" once that session is signed out or expires, the token is revoked or the account deactivated. '
        + 'Each event has an id; a client reconnecting with Last-Event-ID (or ?lastEventId=) is sent every report changed since, or "event: reset" when there are more than 500 (reload then).',
      produces: ['text/event-stream'],
      response: { 200: { type: 'string' } },
    },
  }, async (request, reply) => {
    // Subscribed before the first byte, so a client that saw the stream open misses nothing after it.
    await listen();
    // With no client, events were not followed: the first one starts from the newest.
    if (clients.size === 0) announced = Math.max(announced, await newestEvent());
    reply.hijack();
    const raw = reply.raw;
    const headers: Record<string, string | number | string[]> = {};
    // Keep the security headers set by the hooks (helmet) on the hijacked response.
    for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = v;
    raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Proxies (nginx) must pass events through at once.
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 3000\n: connected\n\n');
    const auth = request.headers.authorization;
    const secret = request.user ? (auth?.startsWith('Bearer ') ? auth.slice(7).trim() : request.cookies[SESSION_COOKIE]) : undefined;
    const client: Client = { actor: request.user, credential: secret ? sha256(secret) : null, raw };
    clients.add(client);
    request.raw.on('close', () => clients.delete(client));
    const last = request.headers['last-event-id'] ?? request.query.lastEventId;
    if (last !== undefined && /^\d{1,15}$/.test(String(last))) {
      await resume(client, Number(last)).catch((err: unknown) => app.log.warn({ err }, 'resuming a live event stream failed'));
    }
  });
}
