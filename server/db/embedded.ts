import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, types } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import type { Db, Queryable, QueryResult } from './db.ts';
import { ROOT } from '../root.ts';

// Same row shapes as node-postgres: int8 and numeric as JS numbers.
const parsers = {
  [types.INT8]: (v: string) => Number(v),
  [types.NUMERIC]: (v: string) => Number(v),
};

type PgliteLike = Pick<PGlite, 'query' | 'exec'>;

/**
 * A parameter as an untyped SQL literal ('…', cast to the parameter's type by PostgreSQL as a bound
 * text parameter is), or undefined when it cannot be one safely. Only ' is special inside a literal
 * with standard_conforming_strings on (checked before the first PREPARE); a NUL would end the
 * statement text, so it is not put in one.
 */
function literal(v: unknown): string | undefined {
  if (v === null || v === undefined) return 'NULL';
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    s = String(v);
  } else if (typeof v === 'boolean') s = String(v);
  else if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return undefined;
    s = v.toISOString();
  } else return undefined;
  return s.includes('\0') ? undefined : `'${s.replaceAll("'", "''")}'`;
}

function wrap(client: PgliteLike, prepared: Set<string>): Queryable {
  return {
    async query<T>(sql: string, params: unknown[] = [], name?: string): Promise<QueryResult<T>> {
      // A named hot statement is PREPAREd once and then EXECUTEd: PGlite parses, plans and describes
      // every query it is given, which cost the intake statement 45% of its time (PGlite alone: 630–680/s → 1,215/s).
      const literals = name ? params.map(literal) : [];
      if (name && /^[a-z_.]+$/.test(name) && literals.every((l) => l !== undefined)) {
        const id = `"${name}"`;
        if (!prepared.has(name)) {
          const [show] = await client.exec('SHOW standard_conforming_strings');
          if ((show?.rows[0] as Record<string, unknown> | undefined)?.standard_conforming_strings !== 'on') {
            throw new Error('standard_conforming_strings is off: parameters cannot be written as literals');
          }
          await client.exec(`PREPARE ${id} AS ${sql}`);
          prepared.add(name);
        }
        // The simple protocol: one message and a sync, where a query with parameters takes six.
        const [r] = await client.exec(literals.length ? `EXECUTE ${id}(${literals.join(', ')})` : `EXECUTE ${id}`, { parsers });
        const rows = (r?.rows ?? []) as T[];
        return { rows, rowCount: Math.max(rows.length, r?.affectedRows ?? 0) };
      }
      const r = await client.query<T>(sql, params, { parsers });
      // PGlite reports affectedRows 0 for a SELECT; node-postgres counts its rows.
      return { rows: r.rows, rowCount: Math.max(r.rows.length, r.affectedRows ?? 0) };
    },
    async exec(sql: string) {
      await client.exec(sql);
    },
  };
}

export interface EmbeddedOptions {
  /** Directory the database persists in; in memory when omitted. */
  dataDir?: string;
  /** A dump from PGlite.dumpDataDir to start from (tests clone a prepared database this way). */
  loadDataDir?: Blob;
}

interface PgliteModule {
  _PostgresMainLoopOnce: () => void;
  ___stack_pointer?: WebAssembly.Global;
  __wanggeStackGuard?: true;
}

/**
 * Why a few thousand failing statements killed the embedded database for good: PostgreSQL reports
 * an error with siglongjmp, which PGlite's WebAssembly build turns into a JavaScript exception
 * thrown out of `_PostgresMainLoopOnce` and caught in PGlite's JavaScript. That unwinds the
 * WebAssembly frames but not the C stack they keep in linear memory: the `__stack_pointer` global
 * is only moved back by the functions' epilogues, which never run. Every failed statement so left
 * some 1.1 KB (a syntax error 5.6 KB) of the 2 MB stack behind; after ~1,900 failures
 * check_stack_depth() found "stack depth limit exceeded" for every statement, SELECT 1 included,
 * until a restart. (Emscripten's own invoke_* wrappers save and restore the stack pointer around
 * every call that may throw; PGlite's call into the loop does not.) We do it for that call: the
 * stack pointer is put back where it was when the loop was entered, before PGlite's error handler
 * (_PostgresMainLongJmp) runs on it.
 */
