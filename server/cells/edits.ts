import type { LineString } from 'geojson';
import type { Config } from '../config.ts';
import { assertCellEditable, assertOutlineEditable, cellWhat } from '../auth/guard.ts';
import { problem } from '../problem.ts';
import { checkCode, nextChildCode } from './codes.ts';
import { CELL_COLUMNS, toFeature, type CellRow } from './feature.ts';
import type { CellGeometry } from './geometry.ts';
import type { CellWriter, CheckedGeoJSON } from './writer.ts';
import type { CellPatchBody, NewCellBody, ReshapeBody } from '../../core/contracts/cells.ts';

/**
 * The edits of the cell routes, each inside the caller's transaction, through the CellWriter: the
 * checks in the order the API has always made them (lock, 404, scope, outline scope, If-Match,
 * geometry), then the writes, the re-filing and the audit. The routes parse HTTP and answer.
 */

/** What the routes take (core/contracts/cells.ts), as the edits below receive it. */
export type NewCell = NewCellBody;
export type CellPatch = CellPatchBody;
export type ReshapeEdit = ReshapeBody['cells'][number];

async function cellsById(w: CellWriter, ids: number[]): Promise<CellRow[]> {
  const { rows } = await w.q.query<CellRow>(`SELECT ${CELL_COLUMNS} FROM cells c WHERE c.id = ANY($1::int[]) ORDER BY c.id`, [ids]);
  return rows;
}

/** A cell inside its parent (locked), its code given or the parent's next. */
export async function createCell(w: CellWriter, config: Config, input: NewCell): Promise<CellRow> {
  const actor = w.actor;
  const { geometry, properties: p } = input;
  let parentCode: string | null = null;
  if (p.parentId === null) {
    if (p.level !== 1) throw problem('cells.parent-required', {}, { errors: [{ field: 'properties.parentId', message: 'required below level 1' }] });
    if (actor.role !== 'admin' && actor.scope.length) throw problem('cells.top-level-forbidden');
  } else {
    const parent = await w.load(p.parentId, true).catch(() => {
      throw problem('cells.parent-not-found', { id: p.parentId }, { errors: [{ field: 'properties.parentId', message: 'unknown cell' }] });
    });
    await assertCellEditable(w.q, actor, parent.id, `Parent cell ${parent.id} (${parent.name})`);
    if (p.level !== parent.level + 1) {
      throw problem('cells.level-mismatch', { level: p.level, parentLevel: parent.level, expected: parent.level + 1 }, { errors: [{ field: 'properties.level', message: `must be ${parent.level + 1}` }] });
    }
    parentCode = parent.code;
  }
  const outline = await w.checkOutline(geometry, { parentId: p.parentId });
  let code = p.code;
  if (code !== undefined) checkCode(config.codeScheme, code, p.level, parentCode);
  else if (parentCode) code = await nextChildCode(w.q, config.codeScheme, parentCode, p.level);
  else throw problem('cells.code-required', {}, { errors: [{ field: 'properties.code', message: 'required at level 1' }] });
  const dup = await w.q.query('SELECT 1 FROM cells WHERE code = $1', [code]);
  if (dup.rowCount) throw problem('cells.code-taken', { code }, { errors: [{ field: 'properties.code', message: 'duplicate' }] });
  const id = await w.insert({ code, name: p.name.trim(), level: p.level, parentId: p.parentId, outline });
  await w.refile([id]);
  await w.audit('cell.create', `cell:${id}`, { code, name: p.name });
  return w.load(id);
}

/** A new name and/or outline, from the version in If-Match. */
export async function updateCell(w: CellWriter, id: number, ifMatch: string | string[] | undefined, patch: CellPatch): Promise<CellRow> {
  const { geometry, properties } = patch;
  const current = await w.load(id, true);
  await assertCellEditable(w.q, w.actor, current.id, cellWhat(current.id, current.name));
  if (geometry) await assertOutlineEditable(w.q, w.actor, current);
  w.expectVersion(current, ifMatch);
  const outline = geometry ? await w.checkOutline(geometry, { parentId: current.parent_id }) : null;
  await w.update(current.id, { name: properties?.name?.trim() ?? null, outline });
  if (outline) await w.refile([current.id]);
  await w.audit('cell.update', `cell:${current.id}`, { changed: [...(properties?.name ? ['name'] : []), ...(geometry ? ['geometry'] : [])] });
  return w.load(current.id);
}

/**
 * Topological editing: a border shared by several cells is moved in all of them at once, so it
 * stays shared. Every cell carries the version it was edited from; one stale version refuses all.
 * Structure is checked by the caller before the transaction.
 */
