import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

// 有奖举报 from verification to money paid, and the reporter's rating of a closed report: the claim
// code given at filing proves the claim; a commander records the payout; nobody who handled the
// report, nor any staff, is paid.

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
const h = {} as Record<'commander' | 'commanderEast' | 'workerWest' | 'workerWest2', Headers>;

beforeAll(async () => {
  t = await testApp();
  ids = await twoStreets(t.db);
  await createUser(t.db, 'commander', 'commander');
  await createUser(t.db, 'commanderEast', 'commander', [ids.east]);
  await createUser(t.db, 'workerWest', 'worker', [ids.west]);
  await createUser(t.db, 'workerWest2', 'worker', [ids.west]);
  for (const who of ['commander', 'commanderEast', 'workerWest', 'workerWest2'] as const) h[who] = await signIn(t.app, who);
  // workerWest2 is a person with a phone: the staff phone that must never be paid.
  const { rows } = await t.db.query<{ id: number }>(`INSERT INTO people (name, phone) VALUES ('西街协管员', '13922223333') RETURNING id`);
  await t.db.query(`UPDATE users SET person_id = $1 WHERE username = 'workerWest2'`, [rows[0]!.id]);
});

interface Filed { id: number; trackingCode: string; claimCode: string }
const file = async (headers: Headers = {}): Promise<Filed> => {
  const res = await t.app.inject({
    method: 'POST', url: '/api/reports', headers,
    payload: { location: { type: 'Point', coordinates: [107.02, 34.02] }, category: 'fire', severity: 'ordinary', description: '楼道堆放杂物堵塞消防通道', reporter: { name: '居民', contact: '13700001111' } },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Filed;
};
const act = (id: number, who: Headers, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: `/api/reports/${id}/actions`, headers: who, payload });
const claim = (r: Filed, body: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: `/api/reports/track/${r.trackingCode}/claim`, payload: { claimCode: r.claimCode, name: '李居民', phone: '137-0000-1111', ...body } });
const ledger = () => t.app.inject({ url: '/api/rewards', headers: h.commander }).then((r) => r.json());
const track = (r: Filed) => t.app.inject({ url: `/api/reports/track/${r.trackingCode}` }).then((res) => res.json());
const payout = (rewardId: number, body: Record<string, unknown> = {}, who = h.commander) =>
  t.app.inject({ method: 'POST', url: `/api/rewards/${rewardId}/payout`, headers: who, payload: { amount: 50, paidOn: '2026-12-01', method: 'wechat', ...body } });

