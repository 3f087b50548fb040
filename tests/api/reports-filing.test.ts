import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/db.ts';
import { fileReports, fileTogether, type FilingRow } from '../../server/reports/filing.ts';
import { newTrackingCode } from '../../server/reports/intake.ts';
import { TEST_DB } from '../helpers/db.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { twoStreets } from '../helpers/cells.ts';

// Group filing (server/reports/filing.ts): reports that arrive while a filing statement runs are
// filed together by the next one. Each sender must get its own report back, with its own cell,
// event and audit row, and a report that fails in the database must not take the others with it.

let t: TestApp;
let streets: Awaited<ReturnType<typeof twoStreets>>;

beforeAll(async () => {
  t = await testApp();
  streets = await twoStreets(t.db);
});
afterAll(() => t.app.close());

const row = (over: Partial<FilingRow> = {}): FilingRow => ({
  code: newTrackingCode(), lon: 107.02, lat: 34.05, category: 'fire', severity: 'ordinary', description: 'grouped', source: 'resident',
  reporter_name: null, reporter_contact: null, confidential: false, reporter_user_id: null, username: null,
  at: new Date().toISOString(), due: new Date(Date.now() + 3_600_000).toISOString(), photos: 0, audit: null, ...over,
});

/** The database, counting the statements run through it. */
function counting(db: Db) {
  const seen = { statements: 0 };
  const q: Db = Object.create(db) as Db;
  q.query = ((sql: string, params?: unknown[], name?: string) => { seen.statements++; return db.query(sql, params, name); }) as Db['query'];
  return { q, seen };
}

describe(`group filing (${TEST_DB})`, () => {
  it('answers 40 concurrent senders each with their own report, cell, event and audit row', async () => {
    const sent = Array.from({ length: 40 }, (_, i) => ({
      // West street, east street, and outside every cell (the unassigned queue), in turn.
      location: { type: 'Point', coordinates: [[107.02, 107.08, 108.5][i % 3]!, 34.01 + i / 1000] },
      category: i % 2 ? 'fire' : 'environment', severity: i % 5 ? 'ordinary' : 'major',
      description: `并发上报 ${i}: it's "quoted" \\ 🔥`,
    }));
    const answers = await Promise.all(sent.map((payload, i) =>
      t.app.inject({ method: 'POST', url: '/api/reports', remoteAddress: `10.1.2.${i}`, payload })));
    const bodies = answers.map((a) => { expect(a.statusCode, a.body).toBe(201); return a.json<{ id: number; trackingCode: string; cellId: number | null; coverageGap: boolean }>(); });
    expect(new Set(bodies.map((b) => b.id)).size).toBe(40);
    const { rows } = await t.db.query<{ id: number; tracking_code: string; description: string; category: string; severity: string; cell_id: number | null; events: number; audits: number; audit_ip: string }>(
      `SELECT r.id, r.tracking_code, r.description, r.category, r.severity, r.cell_id,
              (SELECT count(*)::int FROM report_events e WHERE e.report_id = r.id AND e.action = 'create') AS events,
              (SELECT count(*)::int FROM audit_log a WHERE a.target = 'report:' || r.id AND a.action = 'report.create') AS audits,
              (SELECT host(a.ip::inet) FROM audit_log a WHERE a.target = 'report:' || r.id) AS audit_ip
       FROM reports r WHERE r.id = ANY($1::int[])`, [bodies.map((b) => b.id)]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    bodies.forEach((b, i) => {
      const stored = byId.get(b.id)!;
      expect(stored).toMatchObject({ tracking_code: b.trackingCode, description: sent[i]!.description, category: sent[i]!.category, severity: sent[i]!.severity, events: 1, audits: 1, audit_ip: `10.1.2.${i}` });
      const cell = [streets.west, streets.east, null][i % 3];
      expect([b.cellId, stored.cell_id, b.coverageGap]).toEqual([cell, cell, cell === null]);
    });
  });

  it('files reports that arrive meanwhile in fewer statements than reports', async () => {
    const { q, seen } = counting(t.db);
    const filed = await Promise.all(Array.from({ length: 30 }, (_, i) => fileTogether(q, row({ description: `burst ${i}` }))));
    expect(new Set(filed.map((f) => f.id)).size).toBe(30);
    expect(filed.every((f) => f.cell_id === streets.west)).toBe(true);
    // The first is filed alone at once, the other 29 arrived while it ran: together.
    expect(seen.statements).toBeLessThanOrEqual(3);
  });

  it('a report the database refuses fails alone: the others of its statement are filed', async () => {
    const before = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM reports')).rows[0]!.n;
    const rows = Array.from({ length: 6 }, (_, i) => row({ description: `group ${i}`, reporter_user_id: i === 3 ? 987_654 : null }));
    const settled = await Promise.allSettled(rows.map((r) => fileTogether(t.db, r)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const { rows: stored } = await t.db.query<{ tracking_code: string }>('SELECT tracking_code FROM reports WHERE description LIKE $1', ['group %']);
    expect(stored.map((s) => s.tracking_code).sort()).toEqual(rows.filter((_, i) => i !== 3).map((r) => r.code).sort());
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM reports')).rows[0]!.n).toBe(before + 5);
  });

  it('two filing statements at once (two servers) share rollup rows without deadlock, and the rollup counts every report', async () => {
    // Reports in a few band cells of every zoom band, one statement taking them west to east and
    // the other east to west: statements that wrote the rollup report by report deadlocked so.
    const points = Array.from({ length: 40 }, (_, i) => [107.01 + (i % 8) * 0.002, 34.01 + Math.floor(i / 8) * 0.002] as const);
    for (let round = 0; round < 8; round++) {
      const a = points.map(([lon, lat], i) => row({ lon, lat, description: `pair ${round} a ${i}`, severity: i % 3 ? 'ordinary' : 'major' }));
      const b = [...points].reverse().map(([lon, lat], i) => row({ lon, lat, description: `pair ${round} b ${i}`, category: i % 2 ? 'fire' : 'environment' }));
      const settled = await Promise.allSettled([fileReports(t.db, a), fileReports(t.db, b)]);
      expect(settled.map((x) => x.status === 'rejected' ? String(x.reason) : 'filed')).toEqual(['filed', 'filed']);
    }
    const counts = 'SELECT band, day, i, j, category, severity, state_class, root_id, n FROM report_heat_counts ORDER BY 1, 2, 3, 4, 5, 6, 7, 8';
    const kept = (await t.db.query(counts)).rows;
    await t.db.query('SELECT report_heat_rebuild()');
    expect((await t.db.query(counts)).rows).toEqual(kept);
  });
});
