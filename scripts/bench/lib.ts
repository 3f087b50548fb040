/**
 * Shared pieces of the benchmarks: the two databases (embedded PGlite in a data directory, and a
 * schema of its own on the PostgreSQL at BENCH_DATABASE_URL), timers, percentiles, tables and the
 * JSON written under bench-results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import type { Db } from '../../server/db/db.ts';
import { openEmbeddedDb } from '../../server/db/embedded.ts';
import { createPostgresDb } from '../../server/db/postgres.ts';
import { migrate } from '../../server/db/migrate.ts';

export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/wangge_bench';
export const HEAVY = process.env.BENCH_HEAVY === '1';
/** `npm run bench -- --quick` (BENCH_QUICK=1 in the jobs): the reduced set, under 5 minutes. */
export const QUICK = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');

export type DbKind = 'embedded' | 'postgres';
export const DB_LABEL: Record<DbKind, string> = { embedded: 'embedded PGlite', postgres: 'PostgreSQL' };

/** Where a prepared data set lives: a PGlite data directory, or a schema on BENCH_DATABASE_URL. */
export interface Place {
  kind: DbKind;
  /** PGlite data directory (embedded; '' = in memory) or schema name (postgres). */
  where: string;
}

/** Creates the benchmark database with PostGIS when it is missing (the server must trust us to). */
export async function ensureBenchDatabase(url = BENCH_DATABASE_URL): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS postgis');
  } finally {
    await db.end();
  }
}

/** A PostgreSQL connection string whose sessions see `schema` first (for a server child process). */
export function schemaUrl(schema: string, url = BENCH_DATABASE_URL): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema},public`);
  return u.toString();
}

/** Opens a prepared place (creating and migrating it when `create`); close with db.close(). */
export async function openPlace(place: Place, opts: { create?: boolean; poolSize?: number } = {}): Promise<Db> {
  if (place.kind === 'embedded') {
    const db = await openEmbeddedDb({ dataDir: place.where });
    if (opts.create) await migrate(db);
    return db;
  }
  if (opts.create) {
    const admin = new pg.Client({ connectionString: BENCH_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(place.where)}`);
    await admin.end();
  }
  const db = createPostgresDb({ connectionString: BENCH_DATABASE_URL, schema: place.where, max: opts.poolSize ?? 10 });
  if (opts.create) await migrate(db);
  return db;
}

export async function dropSchemas(prefix: string): Promise<void> {
  const admin = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`${prefix}%`]);
    for (const r of rows) await admin.query(`DROP SCHEMA ${pg.escapeIdentifier(r.nspname)} CASCADE`);
  } finally {
    await admin.end();
  }
}

export const seconds = (startNs: bigint) => Number(process.hrtime.bigint() - startNs) / 1e9;

export async function timeIt<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const r = await fn();
  return [r, seconds(start)];
}

/** The p-th percentile (0..100) of samples, nearest rank. */
export function percentile(samples: number[], p: number): number {
  if (!samples.length) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** A deterministic pseudo-random generator (LCG), so every run generates the same data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Peak resident set size of this process so far, in MiB. */
export const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

export type Cell = string | number;

export function formatTable(header: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map((c) => String(c)));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => text.every((r) => /^[-\d.,×x%/ ]*$/.test(r[i] ?? '')));
  const line = (cols: string[]) => cols.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

export function printTable(title: string, header: string[], rows: Cell[][]): void {
  console.log(`\n${title}\n${formatTable(header, rows)}`);
}

export const machine = () => ({ cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), loadavg: os.loadavg(), node: process.version, heavy: HEAVY });

/** Writes bench-results/<name>-<timestamp>.json and returns its path. */
export function writeResult(name: string, data: unknown): string {
  mkdirSync('bench-results', { recursive: true });
  const file = `bench-results/${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ machine: machine(), ...(data as object) }, null, 2));
  return file;
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
export const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}×` : '–');
