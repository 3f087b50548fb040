import type { Config, Severity } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import type { Cadence, PatrolPlanConfig } from '../patrols/config.ts';
import { stepHours } from '../reports/deadlines.ts';
import { stepOf, type State } from '../../core/reports/workflow.ts';
import { DEMO_ROADS, Rng, demoPhone, personName } from './random.ts';

/**
 * The living demo: people in every cell, units on file, six months of reports worked through the
 * closed loop, and patrol history, all generated from one seed and dated relative to `now`, so the
 * same seed gives the same district and the demo never looks stale. Everything it writes is marked:
 * created_by / username 'demo', units' attributes { demo: true }, people's organisation "（演示）".
 * Rows are built in memory and written set-wise (json_to_recordset, a few thousand rows a statement).
 */
export interface LivingDemoOptions {
  now: Date;
  seed?: number;
  /** Reports over the whole history (default: about 6 per area cell and month). */
  reports?: number;
  /** Days of history (default 182: six months). */
  days?: number;
  /** Days of patrol history (default: the same as days). */
  patrolDays?: number;
  /** Units per area cell, min and max (default 8–18). */
  unitsPerCell?: [number, number];
  /** Fill only the subtree of this cell (the scale generator goes street by street). */
  root?: number;
  /** Called with progress lines (the scale generator prints them). */
  progress?: (line: string) => void;
}

export interface LivingDemoSummary {
  people: number;
  assignments: number;
  units: number;
  reports: number;
  events: number;
  inspections: number;
  visits: number;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** The demo's clock: Asia/Shanghai has no daylight saving, so local time is UTC+8 all year. */
const LOCAL = 8 * HOUR;
const CHUNK = 4000;

interface CellRow { id: number; parent_id: number | null; level: number; code: string; name: string }
interface Point { lon: number; lat: number }

/** Where a kind of unit is filed (the configured unit types), and which hazards it tends to have. */
const UNIT_KINDS: { kind: string; zh: string; type: string; categories: string[]; weight: number }[] = [
  { kind: 'shop', zh: '商店', type: 'small_place', categories: ['fire', 'price'], weight: 16 },
  { kind: 'restaurant', zh: '餐馆', type: 'small_place', categories: ['food_drug', 'fire'], weight: 14 },
  { kind: 'residential', zh: '住宅楼', type: 'rented_housing', categories: ['fire', 'other'], weight: 20 },
  { kind: 'school', zh: '学校', type: 'key_fire_b', categories: ['fire', 'food_drug'], weight: 3 },
  { kind: 'kindergarten', zh: '幼儿园', type: 'key_fire_a', categories: ['fire', 'food_drug'], weight: 3 },
  { kind: 'factory', zh: '工厂', type: 'pollution_source', categories: ['environment', 'work_safety'], weight: 5 },
  { kind: 'warehouse', zh: '仓库', type: 'key_fire_c', categories: ['fire', 'work_safety'], weight: 5 },
  { kind: 'construction', zh: '建筑工地', type: 'company', categories: ['work_safety', 'environment'], weight: 4 },
  { kind: 'gas_station', zh: '加油站', type: 'key_fire_a', categories: ['fire', 'work_safety'], weight: 2 },
  { kind: 'market', zh: '农贸市场', type: 'key_fire_b', categories: ['food_drug', 'price', 'fire'], weight: 3 },
  { kind: 'pharmacy', zh: '药店', type: 'small_place', categories: ['food_drug', 'price'], weight: 4 },
  { kind: 'internet_cafe', zh: '网吧', type: 'small_place', categories: ['fire'], weight: 2 },
  { kind: 'auto_repair', zh: '汽修厂', type: 'pollution_source', categories: ['environment', 'fire'], weight: 3 },
];
const BRANDS = ['鑫源', '宏达', '金秦', '福满', '渭水', '长青', '陈仓', '凤鸣', '惠民', '佳和', '兴隆', '秦岭', '同心', '康宁', '华晨', '永安'];

const DESCRIPTIONS: Record<string, string[]> = {
  fire: ['楼道堆放杂物，堵塞消防通道', '电动车在楼道内充电', '灭火器过期未更换', '安全出口被锁闭', '私拉乱接电线', '消防栓被遮挡', '厨房油烟管道油污严重'],
  environment: ['河道漂浮垃圾', '工地扬尘未覆盖', '夜间施工噪声扰民', '污水直排雨水管网', '露天焚烧垃圾', '餐饮油烟直排'],
  work_safety: ['脚手架未设防护网', '有限空间作业无监护', '危化品储存不规范', '施工现场无安全帽作业', '电梯年检过期'],
  food_drug: ['无证经营熟食', '后厨卫生条件差', '销售过期食品', '药店无执业药师在岗', '从业人员无健康证'],
  price: ['商品未明码标价', '停车场乱收费', '哄抬蔬菜价格'],
  conduct: ['窗口工作人员态度恶劣', '办事推诿拖延', '上班时间脱岗'],
  other: ['井盖缺失', '路灯不亮', '占道经营', '违章搭建', '树木倒伏影响通行'],
};
const CATEGORY_WEIGHTS: Record<string, number> = { fire: 30, environment: 20, work_safety: 14, food_drug: 12, price: 6, conduct: 4, other: 14 };
const DEPARTMENTS: Record<string, string> = {
  fire: '区消防救援大队', environment: '区生态环境分局', work_safety: '区应急管理局', food_drug: '区市场监督管理局',
  price: '区市场监督管理局', conduct: '区纪委监委', other: '区城市管理执法局',
};
const TITLES: Record<string, string> = {
  first_responsible: '党工委书记', direct_responsible: '主任', specific_responsible: '网格员', chief: '网格长', manager: '网格管理员',
  info_officer: '信息员', supervisor: '监督员', assistant: '协管员',
};
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Writes rows set-wise: one INSERT … SELECT FROM json_to_recordset per chunk. */
async function insertRows(q: Queryable, table: string, columns: Record<string, string>, rows: Record<string, unknown>[],
  expressions: Record<string, string> = {}): Promise<void> {
  const names = Object.keys(columns);
  const targets = [...names.filter((n) => !n.startsWith('_')), ...Object.keys(expressions)];
  const select = [...names.filter((n) => !n.startsWith('_')).map((n) => `x.${n}`), ...Object.values(expressions)];
  const sql = `INSERT INTO ${table} (${targets.join(', ')}) SELECT ${select.join(', ')}
    FROM json_to_recordset($1::json) AS x(${names.map((n) => `${n} ${columns[n]}`).join(', ')})`;
  for (let i = 0; i < rows.length; i += CHUNK) await q.query(sql, [JSON.stringify(rows.slice(i, i + CHUNK))]);
}

async function nextId(q: Queryable, table: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT COALESCE(max(id), 0)::int AS n FROM ${table}`);
  return rows[0]!.n + 1;
}

async function syncIdentity(q: Queryable, table: string): Promise<void> {
  await q.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), GREATEST((SELECT max(id) FROM ${table}), 1))`);
}

