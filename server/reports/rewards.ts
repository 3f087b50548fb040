import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Db, Queryable } from '../db/db.ts';
import { audit } from '../audit.ts';
import { scopeOf } from '../auth/actor.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams } from '../schemas.ts';
import { maskPhone, normalizePhone } from '../people/phone.ts';
import { inScopeSql } from './model.ts';
import {
  claimBodySchema, payoutBodySchema, ratingBodySchema, ratingSchema, rewardSchema, rewardsLedgerSchema,
  type ClaimBody, type PayMethod, type PayoutBody, type RatingBody, type Reward, type RewardsLedger, type Tracked,
} from '../../core/contracts/reports.ts';

/**
 * 有奖举报, from verified report to money paid, and the reporter's rating of a closed report.
 *
 * The reporter is anonymous to the system: what proves a claim is the claim code shown once with
 * the tracking code at filing. It is an HMAC of the tracking code under a secret kept in the
 * settings, so nothing needs storing per report, a replayed filing (Idempotency-Key) shows the same
 * code, and staff who can read the tracking code in the inbox still cannot derive it.
 */

const TRACK_CODE = '^[Ww][Gg]-[0-9A-Za-z]{5}-[0-9A-Za-z]{5}$';
// Crockford's base32 without I, L, O, U, as tracking codes: read out over the phone.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const secrets = new WeakMap<Queryable, Promise<Buffer>>();

/** The deployment's claim secret: made once (the first process to ask wins), then read. */
function claimSecret(db: Queryable): Promise<Buffer> {
  let s = secrets.get(db);
  if (!s) {
    s = (async () => {
      await db.query(`INSERT INTO settings (key, value) VALUES ('reports.claim-secret', to_jsonb($1::text)) ON CONFLICT (key) DO NOTHING`,
        [randomBytes(32).toString('hex')]);
      const { rows } = await db.query<{ value: string }>("SELECT value FROM settings WHERE key = 'reports.claim-secret'");
      return Buffer.from(rows[0]!.value, 'hex');
    })();
    s.catch(() => secrets.delete(db));
    secrets.set(db, s);
  }
  return s;
}

