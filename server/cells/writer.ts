import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../db/db.ts';
import type { Actor } from '../auth/actor.ts';
import type { AuditAction } from '../../core/audit/actions.ts';
import { audit } from '../audit.ts';
import { problem } from '../problem.ts';
import { CELL_COLUMNS, toFeature, type CellRow } from './feature.ts';
import { afterCellsChanged } from './reroute.ts';
import { checkInsideParent, checkStructure, checkValidity, type CellGeometry } from './geometry.ts';
import type { ProblemParam } from '../../core/problems/index.ts';
import type { StagedRun } from '../exchange/import/plan.ts';

/**
 * The one writer of the `cells` table (a unit test refuses INSERT, UPDATE or DELETE of cells
 * anywhere else in the server). Whatever changes cells — the edit routes (through ./edits.ts), the
 * coverage fixes, the partition commit, the import — does it through a CellWriter bound to its
 * transaction, so every write keeps the same rules:
 * - rows are locked FOR UPDATE before they are changed (several rows in id order, unless told);
 * - an edit carries the version it was made from (If-Match), a stale one is a 409;
 * - every changed row gets version + 1, updated_at and updated_by (the editor), new rows
 *   created_by and updated_by; the history (cell_versions) and the path (ancestors) are written
 *   by the triggers of migrations 001 and 027 from these columns, and a deleted row is recorded
 *   under the editor's name (wangge.actor);
 * - units and reports are re-filed through the refileOnCellChange registry (./reroute.ts);
 * - the change is audited with the request's user and address;
 * - no outline is written unchecked: `insert`, `update` and `setOutlines` take only a
 *   CheckedOutline, which only the writer makes — `checkOutline` for an outline a client sent
 *   (structure, validity, and inside the parent when asked: ./geometry.ts, in that order, so the
 *   problems keep their codes and fields), `checkComputed` for one PostGIS computed (a split, a
 *   merge, a coverage fix: valid, or the write fails as an internal error). The caller decides when
 *   to check — before its other checks (create: before the code; partition: every feature before
 *   any insert), or after writing parents (reshape: `checkInsideParent` once the parents have their
 *   new outlines). `insertMany` takes only a StagedRun, which the import's plan makes when its
 *   set-wise checks of the staged geometries found no error. (A cast would get round the types:
 *   tests/unit/cells-writer.test.ts refuses one outside the module that makes the type.)
 */

/** The brand of an outline the writer has checked (a type only: nothing of it exists at run time). */
declare const checked: unique symbol;
type Checked<T> = T & { readonly [checked]: true };
/** A client's outline (GeoJSON) that passed `checkOutline`. */
export type CheckedGeoJSON = Checked<{ geojson: string }>;
/** A computed outline (hex EWKB) that passed `checkComputed`. */
export type CheckedEwkb = Checked<{ ewkb: string }>;
/**
 * An outline ready to write (GeoJSON as the client sent it, or hex EWKB computed by PostGIS): only
 * `checkOutline` and `checkComputed` make one.
 */
export type CheckedOutline = CheckedGeoJSON | CheckedEwkb;

export interface OutlineCheck {
  /** Where the geometry is in the request, for the problem's field ("geometry", "features[2].geometry"). */
  field?: string;
  /** Check it lies inside this cell too (after structure and validity). */
  parentId?: number | null;
  /** Who is outside the parent, in the problem's text ("The cell" by default). */
  which?: ProblemParam;
}

/** The columns a lock returns when the whole row (geometry, area) is not needed. */
export type LockedCell = Pick<CellRow, 'id' | 'code' | 'name' | 'level' | 'parent_id' | 'version'>;

export interface NewCellRow {
  code: string;
  name: string;
  level: number;
  parentId: number | null;
  outline: CheckedOutline;
}

/** One row of a set-wise insert from a staged import: the staged geometry `idx` of the run. */
export interface StagedCellRow {
  idx: number;
  id: number;
  code: string;
  name: string;
  level: number;
  parentId: number | null;
}

const BUMP = 'version = version + 1, updated_at = now()';
const LITE = 'id, code, name, level, parent_id, version';
const geojsonSql = (p: string) => `ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(${p}), 4326))`;

export class CellWriter {
  readonly actor: Actor;

  constructor(readonly q: Queryable, readonly request: FastifyRequest, actor: Actor = request.actor) {
    this.actor = actor;
  }

  private get username() {
    return this.actor.username;
  }

  // ── locks ─────────────────────────────────────────────────────────────────────────────────

