import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellWriter, CheckedEwkb, CheckedGeoJSON } from '../../server/cells/writer.ts';
import type { StagedRun } from '../../server/exchange/import/plan.ts';

/**
 * One writer per table (issue 22): every INSERT, UPDATE or DELETE of `cells` in the server goes
 * through server/cells/writer.ts, which keeps the rules of a cell write (lock, version, who and
 * when, re-filing of units and reports, audit). Another module that writes cells itself would have
 * to restate them; this test refuses it. Migrations (SQL, the triggers) and tests are not read.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const WRITER = 'server/cells/writer.ts';
/** Files that may write cells besides the writer, each with its reason. */
const ALLOWED: Record<string, string> = {
  'server/demo/seed.ts': 'loads the demo district into an empty table at first start: no request or user to write as, no units or reports to re-file, no audit',
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === 'migrations' ? [] : files(file);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [file] : [];
  });
}

/** Each write of the cells table in the text, as "file:line". */
function cellWrites(text: string, name: string): string[] {
  const at = (i: number) => `${name}:${text.slice(0, i).split('\n').length}`;
  const write = /\b(?:insert\s+into|update(?:\s+only)?|delete\s+from|truncate(?:\s+table)?)\s+(?:public\.)?"?cells"?(?![\w"])/gi;
  return [...text.matchAll(write)].map((m) => at(m.index));
}

describe('cells are written by the cells writer only', () => {
  it('finds a write of cells when there is one, and nothing in the writes of other tables', () => {
    expect(cellWrites('q.query(`INSERT INTO cells (code) VALUES ($1)`)', 'a.ts')).toEqual(['a.ts:1']);
    expect(cellWrites("const a = 1;\nq.query('update cells set name = $2 where id = $1')", 'b.ts')).toEqual(['b.ts:2']);
    expect(cellWrites('`UPDATE cells k SET parent_id = 1`; `DELETE\n  FROM cells WHERE id = 1`', 'c.ts')).toEqual(['c.ts:1', 'c.ts:1']);
    expect(cellWrites('`TRUNCATE cells, cell_versions`; `UPDATE ONLY public."cells" SET x = 1`', 'd.ts')).toEqual(['d.ts:1', 'd.ts:1']);
    expect(cellWrites('`INSERT INTO cell_versions`; `UPDATE cell_imports SET x = 1`; `DELETE FROM cells_x`; `SELECT 1 FROM cells`', 'e.ts')).toEqual([]);
  });

  it('no module of the server writes cells but the writer (and the allowed exceptions)', () => {
    const found = files(path.join(ROOT, 'server')).flatMap((f) => {
      const name = path.relative(ROOT, f).split(path.sep).join('/');
      return name === WRITER || name in ALLOWED ? [] : cellWrites(readFileSync(f, 'utf8'), name);
    });
    expect(found).toEqual([]);
  });

  it('the writer and each allowed exception do write cells (no stale entry)', () => {
    for (const name of [WRITER, ...Object.keys(ALLOWED)]) {
      expect(cellWrites(readFileSync(path.join(ROOT, name), 'utf8'), name).length, name).toBeGreaterThan(0);
    }
  });
});

/**
 * Validation is the writer's too: its writes take only outlines its checks made (CheckedOutline),
 * and insertMany only the staging run a clean import plan made (StagedRun). TypeScript enforces it
 * (the type-level cases below fail `tsc` if a write took a plain outline); a cast would get round
 * it, so no module but the one making the type may cast to it.
 */
const BRANDS: Record<string, string> = {
  CheckedOutline: WRITER, CheckedGeoJSON: WRITER, CheckedEwkb: WRITER,
  StagedRun: 'server/exchange/import/plan.ts',
};

/** Each cast to a brand in the text (`as CheckedOutline`, `<StagedRun>x`), as "file:line Brand". */
function brandCasts(text: string, name: string): string[] {
  const at = (i: number) => `${name}:${text.slice(0, i).split('\n').length}`;
  const names = Object.keys(BRANDS).join('|');
  const cast = new RegExp(`(?:\\bas\\s+(${names})\\b|<(${names})>)`, 'g');
  return [...text.matchAll(cast)].map((m) => `${at(m.index)} ${m[1] ?? m[2]}`);
}

// Never called: tsc checks that each write refuses an outline nobody checked.
export function writesTakeOnlyCheckedOutlines(w: CellWriter, geojson: CheckedGeoJSON, ewkb: CheckedEwkb, run: StagedRun) {
  const row = { code: '610302001001', name: 'x', level: 3, parentId: 1 };
  void w.insert({ ...row, outline: geojson });
  void w.insert({ ...row, outline: ewkb });
  // @ts-expect-error a GeoJSON outline the writer has not checked
  void w.insert({ ...row, outline: { geojson: '{"type":"Polygon","coordinates":[]}' } });
  // @ts-expect-error an EWKB outline the writer has not checked
  void w.update(1, { outline: { ewkb: '0106000020E6100000' } });
  void w.update(1, { name: 'x', outline: null });
  // @ts-expect-error setOutlines takes checked EWKB, not a client's GeoJSON
  void w.setOutlines([{ id: 1, outline: geojson }]);
  // @ts-expect-error setOutlines takes no raw EWKB
  void w.setOutlines([{ id: 1, ewkb: '0106000020E6100000' }]);
  void w.setOutlines([{ id: 1, outline: ewkb }]);
  void w.insertMany(run, []);
  // @ts-expect-error insertMany takes no plain run id
  void w.insertMany('7f1c', []);
}

describe('outlines are checked by the cells writer', () => {
  it('finds a cast to a brand when there is one', () => {
    expect(brandCasts('const o = { geojson } as CheckedGeoJSON;\nx(<StagedRun>run)', 'a.ts')).toEqual(['a.ts:1 CheckedGeoJSON', 'a.ts:2 StagedRun']);
    expect(brandCasts('const o: CheckedOutline = await w.checkOutline(g); const r = plan.staged as StagedRunner;', 'b.ts')).toEqual([]);
  });

  it('no module casts to a checked outline or a staged run but the one that makes it', () => {
    const found = files(path.join(ROOT, 'server')).flatMap((f) => {
      const name = path.relative(ROOT, f).split(path.sep).join('/');
      return brandCasts(readFileSync(f, 'utf8'), name).filter((c) => BRANDS[c.split(' ')[1]!] !== name);
    });
    expect(found).toEqual([]);
  });

  it('the writer and the import plan do make them (no stale entry)', () => {
    for (const owner of new Set(Object.values(BRANDS))) {
      expect(brandCasts(readFileSync(path.join(ROOT, owner), 'utf8'), owner).length, owner).toBeGreaterThan(0);
    }
  });
});
