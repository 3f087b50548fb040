import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoAccounts } from '../../server/auth/bootstrap.ts';
import { seedLivingDemo, type LivingDemoSummary } from '../../server/demo/living.ts';
import { computeCoverage } from '../../server/patrols/coverage.ts';
import { gapsOf, maxViolations } from '../../core/people/rules.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { resetDb } from '../helpers/db.ts';
import { seedDemoDistrict } from '../../server/demo/seed.ts';

/** The living demo on the demo district: what a new user sees from the first minute. */
describe('living demo', () => {
  let t: TestApp;
  let summary: LivingDemoSummary;
  const now = new Date('2026-12-04T06:00:00Z');
  const DAY = 86_400_000;
  const options = { now, reports: 1200, days: 182, patrolDays: 35 };

  beforeAll(async () => {
    t = await testApp({ demo: true });
    await seedDemoAccounts(t.db);
    summary = await t.db.transaction((tx) => seedLivingDemo(tx, t.config, options));
  }, 600_000);
  afterAll(async () => {
    await t.app.close();
  });

  it('posts people in every cell by the role rules, shown on the public card, with phones in the fake 100 range', async () => {
    const { rows } = await t.db.query<{ id: number; roles: string[] }>(
      'SELECT c.id, array_agg(a.role) AS roles FROM cells c LEFT JOIN cell_assignments a ON a.cell_id = c.id GROUP BY c.id');
    expect(rows.length).toBe(146);
    for (const c of rows) {
      const list = c.roles.filter(Boolean).map((role) => ({ role }));
      const have: Record<string, number> = {};
      for (const a of list) have[a.role] = (have[a.role] ?? 0) + 1;
      expect(gapsOf(t.config.assignmentRoles, have), `cell ${c.id}`).toEqual([]);
      expect(maxViolations(t.config.assignmentRoles, list), `cell ${c.id}`).toEqual([]);
      for (const r of t.config.assignmentRoles) expect(have[r.code], `${r.code} in cell ${c.id}`).toBeGreaterThan(0);
    }
    const { rows: phones } = await t.db.query<{ bad: number }>("SELECT count(*)::int AS bad FROM people WHERE phone !~ '^100[0-9]{8}$'");
    expect(phones[0]!.bad).toBe(0);
    const card = await t.app.inject({ url: `/api/cells/${rows[0]!.id}/card` });
    expect(card.statusCode).toBe(200);
    expect(JSON.stringify(card.json())).toContain('第一责任人');
  });

  it('files units of the checklist types in every area cell, residential buildings with households', async () => {
    const { rows } = await t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM cells c WHERE NOT EXISTS (SELECT 1 FROM cells k WHERE k.parent_id = c.id) AND NOT EXISTS (SELECT 1 FROM units u WHERE u.cell_id = c.id)');
    expect(rows[0]!.n).toBe(0);
    const { rows: types } = await t.db.query<{ type: string }>('SELECT DISTINCT type FROM units');
    expect(types.map((r) => r.type).sort()).toEqual(expect.arrayContaining(['key_fire_a', 'pollution_source', 'rented_housing', 'small_place']));
    const { rows: homes } = await t.db.query<{ n: number; without: number }>(
      "SELECT count(*)::int AS n, count(*) FILTER (WHERE NOT attributes ? 'households')::int AS without FROM units WHERE attributes->>'kind' = 'residential'");
    expect(homes[0]!.n).toBeGreaterThan(0);
    expect(homes[0]!.without).toBe(0);
    const { rows: marked } = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM units WHERE NOT (attributes->>'demo')::boolean OR created_by <> 'demo'");
    expect(marked[0]!.n).toBe(0);
  });

  it('has six months of reports ending today in every state and category, worked through the loop', async () => {
    const { rows } = await t.db.query<{ state: string; category: string; first: Date; last: Date }>(
      'SELECT state, category, min(created_at) AS first, max(created_at) AS last FROM reports GROUP BY state, category');
    expect(new Set(rows.map((r) => r.state))).toEqual(new Set(['reported', 'verified', 'rejected', 'dispatched', 'rectifying', 'rectified', 'closed']));
    expect(new Set(rows.map((r) => r.category))).toEqual(new Set(t.config.reports.categories.map((c) => c.code)));
    const first = Math.min(...rows.map((r) => new Date(r.first).getTime()));
    const last = Math.max(...rows.map((r) => new Date(r.last).getTime()));
    expect(first).toBeGreaterThanOrEqual(now.getTime() - 183 * DAY);
    expect(first).toBeLessThan(now.getTime() - 150 * DAY);
    expect(last).toBeLessThanOrEqual(now.getTime());
    expect(last).toBeGreaterThan(now.getTime() - 2 * DAY);
    const { rows: k } = await t.db.query<Record<string, number>>(`SELECT
      count(*) FILTER (WHERE due_at < $1 AND escalation_level > 0)::int AS overdue_escalated,
      count(*) FILTER (WHERE supervised)::int AS supervised,
      count(*) FILTER (WHERE confidential)::int AS confidential,
      count(*) FILTER (WHERE source = 'resident' AND reporter_name IS NULL)::int AS anonymous,
      (SELECT count(*) FROM report_rewards)::int AS rewards,
      (SELECT count(*) FROM report_warnings)::int AS warnings,
      (SELECT count(*) FROM inspection_findings)::int AS findings FROM reports`, [now]);
    for (const [what, n] of Object.entries(k[0]!)) expect(n, what).toBeGreaterThan(0);
    // The workflow's own record: every closed report went through verify, dispatch, accept, rectify and close, in time order.
    const { rows: bad } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM reports r WHERE r.state = 'closed' AND
      (SELECT array_agg(action ORDER BY at, id) FILTER (WHERE action IN ('create', 'verify', 'dispatch', 'accept', 'close')) FROM report_events e WHERE e.report_id = r.id)
      <> ARRAY['create', 'verify', 'dispatch', 'accept', 'close']`);
    expect(bad[0]!.n).toBe(0);
    const { rows: ended } = await t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM reports r WHERE updated_at <> (SELECT max(at) FROM report_events e WHERE e.report_id = r.id) OR (state = 'closed') <> (closed_at IS NOT NULL)");
    expect(ended[0]!.n).toBe(0);
  });

  it('has patrol history: coverage high, not perfect, some units overdue', async () => {
    expect(summary.inspections).toBeGreaterThan(0);
    const { units } = await computeCoverage(t.db, t.config, now, []);
    expect(units.length).toBeGreaterThan(1000);
    const ok = units.filter((u) => u.status === 'ok').length;
    const overdue = units.filter((u) => u.status === 'overdue').length;
    expect(ok / units.length).toBeGreaterThan(0.7);
    expect(overdue).toBeGreaterThan(0);
  });

  it('is the same district from the same seed', async () => {
    const digest = async () => (await t.db.query<{ d: string }>(
      `SELECT md5(string_agg(tracking_code || state || category || cell_id, ',' ORDER BY id)) || md5((SELECT string_agg(name || phone, ',' ORDER BY id) FROM people)) AS d FROM reports`)).rows[0]!.d;
    const before = await digest();
    await resetDb(t.db);
    await seedDemoDistrict(t.db);
    await seedDemoAccounts(t.db);
    await t.db.transaction((tx) => seedLivingDemo(tx, t.config, options));
    expect(await digest()).toBe(before);
  }, 300_000);
});