/** A local (UTC+8) time of day on the day of `t`, in hours. */
function atLocalHour(t: number, hour: number): number {
  const localDay = Math.floor((t + LOCAL) / DAY) * DAY - LOCAL;
  return localDay + hour * HOUR;
}

function trackingCode(seq: number, rng: Rng): string {
  let head = '';
  for (let i = 0, n = seq; i < 5; i++, n = Math.floor(n / 32)) head = ALPHABET[n % 32] + head;
  let tail = '';
  for (let i = 0; i < 5; i++) tail += ALPHABET[rng.int(0, 31)];
  return `WG-${head}-${tail}`;
}

function metresToDegrees(p: Point, dxM: number, dyM: number): Point {
  return { lon: p.lon + dxM / (111_320 * Math.cos((p.lat * Math.PI) / 180)), lat: p.lat + dyM / 110_540 };
}

interface Assigned { personId: number; role: string; name: string }

interface Unit { id: number; cellId: number; type: string; kind: string; name: string; point: Point; categories: string[] }

interface ReportSeed {
  created: number;
  cellId: number;
  point: Point;
  category: string;
  source: 'resident' | 'patrol' | 'hotline' | 'inspection';
  finding?: { inspectionId: number; visitId: number; unitId: number; text: string };
}

/** Fills an existing grid (cells present, no people, units or reports yet) with a living demo. */
export async function seedLivingDemo(q: Queryable, config: Config, opts: LivingDemoOptions): Promise<LivingDemoSummary> {
  const rng = new Rng(opts.seed ?? 20261204);
  const now = opts.now.getTime();
  const days = opts.days ?? 182;
  const patrolDays = opts.patrolDays ?? days;
  const log = opts.progress ?? (() => {});

  const { rows: loaded } = await q.query<CellRow & { above: boolean }>(opts.root === undefined
    ? 'SELECT id, parent_id, level, code, name, false AS above FROM cells ORDER BY level, code'
    : `SELECT id, parent_id, level, code, name, false AS above FROM cells WHERE id = $1::int OR ancestors @> ARRAY[$1::int]
       UNION ALL SELECT id, parent_id, level, code, name, true FROM cells WHERE id IN (SELECT unnest(ancestors) FROM cells WHERE id = $1::int)
       ORDER BY level, code`, opts.root === undefined ? [] : [opts.root]);
  const byId = new Map(loaded.map((c) => [c.id, c]));
  // The cells this run fills: the subtree; the cells above it only take escalations.
  const cells = loaded.filter((c) => !c.above);
  const parents = new Set(loaded.map((c) => c.parent_id).filter((p): p is number => p !== null));
  const leaves = cells.filter((c) => !parents.has(c.id));
  const [unitsMin, unitsMax] = opts.unitsPerCell ?? [8, 18];
  const unitCount = new Map(leaves.map((c) => [c.id, rng.int(unitsMin, unitsMax)]));
  const HOT_POINTS = 6;

  // Points inside each area cell, drawn by PostGIS (seeded, so the same every time).
  const points = new Map<number, Point[]>();
  for (let i = 0; i < leaves.length; i += 2000) {
    const chunk = leaves.slice(i, i + 2000);
    const { rows } = await q.query<{ cell_id: number; lon: number; lat: number }>(
      `SELECT c.id AS cell_id, ST_X(d.geom) AS lon, ST_Y(d.geom) AS lat
       FROM cells c JOIN json_to_recordset($1::json) AS x(id int, n int) ON x.id = c.id
       CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(c.geom, x.n, 1000 + c.id)) d`,
      [JSON.stringify(chunk.map((c) => ({ id: c.id, n: unitCount.get(c.id)! + HOT_POINTS })))]);
    for (const r of rows) {
      const list = points.get(r.cell_id) ?? [];
      list.push({ lon: r.lon, lat: r.lat });
      points.set(r.cell_id, list);
    }
  }
  log(`points drawn in ${leaves.length} area cells`);

  // People, by the role rules: every required role and the minimum of each, up to its maximum.
  const personBase = await nextId(q, 'people');
  // People's phones follow their ids (unique); contacts of units and reporters come from the upper half of the range.
  const otherPhone = () => demoPhone(50_000_000 + rng.int(0, 49_999_999));
  const people: Record<string, unknown>[] = [];
  const assignments: Record<string, unknown>[] = [];
  const assigned = new Map<number, Assigned[]>();
  // Cells that already have people (filled by an earlier run) keep them.
  const { rows: existing } = await q.query<{ cell_id: number; person_id: number; role: string; name: string }>(
    'SELECT a.cell_id, a.person_id, a.role, p.name FROM cell_assignments a JOIN people p ON p.id = a.person_id WHERE a.cell_id = ANY ($1::int[])',
    [loaded.map((c) => c.id)]);
  for (const a of existing) assigned.set(a.cell_id, [...(assigned.get(a.cell_id) ?? []), { personId: a.person_id, role: a.role, name: a.name }]);
  for (const c of loaded) {
    if (assigned.has(c.id)) continue;
    const list: Assigned[] = [];
    const org = c.level <= 2 ? `${c.name}办事处（演示）` : `${c.name}居委会（演示）`;
    for (const role of config.assignmentRoles) {
      const min = Math.max(role.required ? 1 : 0, role.minPerCell ?? 0, 1);
      const max = role.maxPerCell ?? min + 1;
      const n = Math.min(max, min + (role.code === 'supervisor' ? rng.int(0, 2) : rng.chance(0.2) ? 1 : 0));
      for (let k = 0; k < n; k++) {
        const id = personBase + people.length;
        const name = personName(rng);
        people.push({ id, name, phone: demoPhone(id), organisation: org, title: TITLES[role.code] ?? role.zh });
        list.push({ personId: id, role: role.code, name });
        assignments.push({ cell_id: c.id, position: list.length, person_id: id, role: role.code });
      }
    }
    assigned.set(c.id, list);
  }
  await insertRows(q, 'people', { id: 'int', name: 'text', phone: 'text', organisation: 'text', title: 'text' }, people,
    { created_by: "'demo'", updated_by: "'demo'" });
  await syncIdentity(q, 'people');
  await insertRows(q, 'cell_assignments', { cell_id: 'int', position: 'int', person_id: 'int', role: 'text' }, assignments,
    { assigned_by: "'demo'", assigned_at: `'${new Date(now - days * DAY).toISOString()}'::timestamptz` });
  log(`${people.length} people, ${assignments.length} assignments`);

  // Units on file (一户一档) in every area cell.
  const unitBase = await nextId(q, 'units');
  const units: Unit[] = [];
  const unitRows: Record<string, unknown>[] = [];
  const kindWeights = UNIT_KINDS.map((k) => [k, k.weight] as const);
  for (const c of leaves) {
    const pts = points.get(c.id) ?? [];
    for (let k = 0; k < unitCount.get(c.id)! && HOT_POINTS + k < pts.length; k++) {
      const kind = rng.weighted(kindWeights);
      const point = pts[HOT_POINTS + k]!;
      const road = rng.pick(DEMO_ROADS);
      const no = rng.int(1, 280);
      const name = kind.kind === 'residential' ? `${road}${no}号院${rng.int(1, 12)}号楼` : `${rng.pick(BRANDS)}${kind.zh}`;
      const attributes: Record<string, unknown> = { demo: true, kind: kind.kind, kindZh: kind.zh };
      if (kind.kind === 'residential') {
        const households = rng.int(24, 180);
        attributes.households = households;
        attributes.rentedHouseholds = Math.round(households * rng.next() * 0.4);
      } else {
        attributes.employees = rng.int(2, kind.type === 'company' || kind.type === 'pollution_source' ? 300 : 40);
      }
      const id = unitBase + units.length;
      units.push({ id, cellId: c.id, type: kind.type, kind: kind.kind, name, point, categories: kind.categories });
      unitRows.push({ id, type: kind.type, name, address: `宝鸡市渭滨区${road}${no}号`, contact: `${personName(rng)} ${otherPhone()}`,
        attributes, lon: point.lon, lat: point.lat,
        created_at: new Date(now - days * DAY - rng.int(0, 400) * DAY).toISOString() });
    }
  }
  // The units trigger files each unit in the cell containing it.
  await insertRows(q, 'units', { id: 'int', type: 'text', name: 'text', address: 'text', contact: 'text', attributes: 'jsonb', _lon: 'float8', _lat: 'float8', created_at: 'timestamptz' },
    unitRows.map(({ lon, lat, ...r }) => ({ ...r, _lon: lon, _lat: lat })),
    { geom: 'ST_SetSRID(ST_MakePoint(x._lon, x._lat), 4326)', updated_at: 'x.created_at', created_by: "'demo'", updated_by: "'demo'" });
  await syncIdentity(q, 'units');
  log(`${units.length} units`);

  // Patrols: each plan's cells and units inspected on their cadence, most of the time.
  const { rows: users } = await q.query<{ id: number; username: string; role: string }>('SELECT id, username, role FROM users WHERE active ORDER BY id');
  const worker = users.find((u) => u.role === 'worker') ?? users.find((u) => u.role === 'admin') ?? null;
  const supervisor = users.find((u) => u.role === 'commander') ?? users.find((u) => u.role === 'admin') ?? worker;
  const inspectionBase = await nextId(q, 'inspections');
  const visitBase = await nextId(q, 'inspection_visits');
  const inspections: Record<string, unknown>[] = [];
  const visits: Record<string, unknown>[] = [];
  const records: Record<string, unknown>[] = [];
  const findings: ReportSeed[] = [];
  const dailyInspection = new Map<string, { id: number; start: number }>();
  const visited = new Set<string>();
  const start = now - patrolDays * DAY;

  const inspect = (cell: CellRow, plan: PatrolPlanConfig | null, at: number): { id: number; start: number } => {
    const people = assigned.get(cell.id) ?? [];
    const fit = plan ? people.filter((p) => plan.roles.includes(p.role)) : people;
    const who = rng.pick(fit.length ? fit : people);
    const id = inspectionBase + inspections.length;
    const finished = Math.min(at + rng.int(25, 110) * 60_000, now);
    inspections.push({ id, cell_id: cell.id, cell_code: cell.code, cell_name: cell.name, cell_level: cell.level, inspector: who?.name ?? 'demo',
      person_id: who?.personId ?? null, started_at: new Date(at).toISOString(), finished_at: new Date(finished).toISOString(),
      note: rng.chance(0.15) ? rng.pick(['巡查正常', '已提醒商户整理门前杂物', '发现问题已现场督促整改', '重点部位已检查']) : null });
    return { id, start: at };
  };
  const windowStart = (cadence: Cadence): number => {
    if (!cadence.window) return rng.int(8 * 60 + 30, 17 * 60) / 60;
    const [h, m] = cadence.window.from.split(':').map(Number) as [number, number];
    return h + m / 60 + rng.int(0, 200) / 60;
  };
  const periodDays = (c: Cadence) => (c.period === 'day' ? 1 : c.period === 'week' ? 7 : 30) * (c.every ?? 1);

  for (const plan of config.patrols.plans.filter((p) => p.level !== undefined)) {
    const step = periodDays(plan.cadence);
    for (const cell of cells.filter((c) => c.level === plan.level)) {
      // A few cells fall behind lately: coverage is high, not perfect.
      const lagging = rng.chance(0.06) ? rng.int(step + 1, step * 3) * DAY : 0;
      for (let p = start; p < now; p += step * DAY) {
        for (let k = 0; k < (plan.cadence.times ?? 1); k++) {
          if (!rng.chance(0.93)) continue;
          const at = atLocalHour(p + rng.int(0, step - 1) * DAY, windowStart(plan.cadence));
          if (at > now - lagging || at > now) continue;
          const ins = inspect(cell, plan, at);
          if (plan.cadence.period === 'day') dailyInspection.set(`${cell.id}:${Math.floor((at + LOCAL) / DAY)}`, ins);
        }
      }
    }
  }
  // Units: visited on their plan's cadence during a patrol of their cell; some are overdue.
  for (const u of units) {
    const plan = config.patrols.plans.find((p) => p.unitTypes?.includes(u.type));
    if (!plan) continue;
    const step = periodDays(plan.cadence);
    const times = plan.cadence.times ?? 1;
    const overdueSince = rng.chance(0.08) ? now - rng.int(step + 2, step * 3) * DAY : now;
    const checklist = config.patrols.checklists[u.type] ?? config.patrols.checklists.default ?? [];
    let lastProblem: string | null = null;
    for (let p = start; p < now; p += step * DAY) {
      for (let k = 0; k < times; k++) {
        const day = p + rng.int(0, step - 1) * DAY;
        if (day > overdueSince || !rng.chance(0.95)) continue;
        const key = `${u.cellId}:${Math.floor((day + LOCAL) / DAY)}`;
        let ins = dailyInspection.get(key);
        if (!ins) {
          const at = atLocalHour(day, rng.int(9 * 60, 16 * 60) / 60);
          if (at > now) continue;
          ins = inspect(byId.get(u.cellId)!, plan, at);
          dailyInspection.set(key, ins);
        }
        const at = Math.min(ins.start + rng.int(3, 25) * 60_000, now);
        const far = rng.chance(0.03);
        const d = far ? rng.int(180, 420) : rng.int(3, 45);
        const angle = rng.next() * 2 * Math.PI;
        const where = metresToDegrees(u.point, d * Math.cos(angle), d * Math.sin(angle));
        const items = checklist.map((it) => ({ code: it.code, ok: !rng.chance(0.04), zh: it.zh }));
        const bad = items.find((i) => !i.ok);
        const id = visitBase + visits.length;
        if (visited.has(`${ins.id}:${u.id}`)) continue;
        visited.add(`${ins.id}:${u.id}`);
        visits.push({ id, inspection_id: ins.id, unit_id: u.id, unit_name: u.name, unit_type: u.type, cell_id: u.cellId,
          at: new Date(at).toISOString(), lon: where.lon, lat: where.lat, accuracy_m: rng.int(5, 30), distance_m: d, far,
          checklist: items.map(({ code, ok }) => ({ code, ok })), note: bad ? `发现：${bad.zh}` : null });
        const date = new Date(at + LOCAL).toISOString().slice(0, 10);
        if (bad) {
          records.push({ unit_id: u.id, date, kind: 'inspection', text: `检查发现：${bad.zh}，已责令限期整改`, created_at: new Date(at).toISOString() });
          lastProblem = bad.zh;
          if (rng.chance(0.3)) findings.push({ created: at, cellId: u.cellId, point: u.point, category: rng.pick(u.categories), source: 'patrol',
            finding: { inspectionId: ins.id, visitId: id, unitId: u.id, text: `${u.name}检查发现：${bad.zh}一项不合格` } });
        } else if (lastProblem) {
          records.push({ unit_id: u.id, date, kind: 'inspection', text: `复查：${lastProblem}已整改到位`, created_at: new Date(at).toISOString() });
          lastProblem = null;
        } else if (rng.chance(0.25)) {
          records.push({ unit_id: u.id, date, kind: 'inspection', text: '例行检查，未发现问题', created_at: new Date(at).toISOString() });
        }
      }
    }
  }
  for (const u of units) {
    if (rng.chance(0.3)) {
      records.push({ unit_id: u.id, date: new Date(now - rng.int(30, days) * DAY + LOCAL).toISOString().slice(0, 10), kind: 'note',
        text: rng.pick(['已签订消防安全责任书', '负责人变更，已更新联系方式', '已开展员工消防培训', '已张贴安全警示标识']), created_at: new Date(now - days * DAY).toISOString() });
    }
  }
  await insertRows(q, 'inspections', { id: 'int', cell_id: 'int', cell_code: 'text', cell_name: 'text', cell_level: 'int', inspector: 'text',
    person_id: 'int', started_at: 'timestamptz', finished_at: 'timestamptz', note: 'text' }, inspections);
  await syncIdentity(q, 'inspections');
  await insertRows(q, 'inspection_visits', { id: 'int', inspection_id: 'int', unit_id: 'int', unit_name: 'text', unit_type: 'text', cell_id: 'int',
    at: 'timestamptz', _lon: 'float8', _lat: 'float8', accuracy_m: 'real', distance_m: 'float8', far: 'boolean', checklist: 'jsonb', note: 'text' },
  visits.map(({ lon, lat, ...v }) => ({ ...v, _lon: lon, _lat: lat })),
  { geom: 'ST_SetSRID(ST_MakePoint(x._lon, x._lat), 4326)', location_source: "'device'" });
  await syncIdentity(q, 'inspection_visits');
  await insertRows(q, 'unit_records', { unit_id: 'int', date: 'date', kind: 'text', text: 'text', created_at: 'timestamptz' }, records, { created_by: "'demo'" });
  log(`${inspections.length} inspections, ${visits.length} unit visits, ${records.length} unit records`);

  // Reports: hot spots (a few cells draw most), a category each street is known for, a recent surge.
  const leafWeights = leaves.map((c) => [c, rng.chance(0.1) ? 8 : rng.chance(0.3) ? 2 : 1] as const);
  const surge = leaves.length ? rng.pick(leaves) : null;
  const streetOf = (id: number): number => {
    let c = byId.get(id)!;
    while (c.level > 2 && c.parent_id !== null) c = byId.get(c.parent_id)!;
    return c.id;
  };
  const categories = config.reports.categories.map((c) => c.code);
  const streetCategory = new Map(cells.filter((c) => c.level === 2).map((c) => [c.id, rng.pick(categories)]));
  const total = opts.reports ?? Math.round(leaves.length * 6 * (days / 30));
  // Findings of patrols become reports too, up to 15% of them, spread over units and time.
  const stride = Math.max(1, Math.ceil(findings.length / Math.max(1, Math.floor(total * 0.15))));
  const seeds: ReportSeed[] = findings.filter((_, i) => i % stride === 0);
  while (seeds.length < total && leaves.length) {
    const recentSurge = surge && rng.chance(0.04);
    const cell = recentSurge ? surge : rng.weighted(leafWeights);
    const pts = points.get(cell.id) ?? [];
    if (!pts.length) continue;
    // Hot points: most reports of a cell come from a few places.
    const point = pts[rng.chance(0.7) ? rng.int(0, Math.min(HOT_POINTS, pts.length) - 1) : rng.int(0, pts.length - 1)]!;
    const daysAgo = recentSurge ? rng.next() * 30 : days * Math.pow(rng.next(), 1.25);
    let created = atLocalHour(now - daysAgo * DAY, 7.5 + rng.next() * 14);
    if (created > now) created -= DAY;
    if (created < now - days * DAY) created += DAY;
    const favoured = streetCategory.get(streetOf(cell.id));
    const category = recentSurge && categories.includes('environment') ? 'environment'
      : favoured && rng.chance(0.25) ? favoured : rng.weighted(categories.map((c) => [c, CATEGORY_WEIGHTS[c] ?? 5] as const));
    const source = rng.weighted([['resident', 42], ['patrol', 33], ['hotline', 15], ['inspection', 10]] as const);
    seeds.push({ created, cellId: cell.id, point, category, source });
  }
  seeds.sort((a, b) => a.created - b.created);

  const reportBase = await nextId(q, 'reports');
  const reports: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  const warnings: Record<string, unknown>[] = [];
  const rewards: Record<string, unknown>[] = [];
  const findingRows: Record<string, unknown>[] = [];
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  let trackingSeq = reportBase;

  for (const s of seeds) {
    const id = reportBase + reports.length;
    const severity: Severity = rng.chance(0.07) ? 'major' : 'ordinary';
    const staff = s.source === 'patrol' || s.source === 'inspection';
    const anonymous = s.source === 'resident' && rng.chance(0.35);
    const confidential = !staff && !anonymous && rng.chance(0.2);
    const hours = (state: State) => stepHours(config.reports, s.category, severity, stepOf(state)!);
    const people = assigned.get(s.cellId) ?? [];
    const stall = rng.chance(0.05) ? rng.pick(['reported', 'verified', 'rectifying', 'rectified'] as const) : null;
    let state: State = 'reported';
    let t = s.created;
    let assignees: number[] = [];
    let department: string | null = null;
    let closedAt: number | null = null;
    let supervised = false;
    const warned = new Set<number>();
    const firstEvent = events.length;
    const ev = (at: number, action: string, from: State | null, to: State, extra: Record<string, unknown> = {}) => {
      const user = action === 'close' || action === 'return' ? supervisor : action === 'create' && !staff ? null : worker;
      events.push({ report_id: id, at: iso(at), action, user_id: user?.id ?? null, username: user?.username ?? (action === 'create' ? null : 'demo'),
        from_state: from, to_state: to, from_cell: from === null ? null : s.cellId, to_cell: s.cellId, note: null, reply: null, detail: {}, ...extra });
    };
    ev(t, 'create', null, 'reported', { detail: { source: s.source, photos: 0 } });

    // Runs one step from `t`; escalates up the cells at each missed deadline; returns false when the step is still open now.
    let open: { escalatedTo: number | null; level: number; escalateAt: number | null; due: number } | null = null;
    const step = (median: number): boolean => {
      const h = hours(state);
      const slow = stall === state ? 30 : rng.chance(0.03) ? 3 : 1;
      const end = t + Math.min(rng.around(median) * slow, h * 6) * HOUR;
      const due = t + h * HOUR;
      let at = due;
      let from = s.cellId;
      let level = 0;
      let escalateAt: number | null = due;
      while (escalateAt !== null && escalateAt <= Math.min(end, now)) {
        const parent = byId.get(from)?.parent_id ?? null;
        const stepName = stepOf(state)!;
        for (const p of [...(assigned.get(from) ?? []).map((a) => a.personId), ...(level === 0 && stepName === 'rectify' ? assignees : [])]) {
          if (warned.has(p)) continue;
          warned.add(p);
          warnings.push({ report_id: id, person_id: p, cell_id: from, step: stepName, at: iso(at) });
        }
        ev(at, parent !== null ? 'escalate' : 'overdue', state, state,
          { from_cell: from, to_cell: parent ?? from, user_id: null, username: null, detail: { step: stepName, dueAt: iso(due), level: level + (parent !== null ? 1 : 0) } });
        if (parent === null) {
          escalateAt = null;
          break;
        }
        from = parent;
        level++;
        at += Math.max(h * HOUR, HOUR);
        escalateAt = at;
      }
      if (end > now) {
        open = { escalatedTo: level ? from : null, level, escalateAt, due };
        return false;
      }
      t = end;
      return true;
    };
    const move = (action: string, to: State, extra: Record<string, unknown> = {}) => {
      ev(t, action, state, to, extra);
      state = to;
    };

    if (step(5)) {
      if (rng.chance(0.07)) {
        move('reject', 'rejected', { note: '经现场核实，反映情况不属实', reply: '经现场核实，您反映的问题不属实。' });
        closedAt = null;
      } else {
        move('verify', 'verified', { reply: '您反映的问题已核实，正在按规定处理。' });
        if (severity === 'major') supervised = true;
        if (s.source === 'resident' || s.source === 'hotline') {
          rewards.push({ report_id: id, amount: config.reports.rewards[severity], created_at: iso(t),
            paid_at: t + 20 * DAY < now && rng.chance(0.8) ? iso(t + rng.int(5, 20) * DAY) : null });
        }
        if (step(4)) {
          const workers = people.filter((p) => ['specific_responsible', 'info_officer', 'assistant', 'manager'].includes(p.role));
          if (rng.chance(0.1) || !workers.length) {
            department = DEPARTMENTS[s.category] ?? '区城市管理执法局';
            move('dispatch', 'dispatched', { detail: { assignees: [], department, dueAt: iso(t + hours('dispatched') * HOUR) } });
          } else {
            assignees = [rng.pick(workers).personId];
            if (rng.chance(0.3)) assignees = [...new Set([...assignees, rng.pick(workers).personId])];
            move('dispatch', 'dispatched', { detail: { assignees, dueAt: iso(t + hours('dispatched') * HOUR) } });
          }
          if (step(3)) {
            move('accept', 'rectifying');
            let rounds = 0;
            while (step(severity === 'major' ? 240 : 60)) {
              move('rectify', 'rectified', { note: rng.pick(['已清理完毕，恢复通道畅通', '已更换设施并拍照留存', '已责令整改，现场复查合格', '已拆除并恢复原状']) });
              if (!step(18)) break;
              if (rounds++ === 0 && rng.chance(0.06)) {
                move('return', 'rectifying', { note: '整改不到位，退回重新整改' });
                continue;
              }
              move('close', 'closed', { reply: '您反映的问题已整改完毕，经核查结案。感谢您的监督。' });
              closedAt = t;
              break;
            }
          }
        }
      }
    }
    const final = state as State;
    const finished = final === 'closed' || final === 'rejected';
    const o = open as { escalatedTo: number | null; level: number; escalateAt: number | null; due: number } | null;
    const stepStart = finished ? iso(t) : (events.slice(firstEvent).filter((e) => e.to_state === final && e.from_state !== state).at(-1)?.at as string | undefined) ?? iso(t);
    const last = events[events.length - 1]!.at as string;
    const hasName = !anonymous && !staff;
    reports.push({
      id, tracking_code: trackingCode(trackingSeq++, rng), _lon: s.point.lon, _lat: s.point.lat, category: s.category, severity,
      description: s.finding?.text ?? rng.pick(DESCRIPTIONS[s.category] ?? DESCRIPTIONS.other!), source: s.source,
      reporter_name: hasName ? personName(rng) : null, reporter_contact: hasName ? otherPhone() : null,
      confidential, reporter_user_id: staff ? worker?.id ?? null : null, state: final, cell_id: s.cellId,
      escalated_to: o?.escalatedTo ?? null, escalation_level: o?.level ?? 0, supervised, assignees, department,
      step_started_at: stepStart, due_at: finished ? null : iso(o?.due ?? null), escalate_at: finished ? null : iso(o?.escalateAt ?? null),
      created_at: iso(s.created), updated_at: last, closed_at: iso(closedAt), version: events.length - firstEvent,
    });
    if (s.finding) findingRows.push({ report_id: id, inspection_id: s.finding.inspectionId, visit_id: s.finding.visitId, unit_id: s.finding.unitId });
  }
  await insertRows(q, 'reports', { id: 'int', tracking_code: 'text', _lon: 'float8', _lat: 'float8', category: 'text', severity: 'text', description: 'text',
    source: 'text', reporter_name: 'text', reporter_contact: 'text', confidential: 'boolean', reporter_user_id: 'int', state: 'text', cell_id: 'int',
    escalated_to: 'int', escalation_level: 'int', supervised: 'boolean', assignees: 'int[]', department: 'text', step_started_at: 'timestamptz',
    due_at: 'timestamptz', escalate_at: 'timestamptz', created_at: 'timestamptz', updated_at: 'timestamptz', closed_at: 'timestamptz', version: 'int' },
  reports.map((r) => ({ ...r, assignees: `{${(r.assignees as number[]).join(',')}}` })),
  { geom: 'ST_SetSRID(ST_MakePoint(x._lon, x._lat), 4326)' });
  await syncIdentity(q, 'reports');
  await insertRows(q, 'report_events', { report_id: 'int', at: 'timestamptz', action: 'text', user_id: 'int', username: 'text', from_state: 'text',
    to_state: 'text', from_cell: 'int', to_cell: 'int', note: 'text', reply: 'text', detail: 'jsonb' }, events);
  await insertRows(q, 'report_warnings', { report_id: 'int', person_id: 'int', cell_id: 'int', step: 'text', at: 'timestamptz' }, warnings);
  await insertRows(q, 'report_rewards', { report_id: 'int', amount: 'int', created_at: 'timestamptz', paid_at: 'timestamptz' }, rewards);
  await insertRows(q, 'inspection_findings', { report_id: 'int', inspection_id: 'int', visit_id: 'int', unit_id: 'int' }, findingRows);
  log(`${reports.length} reports, ${events.length} events, ${warnings.length} warnings, ${rewards.length} rewards`);

  // The worker account is a person too (information officer of the first area of its street).
  if (worker) {
    const person = leaves[0] && assigned.get(leaves[0].id)?.find((a) => a.role === 'info_officer');
    if (person) await q.query('UPDATE users SET person_id = $1 WHERE id = $2 AND person_id IS NULL', [person.personId, worker.id]);
  }
  return { people: people.length, assignments: assignments.length, units: units.length, reports: reports.length, events: events.length,
    inspections: inspections.length, visits: visits.length };
}