describe(`有奖举报: claim with the code from filing, payout by a commander (${TEST_DB})`, () => {
  it('gives a claim code with the tracking code, the same on a replayed filing', async () => {
    const key = { 'idempotency-key': 'claim-code-replay-1' };
    const first = await file(key);
    expect(first.claimCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const again = await file(key);
    expect(again).toMatchObject({ id: first.id, claimCode: first.claimCode });
    expect((await file()).claimCode).not.toBe(first.claimCode);
  });

  it('owed → claimed → paid, with the ledger showing each', async () => {
    const r = await file();
    expect((await act(r.id, h.workerWest, { action: 'verify' })).statusCode).toBe(200);
    expect(await track(r)).toMatchObject({ reward: 50, rewardStatus: null });
    const owed = (await ledger()).items.find((w: { reportId: number }) => w.reportId === r.id);
    expect(owed).toMatchObject({ status: 'owed', amount: 50, payee: null, payout: null });

    // Paying before the reporter claims is refused: the claim names who is paid.
    expect((await payout(owed.id)).json().code).toBe('rewards.not-claimed');
    // A wrong code, a code read out with O for 0, and the right one.
    const wrong = await claim(r, { claimCode: 'AAAA-AAAA' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('rewards.wrong-claim-code');
    const spoken = r.claimCode.replace(/0/g, 'o').toLowerCase();
    const ok = await claim(r, { claimCode: spoken });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ status: 'claimed', amount: 50 });
    expect((await claim(r, {})).json().code).toBe('rewards.already-claimed');
    expect(await track(r)).toMatchObject({ rewardStatus: 'claimed', rewardPayee: '137****1111' });

    const claimed = (await ledger()).items.find((w: { reportId: number }) => w.reportId === r.id);
    expect(claimed).toMatchObject({ status: 'claimed', payee: { name: '李居民', phone: '13700001111' } });
    // A commander of another street does not see it at all; a worker may not pay.
    expect((await payout(owed.id, {}, h.commanderEast)).statusCode).toBe(404);
    expect((await payout(owed.id, {}, h.workerWest)).statusCode).toBe(403);

    const paid = await payout(owed.id, { note: '街道办现场发放' });
    expect(paid.statusCode, paid.body).toBe(200);
    expect(paid.json()).toMatchObject({ status: 'paid', payout: { amount: 50, on: '2026-12-01', method: 'wechat', note: '街道办现场发放' } });
    expect((await payout(owed.id)).json().code).toBe('rewards.already-paid');
    expect(await track(r)).toMatchObject({ rewardStatus: 'paid' });
    const all = await ledger();
    expect(all.paid).toBeGreaterThanOrEqual(50);
    expect(all.owed + all.claimed + all.paid).toBe(all.items.reduce((s: number, w: { amount: number; payout: { amount: number } | null }) => s + (w.payout?.amount ?? w.amount), 0));
    const { rows } = await t.db.query<{ action: string; detail: { reward: number; amount: number } }>(`SELECT action, detail FROM audit_log WHERE target = $1 AND action LIKE 'reward.%'`, [`report:${r.id}`]);
    expect(rows).toEqual([{ action: 'reward.pay', detail: expect.objectContaining({ reward: owed.id, amount: 50 }) }]);
  });

  it('pays no staff: a claim naming a staff phone is refused, and so is a payout to someone who handled the report', async () => {
    const r = await file();
    await act(r.id, h.workerWest, { action: 'verify' });
    const staff = await claim(r, { phone: '+86 139 2222 3333' });
    expect(staff.statusCode).toBe(422);
    expect(staff.json()).toMatchObject({ code: 'rewards.payee-is-staff' });
    expect(staff.json().detail).toContain('139****3333');
    // Claimed with an outside phone that becomes the phone of the worker who verified it.
    expect((await claim(r, { phone: '13655556666' })).statusCode).toBe(200);
    const { rows } = await t.db.query<{ id: number }>(`INSERT INTO people (name, phone) VALUES ('西街网格员', '13655556666') RETURNING id`);
    await t.db.query(`UPDATE users SET person_id = $1 WHERE username = 'workerWest'`, [rows[0]!.id]);
    const w = (await ledger()).items.find((x: { reportId: number }) => x.reportId === r.id);
    const res = await payout(w.id);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'rewards.payee-handled' });
    expect((await ledger()).items.find((x: { reportId: number }) => x.reportId === r.id).status).toBe('claimed');
    await t.db.query(`UPDATE users SET person_id = NULL WHERE username = 'workerWest'`);
  });

  it('a report that earned nothing has nothing to claim, and the code of one report does not claim another', async () => {
    const staffFiled = await file(h.workerWest);
    await act(staffFiled.id, h.workerWest2, { action: 'verify' });
    expect((await claim(staffFiled, {})).json().code).toBe('rewards.none');
    const a = await file();
    const b = await file();
    await act(a.id, h.workerWest, { action: 'verify' });
    await act(b.id, h.workerWest, { action: 'verify' });
    expect((await claim(a, { claimCode: b.claimCode })).statusCode).toBe(403);
  });
});

describe(`the reporter rates a closed report (${TEST_DB})`, () => {
  it('only when closed, once, 1–5; staff see the rating on the report', async () => {
    const r = await file();
    const rate = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: `/api/reports/track/${r.trackingCode}/rating`, payload });
    expect((await rate({ score: 5 })).json().code).toBe('ratings.not-closed');
    await t.db.query(`UPDATE reports SET state = 'closed', closed_at = now() WHERE id = $1`, [r.id]);
    expect((await rate({ score: 6 })).statusCode).toBe(400);
    const res = await rate({ score: 4, comment: '  处理及时，通道已清理  ' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ score: 4, comment: '处理及时，通道已清理' });
    expect((await rate({ score: 1 })).json().code).toBe('ratings.already-rated');
    expect((await track(r)).rating).toMatchObject({ score: 4, comment: '处理及时，通道已清理' });
    const seen = (await t.app.inject({ url: `/api/reports/${r.id}`, headers: h.commander })).json();
    expect(seen.rating).toMatchObject({ score: 4, comment: '处理及时，通道已清理' });
  });
});
