/**
 * Import/export: 10^4 cells (the benchmark tiling: 10,000 level-2 cells in 100 level-1 parents)
 * exported as GeoJSON and as a zipped Shapefile through the API (GET /api/export/cells.*), then the
 * same files imported back (POST /api/import/cells, the upload and its preview, then
 * /api/import/cells/:id/commit, all in one transaction) into an emptied cells table. The app runs
 * in-process (Fastify inject, no sockets): the figures are the handlers' and the database's work.
 * Features whose preview reports a problem (the tiling's injected strays and overlaps) are left out
 * of the commit, as a planner would; the row says how many.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import { loadConfig } from '../../server/config.ts';
import type { Db } from '../../server/db/db.ts';
import { loadCells } from './data.ts';
import { HEAVY, openPlace, seconds, type DbKind } from './lib.ts';

export const EXCHANGE_CELLS = HEAVY ? [10_000, 100_000] : [10_000];
const FORMATS = [
  { ext: 'geojson', label: 'GeoJSON' },
  { ext: 'shp.zip', label: 'Shapefile (zip)' },
] as const;

export interface ExchangeRow {
  cells: number;
  db: DbKind;
  format: string;
  exportSeconds: number;
  bytes: number;
  uploadSeconds: number;
  commitSeconds: number;
  importSeconds: number;
  features: number;
  imported: number;
  leftOut: number;
}

/** A multipart body as a browser's FormData sends it: the file in the field "file". */
async function multipart(name: string, data: Buffer) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)]), name);
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return { payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } };
}

async function planner(app: FastifyInstance, db: Db): Promise<Record<string, string>> {
  const password = 'bench exchange password';
  await db.query(`INSERT INTO users (username, display_name, password_hash, role, scope) VALUES ('bench_planner', 'bench', $1, 'planner', '{}')
                  ON CONFLICT (username) DO NOTHING`, [await hashPassword(password)]);
  const res = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'bench_planner', password } });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'wangge_session')!;
  return { cookie: `wangge_session=${cookie.value}`, 'x-csrf-token': (res.json() as { csrfToken: string }).csrfToken };
}

const cellCount = async (db: Db) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cells')).rows[0]!.n;

export async function benchExchange(kind: DbKind, runId: string, log: (s: string) => void): Promise<ExchangeRow[]> {
  const rows: ExchangeRow[] = [];
  for (const size of EXCHANGE_CELLS) {
    const db = await openPlace({ kind, where: kind === 'embedded' ? '' : `wg_bench_${runId}_exchange_${size}` }, { create: true });
    const base = loadConfig({});
    const app = await buildApp({ db, config: { ...base, security: { ...base.security, signInPerMinute: 1_000_000 } }, clientDir: '/nonexistent' });
    try {
      await app.ready();
      const headers = await planner(app, db);
      for (const { ext, label } of FORMATS) {
        await loadCells(db, size);
        const total = await cellCount(db);

        let start = process.hrtime.bigint();
        const exported = await app.inject({ method: 'GET', url: `/api/export/cells.${ext}` });
        const exportSeconds = seconds(start);
        if (exported.statusCode !== 200) throw new Error(`export ${ext}: ${exported.statusCode} ${exported.body.slice(0, 300)}`);
        const file = exported.rawPayload;

        await db.exec('TRUNCATE cells, cell_versions RESTART IDENTITY CASCADE');
        const body = await multipart(`cells.${ext}`, file);
        start = process.hrtime.bigint();
        const up = await app.inject({ method: 'POST', url: '/api/import/cells', payload: body.payload, headers: { ...headers, ...body.headers } });
        const uploadSeconds = seconds(start);
        if (up.statusCode !== 201) throw new Error(`upload ${ext}: ${up.statusCode} ${up.body.slice(0, 300)}`);
        const preview = up.json() as { id: string; featureCount: number; mapping: Record<string, string | null>; features: { index: number; problems: { severity?: string }[] }[] };
        const exclude = preview.features.filter((f) => f.problems.some((p) => p.severity !== 'warning')).map((f) => f.index);

        start = process.hrtime.bigint();
        const done = await app.inject({ method: 'POST', url: `/api/import/cells/${preview.id}/commit`, payload: { mapping: preview.mapping, exclude }, headers });
        const commitSeconds = seconds(start);
        if (done.statusCode !== 201) throw new Error(`commit ${ext}: ${done.statusCode} ${done.body.slice(0, 600)}`);
        const imported = await cellCount(db);

        const row: ExchangeRow = {
          cells: total, db: kind, format: label, exportSeconds, bytes: file.length, uploadSeconds, commitSeconds,
          importSeconds: uploadSeconds + commitSeconds, features: preview.featureCount, imported, leftOut: exclude.length,
        };
        log(`  ${total} cells ${label}: export ${exportSeconds.toFixed(2)} s (${file.length} B), upload ${uploadSeconds.toFixed(2)} s, commit ${commitSeconds.toFixed(2)} s, ${imported} imported, ${exclude.length} left out`);
        rows.push(row);
      }
    } finally {
      await app.close();
      await db.close();
    }
  }
  return rows;
}
