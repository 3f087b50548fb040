import type { Db } from '../../server/db/db.ts';
import { Rng } from '../../server/demo/random.ts';
import { insertCell } from './cells.ts';

/** A concave, L-shaped community (about 1.8 × 2.2 km) under a street under a district. */
export const L_SHAPE = [[[107.1, 34.3], [107.12, 34.3], [107.12, 34.31], [107.11, 34.31], [107.11, 34.32], [107.1, 34.32], [107.1, 34.3]]];

const KINDS: [string, string, number][] = [
  ['residential', 'rented_housing', 30], ['shop', 'small_place', 25], ['restaurant', 'small_place', 15], ['school', 'key_fire_b', 3],
  ['factory', 'pollution_source', 4], ['market', 'key_fire_b', 2], ['warehouse', 'key_fire_c', 4], ['pharmacy', 'small_place', 4],
];

/**
 * The community with `units` units placed deterministically (a denser old town in the south-west
 * corner), residential ones with households. Returns the cell ids and the households on file.
 */
export async function lShapedCommunity(db: Db, units: number, seed = 20): Promise<{ district: number; street: number; community: number; households: number }> {
  const district = await insertCell(db, { code: '610302', name: '渭滨区', level: 1, rings: [[[107, 34.2], [107.2, 34.2], [107.2, 34.4], [107, 34.4], [107, 34.2]]] });
  const street = await insertCell(db, { code: '610302001', name: '清姜街道', level: 2, parentId: district, rings: [[[107.05, 34.25], [107.15, 34.25], [107.15, 34.35], [107.05, 34.35], [107.05, 34.25]]] });
  const community = await insertCell(db, { code: '610302001001', name: '姜城社区', level: 3, parentId: street, rings: L_SHAPE });
  const rng = new Rng(seed);
  const rows: { type: string; name: string; attributes: Record<string, unknown>; lon: number; lat: number }[] = [];
  let households = 0;
  while (rows.length < units) {
    const old = rng.chance(0.4);
    const lon = old ? 107.1 + rng.next() * 0.006 : 107.1 + rng.next() * 0.02;
    const lat = old ? 34.3 + rng.next() * 0.006 : 34.3 + rng.next() * 0.02;
    if (lon >= 107.11 && lat >= 34.31) continue; // the missing corner of the L
    const [kind, type] = rng.weighted(KINDS.map((k) => [k, k[2]] as const));
    const attributes: Record<string, unknown> = { kind };
    if (kind === 'residential') {
      attributes.households = rng.int(24, 120);
      households += attributes.households as number;
    }
    rows.push({ type, name: `${kind} ${rows.length + 1}`, attributes, lon: Math.round(lon * 1e7) / 1e7, lat: Math.round(lat * 1e7) / 1e7 });
  }
  await db.query(
    `INSERT INTO units (type, name, attributes, geom)
     SELECT t, n, a::jsonb, ST_SetSRID(ST_MakePoint(x, y), 4326) FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[]) AS r(t, n, a, x, y)`,
    [rows.map((r) => r.type), rows.map((r) => r.name), rows.map((r) => JSON.stringify(r.attributes)), rows.map((r) => r.lon), rows.map((r) => r.lat)]);
  return { district, street, community, households };
}
