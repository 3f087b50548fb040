/**
 * The demo from the shell.
 *   npm run demo -- --prepare
 *       builds the embedded demo database once for this code version (npm install runs it), so the
 *       first `npm start` only copies it. Does nothing with DATABASE_URL or WANGGE_SEED_DEMO=false.
 *   npm run demo -- --cells 100000 --reports 10000000 [--days 182] [--patrol-days 35] [--seed 1]
 *       a city-sized grid (a new district: streets of 16 communities of 16 areas, ~450 m squares)
 *       filled by the same generators as the demo, street by street, into the configured database
 *       (DATABASE_URL, else the embedded data directory). Every row is marked as demo data.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.ts';
import type { Db } from '../server/db/db.ts';
import { openDb } from '../server/db/open.ts';
import { migrate } from '../server/db/migrate.ts';
import { seedLivingDemo } from '../server/demo/living.ts';
import { ensureDemoTemplate } from '../server/demo/template.ts';

const { values } = parseArgs({
  options: {
    prepare: { type: 'boolean' },
    cells: { type: 'string' },
    reports: { type: 'string' },
    days: { type: 'string' },
    'patrol-days': { type: 'string' },
    seed: { type: 'string' },
  },
});
const config = loadConfig();

if (values.prepare) {
  if (config.databaseUrl || !config.seedDemo) {
    console.log('demo: nothing to prepare (PostgreSQL or WANGGE_SEED_DEMO=false)');
  } else {
    try {
      await ensureDemoTemplate(config, (line) => console.log(`demo: ${line}`));
    } catch (e) {
      // Never fail an install: the first start builds it then.
      console.warn(`demo: the demo database was not prepared (${(e as Error).message}); the first start will build it`);
    }
  }
  process.exit(0);
}

const areas = Number(values.cells ?? 1000);
const reports = Number(values.reports ?? areas * 10);
if (!Number.isInteger(areas) || areas < 1 || areas > 1_000_000 || !Number.isInteger(reports) || reports < 0) {
  console.error('usage: npm run demo -- --cells <1..1000000> --reports <n> [--days 182] [--patrol-days 35] [--seed 1]');
  process.exit(2);
}
const days = Number(values.days ?? 182);
const patrolDays = Number(values['patrol-days'] ?? Math.min(days, 35));
const seed = Number(values.seed ?? 1);

/** Writes a square grid of at least `areas` area cells under a new district; returns the new street ids. */
async function generateGrid(db: Db, areas: number): Promise<number[]> {
  const side = Math.ceil(Math.sqrt(areas));
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cells WHERE level = 1 AND code LIKE '99%'`);
  const n = rows[0]!.n;
  const root = String(990000 + n + 1);
  // Away from the demo district; each further run one degree east.
  const x0 = 108 + n;
  const y0 = 34;
  const d = 0.005;
  const params = [root, side, x0, y0, d];
  return db.transaction(async (tx) => {
    await tx.query(`INSERT INTO cells (code, name, level, parent_id, geom, created_by, updated_by)
      VALUES ($1::text, '规模演示区' || $1::text, 1, NULL, ST_Multi(ST_MakeEnvelope($3::float8, $4::float8, $3::float8 + $2::int * $5::float8, $4::float8 + $2::int * $5::float8, 4326)), 'demo', 'demo')`,
    [root, side, x0, y0, d]);
    // Streets of 16×16 areas, communities of 4×4, clipped to the square.
    const level = async (lvl: number, size: number, codeSql: string, parentSql: string, name: string) => {
      await tx.query(`INSERT INTO cells (code, name, level, parent_id, geom, created_by, updated_by)
        SELECT ${codeSql}, ${name}, ${lvl}, p.id,
          ST_Multi(ST_MakeEnvelope($3::float8 + i * ${size} * $5::float8, $4::float8 + j * ${size} * $5::float8,
            $3::float8 + LEAST((i + 1) * ${size}, $2::int) * $5::float8, $4::float8 + LEAST((j + 1) * ${size}, $2::int) * $5::float8, 4326)), 'demo', 'demo'
        FROM generate_series(0, ($2::int - 1) / ${size}) i CROSS JOIN generate_series(0, ($2::int - 1) / ${size}) j
        JOIN cells p ON p.code = ${parentSql}`, params);
    };
    const street = (i: string, j: string) => `$1::text || lpad((((${i}) / 16) * (($2::int + 15) / 16) + (${j}) / 16 + 1)::text, 3, '0')`;
    const community = (i: string, j: string) => `${street(i, j)} || lpad(((((${i}) / 4) % 4) * 4 + ((${j}) / 4) % 4 + 1)::text, 3, '0')`;
    await level(2, 16, street('i * 16', 'j * 16'), '$1::text', `'街道' || (i * (($2::int + 15) / 16) + j + 1)`);
    await level(3, 4, community('i * 4', 'j * 4'), street('i * 4', 'j * 4'), `'社区' || (i * 4 + j)`);
    await level(4, 1, `${community('i', 'j')} || lpad(((i % 4) * 4 + j % 4 + 1)::text, 3, '0')`, community('i', 'j'), `'片区' || (i * $2::int + j)`);
    const { rows: streets } = await tx.query<{ id: number }>('SELECT id FROM cells WHERE level = 2 AND code LIKE $1::text || \'%\' ORDER BY code', [root]);
    return streets.map((s) => s.id);
  });
}

const started = Date.now();
const db = await openDb(config);
await migrate(db);
const streets = await generateGrid(db, areas);
console.log(`demo: ${Math.ceil(Math.sqrt(areas)) ** 2} area cells in ${streets.length} streets (${((Date.now() - started) / 1000).toFixed(1)} s)`);
const now = new Date();
const totals = { people: 0, units: 0, reports: 0, events: 0, inspections: 0, visits: 0 };
let left = reports;
for (const [i, street] of streets.entries()) {
  const share = Math.round(left / (streets.length - i));
  left -= share;
  const s = await db.transaction((tx) => seedLivingDemo(tx, config, { now, seed: seed * 100_003 + i, root: street, reports: share, days, patrolDays }));
  for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += s[k];
  if (i % 10 === 9 || i === streets.length - 1) {
    console.log(`demo: ${i + 1}/${streets.length} streets, ${totals.reports} reports, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
console.log(`demo: done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(totals)}`);
await db.close();
