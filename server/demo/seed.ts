import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FeatureCollection, MultiPolygon } from 'geojson';
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import { seedDemoAccounts } from '../auth/bootstrap.ts';
import { seedLivingDemo, type LivingDemoSummary } from './living.ts';
import { ROOT } from '../root.ts';

export const DEMO_DISTRICT_FILE = path.join(ROOT, 'data/demo/weibin.geojson');

interface DemoProps {
  code: string;
  name: string;
  level: number;
  parentCode: string | null;
}

/**
 * Loads the demo district (渭滨区, Baoji) into an empty cells table, in one transaction.
 * Returns the number of cells written, or 0 when cells already exist. It writes the rows itself,
 * not through the cells writer (server/cells/writer.ts): there is no request or user yet, nothing
 * to re-file and nothing to audit (the one exception tests/unit/cells-writer.test.ts allows).
 */
export async function seedDemoDistrict(db: Db, file = DEMO_DISTRICT_FILE): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cells');
  if ((rows[0]?.n ?? 0) > 0) return 0;
  const fc = JSON.parse(readFileSync(file, 'utf8')) as FeatureCollection<MultiPolygon, DemoProps>;
  const features = [...fc.features].sort((a, b) => a.properties.level - b.properties.level);
  return db.transaction(async (tx) => {
    const ids = new Map<string, number>();
    for (const f of features) {
      const p = f.properties;
      const parentId = p.parentCode === null ? null : ids.get(p.parentCode);
      if (parentId === undefined) throw new Error(`demo cell ${p.code}: parent ${p.parentCode} not found`);
      const r = await tx.query<{ id: number }>(
        `INSERT INTO cells (code, name, level, parent_id, geom, created_by, updated_by)
         VALUES ($1, $2, $3, $4, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($5), 4326)), 'demo', 'demo') RETURNING id`,
        [p.code, p.name, p.level, parentId, JSON.stringify(f.geometry)],
      );
      ids.set(p.code, r.rows[0]!.id);
    }
    return features.length;
  });
}

export interface DemoSeeded {
  cells: number;
  accounts: string[];
  living: LivingDemoSummary | null;
}

/**
 * The whole demo, each part only into an empty database: the district's cells, the demo accounts,
 * then the living demo (people, units, six months of reports and patrols ending `now`).
 */
export async function seedDemo(db: Db, config: Config, now: Date, { living = true } = {}): Promise<DemoSeeded> {
  const cells = await seedDemoDistrict(db);
  const accounts = await seedDemoAccounts(db);
  const { rows } = await db.query<{ n: number }>('SELECT (SELECT count(*) FROM people) + (SELECT count(*) FROM reports) + (SELECT count(*) FROM units) AS n');
  const seeded = !living || (rows[0]?.n ?? 0) > 0 ? null : await db.transaction((tx) => seedLivingDemo(tx, config, { now }));
  return { cells, accounts, living: seeded };
}
