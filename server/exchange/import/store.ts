/** An upload's features, kept in the database between its upload, its previews and its commit. */
import type { Queryable } from '../../db/db.ts';
import type { SourceFeature } from './read.ts';

/** Lets the server answer others between two statements (the embedded database is one connection). */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The uploaded features, a row each, written about 250 kB a statement. */
export async function storeFeatures(q: Queryable, id: string, features: SourceFeature[]) {
  for (let i = 0; i < features.length;) {
    const idx: number[] = [], geometry: (string | null)[] = [], properties: string[] = [];
    let bytes = 0;
    while (i < features.length && (idx.length === 0 || (bytes < 250_000 && idx.length < 500))) {
      const f = features[i++]!;
      const g = f.geometry ? JSON.stringify(f.geometry) : null;
      const p = JSON.stringify(f.properties);
      bytes += (g?.length ?? 0) + p.length;
      idx.push(f.index);
      geometry.push(g);
      properties.push(p);
    }
    await q.query(
      `INSERT INTO cell_import_features (import_id, idx, geometry, properties) SELECT $1, i, g::json, p::json FROM unnest($2::int[], $3::text[], $4::text[]) AS u(i, g, p)`,
      [id, idx, geometry, properties]);
    await tick();
  }
}

/** The uploaded features in order, read a chunk a statement (an import stored before 015 has them in one column). */
export async function loadFeatures(q: Queryable, id: string): Promise<SourceFeature[]> {
  const out: SourceFeature[] = [];
  for (;;) {
    const { rows } = await q.query<{ idx: number; geometry: SourceFeature['geometry']; properties: SourceFeature['properties'] }>(
      'SELECT idx, geometry, properties FROM cell_import_features WHERE import_id = $1 AND idx >= $2 ORDER BY idx LIMIT 300', [id, out.length]);
    for (const r of rows) out.push({ index: r.idx, geometry: r.geometry, properties: r.properties });
    if (rows.length < 300) break;
    await tick();
  }
  if (out.length) return out;
  const { rows } = await q.query<{ features: SourceFeature[] | null }>('SELECT features FROM cell_imports WHERE id = $1', [id]);
  return rows[0]?.features ?? [];
}