/** "K7QM-2XHD": 40 bits of the HMAC of the tracking code. */
export async function claimCodeOf(db: Queryable, trackingCode: string): Promise<string> {
  const mac = createHmac('sha256', await claimSecret(db)).update(trackingCode.toUpperCase()).digest();
  let bits = 0n;
  for (const b of mac.subarray(0, 5)) bits = (bits << 8n) | BigInt(b);
  const chars = Array.from({ length: 8 }, (_, i) => ALPHABET[Number((bits >> BigInt(35 - 5 * i)) & 31n)]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

async function claimCodeMatches(db: Queryable, trackingCode: string, given: string): Promise<boolean> {
  const want = Buffer.from((await claimCodeOf(db, trackingCode)).replace('-', ''));
  // Read over the phone: O for 0 and I/L for 1 are the same, as Crockford's base32 has it.
  const got = Buffer.from(given.toUpperCase().replace('-', '').replace(/O/g, '0').replace(/[IL]/g, '1'));
  return got.length === want.length && timingSafeEqual(got, want);
}

/** An account's person has this phone: staff, whose duty reporting is. */
async function staffWithPhone(q: Queryable, phone: string): Promise<string | null> {
  const { rows } = await q.query<{ username: string }>(
    'SELECT u.username FROM users u JOIN people p ON p.id = u.person_id WHERE p.phone = $1 ORDER BY u.id LIMIT 1', [phone]);
  return rows[0]?.username ?? null;
}

interface RewardRow {
  id: number; report_id: number; tracking_code: string; category: string; severity: Reward['severity']; amount: number; created_at: Date;
  claimed_at: Date | null; paid_at: Date | null; reporter_name: string | null; reporter_contact: string | null;
  payee_name: string | null; payee_phone: string | null; paid_amount: number | null; paid_on: string | null; paid_method: PayMethod | null;
  paid_by_name: string | null; paid_note: string | null;
}

const REWARD_SELECT = `SELECT w.id, w.report_id, r.tracking_code, r.category, r.severity, w.amount, w.created_at, w.claimed_at, w.paid_at,
    r.reporter_name, r.reporter_contact, w.payee_name, w.payee_phone, w.paid_amount, to_char(w.paid_on, 'YYYY-MM-DD') AS paid_on,
    w.paid_method, u.display_name AS paid_by_name, w.paid_note
  FROM report_rewards w JOIN reports r ON r.id = w.report_id LEFT JOIN users u ON u.id = w.paid_by`;

const toItem = (w: RewardRow): Reward => ({
  id: w.id, reportId: w.report_id, trackingCode: w.tracking_code, category: w.category, severity: w.severity, amount: w.amount,
  createdAt: w.created_at.toISOString(),
  status: w.paid_at ? 'paid' : w.claimed_at ? 'claimed' : 'owed',
  claimedAt: w.claimed_at?.toISOString() ?? null, paidAt: w.paid_at?.toISOString() ?? null,
  // Supervisors only (the routes' permission): they may see confidential reporters and payees, to pay them.
  reporter: { name: w.reporter_name, contact: w.reporter_contact },
  payee: w.claimed_at ? { name: w.payee_name, phone: w.payee_phone } : null,
  payout: w.paid_at ? { amount: w.paid_amount!, on: w.paid_on!, method: w.paid_method!, by: w.paid_by_name, note: w.paid_note } : null,
});

/** Where the tracking page stands on a report's reward and rating (public: no names, the payee's phone masked). */
export async function trackExtras(db: Db, reportId: number): Promise<Pick<Tracked, 'rewardStatus' | 'rewardPayee' | 'rating'>> {
  const { rows } = await db.query<{ claimed_at: Date | null; paid_at: Date | null; payee_phone: string | null; score: number | null; comment: string | null; rated_at: Date | null }>(
    `SELECT w.claimed_at, w.paid_at, w.payee_phone, g.score, g.comment, g.at AS rated_at
     FROM (SELECT $1::int AS id) x LEFT JOIN report_rewards w ON w.report_id = x.id LEFT JOIN report_ratings g ON g.report_id = x.id`, [reportId]);
  const r = rows[0]!;
  return {
    rewardStatus: r.paid_at ? 'paid' : r.claimed_at ? 'claimed' : null,
    rewardPayee: r.payee_phone ? maskPhone(r.payee_phone) : null,
    rating: r.score === null ? null : { score: r.score, comment: r.comment, at: r.rated_at!.toISOString() },
  };
}

export default async function rewardRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  // The public's routes share the intake's limit per address: claim codes are not to be guessed.
  const publicLimit = { max: config.security.reportsPerMinute, timeWindow: '1 minute', keyGenerator: (request: FastifyRequest) => `ip:${request.ip}` };
  const trackParams = { type: 'object', properties: { code: { type: 'string', pattern: TRACK_CODE } }, required: ['code'] } as const;

  async function reportByCode(code: string) {
    const { rows } = await db.query<{ id: number; state: string; reward_id: number | null; claimed_at: Date | null }>(
      `SELECT r.id, r.state, w.id AS reward_id, w.claimed_at FROM reports r LEFT JOIN report_rewards w ON w.report_id = r.id WHERE r.tracking_code = $1`, [code]);
    if (!rows[0]) throw problem('reports.not-found', { id: code });
    return rows[0];
  }

  app.post<{ Params: { code: string }; Body: ClaimBody }>('/api/reports/track/:code/claim', {
    config: { access: 'public', csrf: false, rateLimit: publicLimit },
    schema: {
      tags: ['reports'],
      summary: 'Claim the reward of a verified report (有奖举报) with the claim code given at filing, naming who is to be paid',
      params: trackParams,
      body: claimBodySchema,
      response: { 200: { type: 'object', properties: { status: { type: 'string' }, amount: { type: 'integer' } } }, '4xx': problemSchema },
    },
  }, async (request) => {
    const code = request.params.code.toUpperCase();
    const r = await reportByCode(code);
    if (!(await claimCodeMatches(db, code, request.body.claimCode))) throw problem('rewards.wrong-claim-code', { code }, { errors: [{ field: 'claimCode', message: 'does not match' }] });
    if (r.reward_id === null) throw problem('rewards.none', { code });
    if (r.claimed_at) throw problem('rewards.already-claimed', { code });
    const phone = normalizePhone(request.body.phone);
    if (!phone) throw problem('people.phone-invalid', { phone: request.body.phone.slice(0, 40) }, { errors: [{ field: 'phone', message: 'not a phone number' }] });
    if (await staffWithPhone(db, phone)) throw problem('rewards.payee-is-staff', { phone: maskPhone(phone) }, { errors: [{ field: 'phone', message: 'a staff account' }] });
    const { rows } = await db.query<{ amount: number }>(
      `UPDATE report_rewards SET claimed_at = $2, payee_name = $3, payee_phone = $4 WHERE id = $1 AND claimed_at IS NULL RETURNING amount`,
      [r.reward_id, now(), request.body.name.trim(), phone]);
    if (!rows[0]) throw problem('rewards.already-claimed', { code });
    return { status: 'claimed', amount: rows[0].amount };
  });

  app.post<{ Params: { code: string }; Body: RatingBody }>('/api/reports/track/:code/rating', {
    config: { access: 'public', csrf: false, rateLimit: publicLimit },
    schema: {
      tags: ['reports'],
      summary: 'Rate the handling of a closed report (1–5, a comment), once, from its tracking page',
      params: trackParams,
      body: ratingBodySchema,
      response: { 201: ratingSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const code = request.params.code.toUpperCase();
    const r = await reportByCode(code);
    if (r.state !== 'closed') throw problem('ratings.not-closed', { code });
    const at = now();
    const comment = request.body.comment?.trim() || null;
    const { rows } = await db.query<{ score: number }>(
      'INSERT INTO report_ratings (report_id, score, comment, at) VALUES ($1, $2, $3, $4) ON CONFLICT (report_id) DO NOTHING RETURNING score',
      [r.id, request.body.score, comment, at]);
    if (!rows[0]) throw problem('ratings.already-rated', { code });
    return reply.code(201).send({ score: request.body.score, comment, at: at.toISOString() });
  });

  app.get<{ Reply: RewardsLedger }>('/api/rewards', {
    config: { access: 'reports.supervise' },
    schema: {
      tags: ['reports'],
      summary: 'The rewards ledger (有奖举报): verified public reports in my cells, what each earned, and whether it is owed, claimed or paid',
      response: { 200: rewardsLedgerSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const { rows } = await db.query<RewardRow>(`${REWARD_SELECT} WHERE ${inScopeSql('$1')} ORDER BY w.created_at DESC, w.id DESC`, [scopeOf(actor)]);
    const items = rows.map(toItem);
    const sum = (status: string) => items.filter((w) => w.status === status).reduce((s, w) => s + (w.payout?.amount ?? w.amount), 0);
    return { total: items.reduce((s, w) => s + w.amount, 0), owed: sum('owed'), claimed: sum('claimed'), paid: sum('paid'), items };
  });

  app.post<{ Params: { id: number }; Body: PayoutBody }>('/api/rewards/:id/payout', {
    config: { access: 'reports.supervise' },
    schema: {
      tags: ['reports'],
      summary: 'Record the payout of a claimed reward: amount, date, method; never to anyone who handled the report',
      params: idParams,
      body: payoutBodySchema,
      response: { 200: rewardSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const id = request.params.id;
    return db.transaction(async (tx) => {
      const { rows } = await tx.query<RewardRow & { rid: number }>(
        `${REWARD_SELECT} WHERE w.id = $1 AND ${inScopeSql('$2')} FOR UPDATE OF w`, [id, scopeOf(actor)]);
      const w = rows[0];
      // Outside the supervisor's cells a reward is not admitted to exist.
      if (!w) throw problem('rewards.not-found', { id });
      if (w.paid_at) throw problem('rewards.already-paid', { id, on: w.paid_on ?? '' });
      if (!w.claimed_at) throw problem('rewards.not-claimed', { id });
      // Nobody who handled the report, nor any staff (reporting is their duty), receives its reward.
      const { rows: handled } = await tx.query<{ username: string }>(
        `SELECT u.username FROM report_events e JOIN users u ON u.id = e.user_id JOIN people p ON p.id = u.person_id
         WHERE e.report_id = $1 AND p.phone = $2 LIMIT 1`, [w.report_id, w.payee_phone]);
      if (handled[0]) throw problem('rewards.payee-handled', { id, code: w.tracking_code, username: handled[0].username });
      const staff = await staffWithPhone(tx, w.payee_phone!);
      if (staff) throw problem('rewards.payee-is-staff', { phone: maskPhone(w.payee_phone!) });
      const b = request.body;
      await tx.query(
        `UPDATE report_rewards SET paid_at = $2, paid_amount = $3, paid_on = $4::date, paid_method = $5, paid_by = $6, paid_note = $7 WHERE id = $1`,
        [id, now(), b.amount, b.paidOn, b.method, actor.id, b.note?.trim() || null]);
      await audit(tx, request, 'reward.pay', `report:${w.report_id}`, { reward: id, amount: b.amount, method: b.method });
      const { rows: after } = await tx.query<RewardRow>(`${REWARD_SELECT} WHERE w.id = $1`, [id]);
      return toItem(after[0]!);
    });
  });
}