export async function reshapeCells(w: CellWriter, edits: ReshapeEdit[]): Promise<CellRow[]> {
  const ids = edits.map((e) => e.id);
  const current = await w.lockWhole(ids);
  const missing = ids.filter((id) => !current.some((c) => c.id === id));
  if (missing.length) throw problem('cells.not-found', { id: missing.join(', ') });
  for (const c of current) {
    await assertCellEditable(w.q, w.actor, c.id, cellWhat(c.id, c.name));
    await assertOutlineEditable(w.q, w.actor, c);
  }
  const stale = current.filter((c) => c.version !== edits.find((e) => e.id === c.id)!.version);
  if (stale.length) {
    const list = stale.map((c) => `${c.name} (edited version ${edits.find((e) => e.id === c.id)!.version}, now ${c.version})`).join(', ');
    throw problem('cells.changed-meanwhile', { list }, { current: stale.map(toFeature) });
  }
  const byId = new Map(current.map((c) => [c.id, c]));
  // Structure (again: the route checked it before the transaction) and validity, in the order given.
  const outlines = new Map<number, CheckedGeoJSON>();
  for (const [i, e] of edits.entries()) outlines.set(e.id, await w.checkOutline(e.geometry, { field: `cells[${i}].geometry` }));
  // Parents first, so each child is checked against its parent's new outline.
  const order = [...edits].sort((a, b) => byId.get(a.id)!.level - byId.get(b.id)!.level);
  for (const e of order) await w.update(e.id, { outline: outlines.get(e.id)! });
  for (const e of order) {
    const cell = byId.get(e.id)!;
    if (cell.parent_id !== null) await w.checkInsideParent(outlines.get(e.id)!, cell.parent_id, `${cell.name} (${cell.code})`);
  }
  await w.refile(ids);
  for (const id of ids) await w.audit('cell.update', `cell:${id}`, { changed: ['geometry'], with: ids.filter((x) => x !== id) });
  return cellsById(w, ids);
}

/** Deletes a cell; its children, if any, go to the sibling `childrenTo`. */
export async function deleteCell(w: CellWriter, id: number, childrenTo: number | undefined): Promise<void> {
  const cell = await w.load(id, true);
  await assertCellEditable(w.q, w.actor, cell.id, cellWhat(cell.id, cell.name));
  await assertOutlineEditable(w.q, w.actor, cell);
  const kids = await w.q.query<{ n: number }>('SELECT count(*)::int AS n FROM cells WHERE parent_id = $1', [cell.id]);
  const n = kids.rows[0]!.n;
  if (n > 0) {
    if (childrenTo === undefined) throw problem('cells.has-children', { id: cell.id, name: cell.name, count: n }, { children: n });
    const target = await w.load(childrenTo, true);
    if (target.id === cell.id || target.level !== cell.level) throw problem('cells.children-to-invalid', {}, { errors: [{ field: 'querystring.childrenTo', message: 'must be a cell of the same level' }] });
    await assertCellEditable(w.q, w.actor, target.id, cellWhat(target.id, target.name));
    await w.moveChildren([cell.id], target.id);
  }
  await w.recordDeletesAs(w.request.user?.username ?? '');
  await w.remove([cell.id]);
  await w.refile(cell.parent_id ? [cell.parent_id] : []);
  await w.audit('cell.delete', `cell:${cell.id}`, { code: cell.code, name: cell.name, childrenTo: childrenTo ?? null });
}

/** Splits a cell along a line: the largest part keeps the cell, the others become siblings; children follow their part. */
export async function splitCell(w: CellWriter, config: Config, id: number, line: LineString): Promise<CellRow[]> {
  const cell = await w.load(id, true);
  await assertCellEditable(w.q, w.actor, cell.id, cellWhat(cell.id, cell.name));
  await assertOutlineEditable(w.q, w.actor, cell);
  const { rows: parts } = await w.q.query<{ geom: string }>(
    `SELECT ST_AsHexEWKB(ST_Multi(d.geom)) AS geom FROM cells c,
       LATERAL ST_Dump(ST_Split(c.geom, ST_SetSRID(ST_GeomFromGeoJSON($2), 4326))) d
     WHERE c.id = $1 ORDER BY ST_Area(d.geom::geography) DESC`,
    [cell.id, JSON.stringify(line)]);
  if (parts.length < 2) throw problem('cells.line-does-not-cut', {}, { errors: [{ field: 'body', message: 'does not cross the cell' }] });
  const outlines = await w.checkComputed(parts.map((p) => p.geom));
  // The largest part keeps the cell's id and code; the others become new siblings.
  await w.update(cell.id, { outline: outlines[0]! });
  const ids = [cell.id];
  for (const [i, outline] of outlines.slice(1).entries()) {
    const code = cell.parent_id ? await nextChildCode(w.q, config.codeScheme, cell.code.slice(0, -config.codeScheme.digitsPerLevel), cell.level) : `${cell.code}-${i + 2}`;
    ids.push(await w.insert({ code, name: `${cell.name} (${i + 2})`, level: cell.level, parentId: cell.parent_id, outline }));
  }
  // Each child goes to the part that holds most of it.
  await w.moveChildrenToLargestShare([cell.id], ids);
  await w.refile(ids);
  await w.audit('cell.split', `cell:${cell.id}`, { into: ids });
  return cellsById(w, ids);
}

