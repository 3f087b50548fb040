import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { loadConfig } from '../../server/config.ts';
import { commandConfig } from '../../server/command/config.ts';
import { binReports, binSizeMetres, mercatorX, mercatorY } from '../../server/command/heatmap.ts';

// GET /api/heatmap against a brute-force count in JavaScript of random reports whose every
// attribute the test knows: points below the threshold, bins above it, filters, scope.

const NOW = new Date('2030-06-15T12:00:00Z');
const THRESHOLD = 12;
const WEIGHTS = { ordinary: 1, major: 3 };
const OPEN = ['reported', 'verified', 'dispatched', 'rectifying', 'rectified'];
const STATES = [...OPEN, 'rejected', 'closed'];
const CATEGORIES = ['fire', 'environment', 'work_safety'];

interface Known {
  id: number;
  lon: number;
  lat: number;
  category: string;
  severity: 'ordinary' | 'major';
  state: string;
  createdAt: Date;
  dueAt: Date;
  street: 'west' | 'east';
}

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
const h = {} as Record<'admin' | 'west' | 'east' | 'planner', Headers>;
const known: Known[] = [];

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  const base = loadConfig({});
  t = await testApp({ now: () => NOW, config: { command: commandConfig({ heatmap: { pointThreshold: THRESHOLD } }, base.command.timeZone) } });
  ids = await twoStreets(t.db);
  await createUser(t.db, 'admin', 'admin');
  await createUser(t.db, 'cmdWest', 'commander', [ids.west]);
  await createUser(t.db, 'cmdEast', 'commander', [ids.east]);
  await createUser(t.db, 'planner', 'planner');
  h.admin = await signIn(t.app, 'admin');
  h.west = await signIn(t.app, 'cmdWest');
  h.east = await signIn(t.app, 'cmdEast');
  h.planner = await signIn(t.app, 'planner');

  const random = rng(20300615);
  for (let i = 0; i < 80; i++) {
    // Inside the district, away from the shared border at 107.05 so the street is certain.
    const west = random() < 0.6;
    const lon = west ? 107.001 + random() * 0.047 : 107.052 + random() * 0.047;
    const lat = 34.001 + random() * 0.098;
    const k: Omit<Known, 'id'> = {
      lon, lat, street: west ? 'west' : 'east',
      category: CATEGORIES[Math.floor(random() * CATEGORIES.length)]!,
      severity: random() < 0.3 ? 'major' : 'ordinary',
      state: STATES[Math.floor(random() * STATES.length)]!,
      createdAt: new Date(NOW.getTime() - Math.floor(random() * 30 * 24) * 3600_000),
      dueAt: new Date(NOW.getTime() + (random() < 0.5 ? -1 : 1) * (1 + Math.floor(random() * 48)) * 3600_000),
    };
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO reports (tracking_code, geom, category, severity, description, source, state, cell_id, step_started_at, due_at, created_at, updated_at, closed_at)
       VALUES ($1, ST_SetSRID(ST_MakePoint($2, $3), 4326), $4, $5, '测试隐患', 'patrol', $6,
               route_point(ST_SetSRID(ST_MakePoint($2, $3), 4326)), $7, $8, $7, $7, CASE WHEN $6 = 'closed' THEN $9::timestamptz END)
       RETURNING id`,
      [`WG-TEST${String(i).padStart(3, '0')}-00000`, lon, lat, k.category, k.severity, k.state, k.createdAt, k.dueAt, NOW]);
    known.push({ id: rows[0]!.id, ...k });
  }
});

type Filter = { category?: string; severity?: string; state?: string; from?: Date; to?: Date; bbox?: number[]; street?: 'west' | 'east' };

/** The brute force: which known reports a filter selects. */
function expected(f: Filter): Known[] {
  return known.filter((k) =>
    (!f.street || k.street === f.street)
    && (!f.category || k.category === f.category)
    && (!f.severity || k.severity === f.severity)
    && (!f.state || f.state === 'all'
      || (f.state === 'open' && OPEN.includes(k.state))
      || (f.state === 'overdue' && OPEN.includes(k.state) && k.dueAt < NOW)
      || (f.state === 'closed' && k.state === 'closed'))
    && (!f.from || k.createdAt >= f.from)
    && (!f.to || k.createdAt < f.to)
    && (!f.bbox || (k.lon >= f.bbox[0]! && k.lat >= f.bbox[1]! && k.lon <= f.bbox[2]! && k.lat <= f.bbox[3]!)));
}

const weightOf = (list: Known[]) => list.reduce((s, k) => s + WEIGHTS[k.severity], 0);

interface HeatResponse {
  mode: 'points' | 'bins';
  total: number;
  totalWeight: number;
  cellSize: number | null;
  threshold: number;
  points?: { id: number; lon: number; lat: number; weight: number; category: string; severity: string; state: string; overdue: boolean; reportedAt: string }[];
  bins?: { lon: number; lat: number; count: number; weight: number }[];
  severityWeights: Record<string, number>;
}

async function heat(query: Record<string, string | number>, who: Headers = h.admin) {
  const res = await t.app.inject({ url: `/api/heatmap?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`, headers: who });
  return res;
}

async function heatOk(query: Record<string, string | number>, who: Headers = h.admin): Promise<HeatResponse> {
  const res = await heat(query, who);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as HeatResponse;
}

/** Brute-force bins: each report snapped to the nearest node of the 3857 grid. */
function bruteBins(list: Known[], size: number) {
  const bins = new Map<string, { count: number; weight: number }>();
  for (const k of list) {
    const key = `${Math.round(mercatorX(k.lon) / size)},${Math.round(mercatorY(k.lat) / size)}`;
    const b = bins.get(key) ?? { count: 0, weight: 0 };
    b.count += 1;
    b.weight += WEIGHTS[k.severity];
    bins.set(key, b);
  }
  return bins;
}

const binKey = (b: { lon: number; lat: number }, size: number) => `${Math.round(mercatorX(b.lon) / size)},${Math.round(mercatorY(b.lat) / size)}`;

describe(`heatmap: points below the threshold, bins above (${TEST_DB})`, () => {
  it('answers points with every field when the view holds at most the threshold', async () => {
    const want = expected({ category: 'fire', severity: 'major' });
    expect(want.length).toBeGreaterThan(0);
    expect(want.length).toBeLessThanOrEqual(THRESHOLD);
    const r = await heatOk({ category: 'fire', severity: 'major' });
    expect(r.mode).toBe('points');
    expect(r.threshold).toBe(THRESHOLD);
    expect(r.cellSize).toBeNull();
    expect(r.total).toBe(want.length);
    expect(r.totalWeight).toBe(weightOf(want));
    // The weights it used, for the live view to weigh new reports the same way.
    expect(r.severityWeights).toEqual(WEIGHTS);
    expect(r.points!.map((p) => p.id).sort((a, b) => a - b)).toEqual(want.map((k) => k.id).sort((a, b) => a - b));
    const first = want[0]!;
    expect(r.points!.find((p) => p.id === first.id)).toEqual({
      id: first.id, lon: expect.closeTo(first.lon, 9), lat: expect.closeTo(first.lat, 9), weight: 3, category: 'fire', severity: 'major',
      state: first.state, overdue: OPEN.includes(first.state) && first.dueAt < NOW, reportedAt: first.createdAt.toISOString(),
    });
  });

  it('switches to bins just above the threshold, and the bins hold every report and all the weight', async () => {
    const all = expected({});
    expect(all.length).toBeGreaterThan(THRESHOLD);
    const r = await heatOk({ zoom: 13 });
    expect(r.mode).toBe('bins');
    expect(r.points).toBeUndefined();
    expect(r.cellSize).toBeCloseTo(binSizeMetres(13, 16), 6);
    expect(r.bins!.reduce((s, b) => s + b.count, 0)).toBe(all.length);
    expect(r.total).toBe(all.length);
    expect(r.bins!.reduce((s, b) => s + b.weight, 0)).toBe(weightOf(all));
    expect(r.totalWeight).toBe(weightOf(all));
  });

  it('counts each bin as the brute force does, at several zooms, on both databases', async () => {
    for (const zoom of [9, 12, 15]) {
      const r = await heatOk({ zoom, mode: 'bins' });
      const size = r.cellSize!;
      const want = bruteBins(expected({}), size);
      const got = new Map(r.bins!.map((b) => [binKey(b, size), { count: b.count, weight: b.weight }]));
      expect(got).toEqual(want);
      // A finer zoom never makes fewer bins.
      if (zoom === 15) expect(r.bins!.length).toBeGreaterThan(20);
    }
  });

  it('is exactly the threshold that decides: threshold reports are points, one more are bins', async () => {
    // Find a time window holding exactly THRESHOLD reports, and one holding THRESHOLD + 1.
    const byTime = [...known].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id);
    const distinct = (n: number) => byTime[n - 1]!.createdAt.getTime() < byTime[n]!.createdAt.getTime();
    for (const n of [THRESHOLD, THRESHOLD + 1]) {
      if (!distinct(n)) continue;
      const to = new Date(byTime[n - 1]!.createdAt.getTime() + 1);
      expect(expected({ to }).length).toBe(n);
      const r = await heatOk({ to: to.toISOString() });
      expect(r.mode).toBe(n <= THRESHOLD ? 'points' : 'bins');
      expect(r.total).toBe(n);
    }
  });

  it('exports the binning for the benchmark: the same bins as the route', async () => {
    const size = binSizeMetres(12, 16);
    const bins = await binReports(t.db, { filter: { scope: [], now: NOW }, cellSize: size, weights: WEIGHTS });
    expect(new Map(bins.map((b) => [binKey(b, size), { count: b.count, weight: b.weight }]))).toEqual(bruteBins(known, size));
  });
});

describe(`heatmap filters (${TEST_DB})`, () => {
  const from = new Date(NOW.getTime() - 7 * 24 * 3600_000);
  const cases: { name: string; query: Record<string, string>; filter: Filter }[] = [
    { name: 'category', query: { category: 'environment' }, filter: { category: 'environment' } },
    { name: 'severity', query: { severity: 'major' }, filter: { severity: 'major' } },
    { name: 'state open', query: { state: 'open' }, filter: { state: 'open' } },
    { name: 'state overdue', query: { state: 'overdue' }, filter: { state: 'overdue' } },
    { name: 'state closed', query: { state: 'closed' }, filter: { state: 'closed' } },
    { name: 'state all', query: { state: 'all' }, filter: { state: 'all' } },
    { name: 'the last 7 days', query: { from: from.toISOString() }, filter: { from } },
    { name: 'a window ending 7 days ago', query: { to: from.toISOString() }, filter: { to: from } },
    { name: 'bbox', query: { bbox: '107.02,34.02,107.08,34.07' }, filter: { bbox: [107.02, 34.02, 107.08, 34.07] } },
    { name: 'all together', query: { category: 'fire', state: 'open', from: from.toISOString(), bbox: '107,34,107.1,34.1' }, filter: { category: 'fire', state: 'open', from } },
  ];

  it.each(cases)('$name: the same reports as the brute force, as points or bins', async ({ query, filter }) => {
    const want = expected(filter);
    const auto = await heatOk({ ...query, zoom: 14 });
    expect(auto.mode).toBe(want.length > THRESHOLD ? 'bins' : 'points');
    expect(auto.total).toBe(want.length);
    expect(auto.totalWeight).toBe(weightOf(want));
    if (auto.mode === 'points') expect(auto.points!.map((p) => p.id).sort((a, b) => a - b)).toEqual(want.map((k) => k.id).sort((a, b) => a - b));
    const bins = await heatOk({ ...query, zoom: 14, mode: 'bins' });
    expect(new Map(bins.bins!.map((b) => [binKey(b, bins.cellSize!), { count: b.count, weight: b.weight }]))).toEqual(bruteBins(want, bins.cellSize!));
  });

  it('the filters really narrow: each selects fewer than all and more than none', () => {
    const all = expected({}).length;
    for (const c of cases.slice(0, 5)) {
      const n = expected(c.filter).length;
      expect(n, c.name).toBeGreaterThan(0);
      expect(n, c.name).toBeLessThan(all);
    }
  });
});

describe(`heatmap scope (${TEST_DB})`, () => {
  it('a commander of the west street sees only the west, of the east only the east', async () => {
    for (const [who, street] of [[h.west, 'west'], [h.east, 'east']] as const) {
      const want = expected({ street });
      const r = await heatOk({ mode: 'bins', zoom: 16 }, who);
      expect(r.total).toBe(want.length);
      expect(new Map(r.bins!.map((b) => [binKey(b, r.cellSize!), { count: b.count, weight: b.weight }]))).toEqual(bruteBins(want, r.cellSize!));
      const few = await heatOk({ severity: 'major', category: 'fire' }, who);
      expect(few.mode).toBe('points');
      expect(few.points!.map((p) => p.id).sort((a, b) => a - b)).toEqual(expected({ street, severity: 'major', category: 'fire' }).map((k) => k.id).sort((a, b) => a - b));
    }
  });

  it('a commander of the west asking for the east street\'s bbox gets nothing from it', async () => {
    const r = await heatOk({ bbox: '107.051,34,107.1,34.1' }, h.west);
    expect(r).toMatchObject({ mode: 'points', total: 0, totalWeight: 0, points: [] });
    expect(expected({ bbox: [107.051, 34, 107.1, 34.1] }).length).toBeGreaterThan(0);
  });

  it('needs an account that may see reports', async () => {
    expect((await heat({})).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/heatmap' })).statusCode).toBe(401);
    const planner = await heat({}, h.planner);
    expect(planner.statusCode).toBe(403);
    expect(planner.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});

describe(`heatmap bad input (${TEST_DB})`, () => {
  it.each([
    [{ bbox: '107,34,107.1' }, 400, /bbox/],
    [{ bbox: '107,34,106,34.1' }, 422, /minLon/],
    [{ bbox: '107,34,200,34.1' }, 422, /-180\.\.180/],
    [{ bbox: 'a,b,c,d' }, 422, /four numbers/],
    [{ zoom: 30 }, 400, /zoom/],
    [{ state: 'sleeping' }, 400, /state/],
    [{ severity: 'huge' }, 400, /severity/],
    [{ from: 'yesterday' }, 400, /from/],
    [{ from: '2030-06-10T00:00:00Z', to: '2030-06-01T00:00:00Z' }, 422, /empty/],
    [{ colour: 'red' }, 400, /additional/],
  ] as const)('%o → %i', async (query, status, detail) => {
    const res = await heat(query as Record<string, string | number>);
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json().detail).toMatch(detail);
  });

  it('a wide view at a high zoom gets coarser bins rather than millions of them', async () => {
    const r = await heatOk({ zoom: 24, mode: 'bins', bbox: '70,15,135,55' });
    expect(r.cellSize!).toBeGreaterThan(binSizeMetres(24, 16));
    const width = mercatorX(135) - mercatorX(70);
    const height = mercatorY(55) - mercatorY(15);
    expect((width / r.cellSize!) * (height / r.cellSize!)).toBeLessThanOrEqual(loadConfig({}).command.heatmap.maxGridCells);
    expect(r.total).toBe(known.length);
  });
});