function guardStackOnError(pglite: PGlite) {
  const mod = (pglite as unknown as { mod?: PgliteModule }).mod;
  const sp = mod?.___stack_pointer;
  if (!mod || mod.__wanggeStackGuard || !(sp instanceof WebAssembly.Global) || typeof mod._PostgresMainLoopOnce !== 'function') {
    if (!mod?.__wanggeStackGuard) throw new Error('PGlite internals changed: cannot guard its stack against failed statements (server/db/embedded.ts)');
    return;
  }
  const loopOnce = mod._PostgresMainLoopOnce;
  mod._PostgresMainLoopOnce = () => {
    const saved = sp.value as number;
    try {
      loopOnce();
    } catch (e) {
      sp.value = saved;
      throw e;
    }
  };
  mod.__wanggeStackGuard = true;
}

/** Wraps an open PGlite (with the PostGIS extension loaded) as a Db. */
export function wrapPglite(pglite: PGlite): Db {
  guardStackOnError(pglite);
  // Statements PREPAREd on this connection (PGlite is one session): prepared statements are not undone by a rollback.
  const prepared = new Set<string>();
  return {
    kind: 'embedded',
    ...wrap(pglite, prepared),
    // PGlite is one connection: its transaction() holds it, so other queries wait their turn.
    transaction: (fn) => pglite.transaction((tx) => fn(wrap(tx, prepared))),
    async listen(channel, onMessage) {
      const unsub = await pglite.listen(channel, onMessage);
      return unsub;
    },
    close: () => pglite.close(),
  };
}

const POSTGIS_BUNDLE = fileURLToPath(new URL('postgis.tar.gz', import.meta.resolve('@electric-sql/pglite-postgis')));

/**
 * PGlite compiles every shared library of an extension's bundle when it opens a database: PostGIS
 * ships raster and topology too (31 of its 48 MB of WebAssembly), which Wangge never uses. A copy
 * of the bundle without them (and without upgrade scripts) is made once next to the packages; it
 * saves most of the open time and a few hundred MB of memory. Without a `tar` command, the full one.
 */
function slimPostgisBundle(): string {
  const slim = path.join(ROOT, 'node_modules/.cache/wangge/postgis-slim.tar.gz');
  if (existsSync(slim)) return slim;
  try {
    mkdirSync(path.dirname(slim), { recursive: true });
    const work = mkdtempSync(`${slim}-`);
    execFileSync('tar', ['-xzf', POSTGIS_BUNDLE, '-C', work]);
    for (const rel of ['lib/postgresql/postgis_raster-3.so', 'lib/postgresql/postgis_topology-3.so', 'share/postgresql/contrib']) {
      rmSync(path.join(work, rel), { recursive: true, force: true });
    }
    execFileSync('sh', ['-c', 'cd "$1" && find share/postgresql/extension -name "*--*--*" -delete && tar -czf "$1.tar.gz" lib share', 'sh', work]);
    renameSync(`${work}.tar.gz`, slim);
    rmSync(work, { recursive: true, force: true });
    return slim;
  } catch {
    return POSTGIS_BUNDLE;
  }
}

/** PostGIS with the slim bundle (see above). */
const slimPostgis: typeof postgis = {
  name: 'postgis',
  setup: async (pg, emscriptenOpts) => {
    const setup = await postgis.setup(pg, emscriptenOpts);
    return { ...setup, bundlePath: new URL(`file://${slimPostgisBundle()}`) };
  },
};

export async function openEmbeddedDb(opts: EmbeddedOptions = {}): Promise<Db> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    dataDir: opts.dataDir,
    loadDataDir: opts.loadDataDir,
    extensions: { postgis: slimPostgis },
  });
  return wrapPglite(pglite);
}