  /** The whole cell, locked (or only read); 404 cells.not-found. */
  async load(id: number, lock = false): Promise<CellRow> {
    const { rows } = await this.q.query<CellRow>(`SELECT ${CELL_COLUMNS} FROM cells c WHERE c.id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
    if (!rows[0]) throw problem('cells.not-found', { id });
    return rows[0];
  }

  /** Whole cells, locked in id order (two overlapping batches cannot deadlock); missing ones are left out. */
  async lockWhole(ids: number[]): Promise<CellRow[]> {
    const { rows } = await this.q.query<CellRow>(`SELECT ${CELL_COLUMNS} FROM cells c WHERE c.id = ANY($1::int[]) ORDER BY c.id FOR UPDATE`, [ids]);
    return rows;
  }

  /**
   * Cells locked in id order, or in the order given (merge keeps the caller's order, the first
   * being the cell kept); missing ones are left out, the caller names them in its own problem.
   */
  async lock(ids: number[], order: 'id' | 'given' = 'id'): Promise<LockedCell[]> {
    const { rows } = await this.q.query<LockedCell>(
      `SELECT ${LITE} FROM cells WHERE id = ANY($1::int[]) ORDER BY ${order === 'id' ? 'id' : 'array_position($1::int[], id)'} FOR UPDATE`, [ids]);
    return rows;
  }

  /** The children of a cell, locked in id order. */
  async lockChildren(parentId: number): Promise<LockedCell[]> {
    const { rows } = await this.q.query<LockedCell>(`SELECT ${LITE} FROM cells WHERE parent_id = $1 ORDER BY id FOR UPDATE`, [parentId]);
    return rows;
  }

  // ── versions ──────────────────────────────────────────────────────────────────────────────

  /** The version an edit was made from, read from If-Match ("3", W/"3"); required. */
  static ifMatchVersion(header: string | string[] | undefined): number {
    if (!header) throw problem('cells.if-match-required');
    const v = Number(String(header).replace(/^W\//, '').replace(/"/g, ''));
    if (!Number.isInteger(v) || v < 1) throw problem('cells.if-match-invalid', { value: String(header) });
    return v;
  }

  /** A stale If-Match is a 409 with the cell as it is now. */
  expectVersion(cell: CellRow, header: string | string[] | undefined): void {
    const expected = CellWriter.ifMatchVersion(header);
    if (cell.version !== expected) {
      throw problem('cells.version-conflict', { id: cell.id, expected, current: cell.version }, { current: toFeature(cell) });
    }
  }

  // ── checks ────────────────────────────────────────────────────────────────────────────────

  /**
   * A client's outline checked for writing: its structure, its validity by PostGIS, and — when a
   * parent is given — that it lies inside the parent (./geometry.ts), the first fault a 422.
   */
  async checkOutline(g: CellGeometry, { field = 'geometry', parentId = null, which }: OutlineCheck = {}): Promise<CheckedGeoJSON> {
    checkStructure(g, field);
    const outline = { geojson: JSON.stringify(g) } as CheckedGeoJSON;
    await checkValidity(this.q, outline.geojson, field);
    if (parentId !== null) await this.checkInsideParent(outline, parentId, which);
    return outline;
  }

  /**
   * That a checked outline lies inside the parent, for a caller that checks it apart (reshape:
   * after the parents have their new outlines).
   */
  async checkInsideParent(outline: CheckedGeoJSON, parentId: number, which?: ProblemParam): Promise<void> {
    await checkInsideParent(this.q, outline.geojson, parentId, which);
  }

  /**
   * Outlines PostGIS computed (hex EWKB: split parts, a merge's union, the coverage fixes' results,
   * made from valid input by overlays that give valid output) checked valid in one statement. One
   * that is not — a bug in the computation, never the client's input — fails the write as an
   * internal error rather than being stored.
   */
  async checkComputed(ewkbs: string[]): Promise<CheckedEwkb[]> {
    if (!ewkbs.length) return [];
    const { rows } = await this.q.query<{ bad: number[] }>(
      `SELECT COALESCE(array_agg(i ORDER BY i) FILTER (WHERE NOT COALESCE(ST_IsValid(g::geometry), false)), '{}') AS bad
       FROM unnest($1::text[]) WITH ORDINALITY AS u(g, i)`, [ewkbs]);
    if (rows[0]!.bad.length) throw new Error(`cells writer: computed outline(s) ${rows[0]!.bad.join(', ')} of ${ewkbs.length} not valid; nothing written`);
    return ewkbs.map((ewkb) => ({ ewkb }) as CheckedEwkb);
  }

  /** One computed outline, checked (see checkComputed). */
  async checkComputedOne(ewkb: string): Promise<CheckedEwkb> {
    return (await this.checkComputed([ewkb]))[0]!;
  }

  // ── writes ────────────────────────────────────────────────────────────────────────────────

  /** One new cell; its id. */
  async insert(row: NewCellRow): Promise<number> {
    const geom = 'geojson' in row.outline ? geojsonSql('$5') : 'ST_Multi($5::geometry)';
    const { rows } = await this.q.query<{ id: number }>(
      `INSERT INTO cells (code, name, level, parent_id, geom, created_by, updated_by)
       VALUES ($1, $2, $3, $4, ${geom}, $6, $6) RETURNING id`,
      [row.code, row.name, row.level, row.parentId, 'geojson' in row.outline ? row.outline.geojson : row.outline.ewkb, this.username]);
    return rows[0]!.id;
  }

  /**
   * The set-wise path of an import: every row in one INSERT from the geometries staged under `run`,
   * parents before children. `run` is a StagedRun: the import's plan makes one only when its
   * set-wise checks of those geometries (structure, validity, snapped to the grid, inside the
   * parent) found no error. Answers how many were written (fewer when staged rows have gone meanwhile).
   */
  async insertMany(run: StagedRun, rows: StagedCellRow[]): Promise<number> {
    const { rowCount } = await this.q.query(
      `INSERT INTO cells (id, code, name, level, parent_id, geom, created_by, updated_by)
       SELECT u.id, u.code, u.name, u.level, u.parent_id, ST_Multi(s.geom), $8, $8
       FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::int[], $7::int[]) AS u(idx, id, code, name, level, parent_id)
       JOIN cell_import_staging s ON s.run = $1 AND s.idx = u.idx ORDER BY u.level, u.idx`,
      [run, rows.map((r) => r.idx), rows.map((r) => r.id), rows.map((r) => r.code), rows.map((r) => r.name),
        rows.map((r) => r.level), rows.map((r) => r.parentId), this.username]);
    return rowCount ?? 0;
  }

  /** Ids for rows not yet written, so children can name their new parents. */
  async reserveIds(n: number): Promise<number[]> {
    const { rows } = await this.q.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('cells', 'id'))::int AS id FROM generate_series(1, $1)`, [n]);
    return rows.map((r) => r.id);
  }

  /** A new name and/or outline for one cell (null leaves it), as a new version. */
  async update(id: number, change: { name?: string | null; outline?: CheckedOutline | null }): Promise<void> {
    const o = change.outline ?? null;
    await this.q.query(
      `UPDATE cells SET name = COALESCE($2, name), geom = COALESCE(${geojsonSql('$3')}, $4::geometry, geom),
         ${BUMP}, updated_by = $5 WHERE id = $1`,
      [id, change.name ?? null, o && 'geojson' in o ? o.geojson : null, o && 'ewkb' in o ? o.ewkb : null, this.username]);
  }

  /** New outlines (checked hex EWKB, multipolygons) for several cells in one statement, each as a new version; the ids written. */
  async setOutlines(rows: { id: number; outline: CheckedEwkb }[]): Promise<number[]> {
    if (!rows.length) return [];
    const { rows: out } = await this.q.query<{ id: number }>(
      `UPDATE cells c SET geom = u.g::geometry, version = c.version + 1, updated_at = now(), updated_by = $3
       FROM unnest($1::int[], $2::text[]) AS u(id, g) WHERE c.id = u.id RETURNING c.id`,
      [rows.map((r) => r.id), rows.map((r) => r.outline.ewkb), this.username]);
    return out.map((r) => r.id);
  }

  /** The children of these cells move to `to`. */
  async moveChildren(from: number[], to: number): Promise<void> {
    await this.q.query(`UPDATE cells SET parent_id = $1, ${BUMP}, updated_by = $3 WHERE parent_id = ANY($2::int[])`, [to, from, this.username]);
  }

  /**
   * The children of `from` move to the cell of `to` sharing most ground with each. `grid`: the
   * overlay's grid size, ties then going to the lower id (the partition); without, plain overlay (split).
   */
  async moveChildrenToLargestShare(from: number[], to: number[], grid: number | null = null): Promise<void> {
    const share = grid === null ? 'ST_Area(ST_Intersection(p.geom, k2.geom)) DESC' : `ST_Area(ST_Intersection(p.geom, k2.geom, ${Number(grid)})) DESC, p.id`;
    await this.q.query(
      `UPDATE cells k SET parent_id = best.id, version = k.version + 1, updated_at = now(), updated_by = $3
       FROM (SELECT DISTINCT ON (k2.id) k2.id AS kid, p.id FROM cells k2 JOIN cells p ON p.id = ANY($2::int[]) AND p.geom && k2.geom
             WHERE k2.parent_id = ANY($1::int[]) ORDER BY k2.id, ${share}) best
       WHERE k.id = best.kid AND k.parent_id IS DISTINCT FROM best.id`,
      [from, to, this.username]);
  }

  /** Names the editor as who deleted rows later in this transaction (the history trigger reads it). */
  async recordDeletesAs(username: string = this.username): Promise<void> {
    await this.q.query("SELECT set_config('wangge.actor', $1, true)", [username]);
  }

  /** Deletes cells (their history keeps them). Call recordDeletesAs first. */
  async remove(ids: number[]): Promise<void> {
    await this.q.query('DELETE FROM cells WHERE id = ANY($1::int[])', [ids]);
  }

  // ── after a write ─────────────────────────────────────────────────────────────────────────

  /**
   * Re-files units and reports (the refileOnCellChange registry): `changed` cells have new ground
   * or are new; `deleting` cells are still there but about to go (re-file before removing them).
   */
  async refile(changed: number[], deleting: number[] = []): Promise<void> {
    await afterCellsChanged(this.q, changed, deleting);
  }

  /** The audit log entry of the change, in its transaction. */
  async audit(action: AuditAction, target: string | null, detail: Record<string, unknown> = {}): Promise<void> {
    await audit(this.q, this.request, action, target, detail);
  }
}