/** Merges adjacent cells of one parent into the first; children move with them. */
export async function mergeCells(w: CellWriter, ids: number[], name: string | undefined): Promise<CellRow> {
  const cells = await w.lock(ids, 'given');
  const missing = ids.filter((id) => !cells.some((c) => c.id === id));
  if (missing.length) throw problem('cells.not-found', { id: missing.join(', ') });
  for (const c of cells) {
    await assertCellEditable(w.q, w.actor, c.id, cellWhat(c.id, c.name));
    await assertOutlineEditable(w.q, w.actor, c);
  }
  if (new Set(cells.map((c) => c.parent_id)).size > 1) throw problem('cells.merge-different-parents', {}, { errors: [{ field: 'ids', message: 'different parents' }] });
  // Adjacent: cells share a stretch of border (or overlap); touching at a point is not enough.
  const { rows: links } = await w.q.query<{ a: number; b: number }>(
    `SELECT a.id AS a, b.id AS b FROM cells a JOIN cells b ON a.id < b.id AND a.geom && b.geom
     WHERE a.id = ANY($1::int[]) AND b.id = ANY($1::int[]) AND (ST_Relate(a.geom, b.geom, '2********') OR ST_Relate(a.geom, b.geom, '****1****'))`, [ids]);
  const reached = new Set([ids[0]!]);
  for (let grew = true; grew;) {
    grew = false;
    for (const { a, b } of links) {
      if (reached.has(a) !== reached.has(b)) { reached.add(a); reached.add(b); grew = true; }
    }
  }
  if (reached.size < ids.length) {
    const apart = ids.filter((id) => !reached.has(id));
    throw problem('cells.merge-not-adjacent', { ids: apart.join(', ') }, { errors: [{ field: 'ids', message: 'not adjacent' }] });
  }
  const [keep, ...gone] = ids as [number, ...number[]];
  const { rows: union } = await w.q.query<{ geom: string }>(
    'SELECT ST_AsHexEWKB(ST_Multi(ST_UnaryUnion(ST_Collect(geom)))) AS geom FROM cells WHERE id = ANY($1::int[])', [ids]);
  await w.update(keep, { name: name?.trim() ?? null, outline: await w.checkComputedOne(union[0]!.geom) });
  await w.moveChildren(gone, keep);
  await w.recordDeletesAs(w.request.user?.username ?? '');
  await w.refile([keep], gone);
  await w.remove(gone);
  await w.audit('cell.merge', `cell:${keep}`, { merged: gone });
  return w.load(keep);
}

/** The name and outline of an earlier version, as a new version. */
export async function restoreCell(w: CellWriter, id: number, version: number): Promise<CellRow> {
  const cell = await w.load(id, true);
  await assertCellEditable(w.q, w.actor, cell.id, cellWhat(cell.id, cell.name));
  await assertOutlineEditable(w.q, w.actor, cell);
  const { rows } = await w.q.query<{ name: string; geometry: CellGeometry }>(
    `SELECT name, ST_AsGeoJSON(geom)::json AS geometry FROM cell_versions WHERE cell_id = $1 AND version = $2 AND operation <> 'delete' ORDER BY changed_at DESC LIMIT 1`,
    [cell.id, version]);
  const old = rows[0];
  if (!old) throw problem('cells.version-not-found', { version, id: cell.id });
  const outline = await w.checkOutline(old.geometry, { parentId: cell.parent_id });
  await w.update(cell.id, { name: old.name, outline });
  await w.refile([cell.id]);
  await w.audit('cell.restore', `cell:${cell.id}`, { version });
  return w.load(cell.id);
}
