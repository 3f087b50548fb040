import type { MultiPolygon } from 'geojson';
import type { Config } from '../../config.ts';
import type { Queryable } from '../../db/db.ts';
import { problem } from '../../problem.ts';
import { maskPhone } from '../../people/phone.ts';
import { roleName } from '../../../core/people/rules.ts';

export interface ExportSelection {
  level?: number;
  /** A cell whose subtree (itself and every descendant) is exported. */
  rootId?: number;
  /** Decimals kept in coordinates; 7 is about 1 cm. */
  precision: number;
}

export interface ResponsiblePerson {
  role: string;
  roleZh: string;
  roleEn: string;
  name: string;
  /** Masked as on the public card unless the deployment shows full phones. */
  phone: string | null;
}

export interface ExportCell {
  id: number;
  code: string;
  name: string;
  level: number;
  levelZh: string;
  levelEn: string;
  parentCode: string | null;
  areaM2: number;
  /** RFC 7946: exterior rings counter-clockwise, holes clockwise, rounded to the precision. */
  geometry: MultiPolygon;
  wkt: string;
  /** The same rounded geometry as ISO WKB, for binary formats (GeoPackage). */
  wkb: Uint8Array;
  updatedAt: Date;
  people: ResponsiblePerson[];
}

export interface ExportSet {
  cells: ExportCell[];
  /** The level-1 cell the selection lies in (for file names), when there is one. */
  districtName: string | null;
  /** The root of the subtree, when rootId was given. */
  rootName: string | null;
}

interface Row {
  id: number;
  code: string;
  name: string;
  level: number;
  parent_code: string | null;
  area_m2: number;
  geometry: MultiPolygon;
  wkt: string;
  wkb: Uint8Array;
  updated_at: Date;
}

/** The cells of a selection, with their parent codes, true areas and responsible people. */
export async function loadExportCells(q: Queryable, config: Config, sel: ExportSelection): Promise<ExportSet> {
  const params: unknown[] = [sel.precision];
  let from = 'cells c';
  let rootName: string | null = null;
  let districtName: string | null = null;
  if (sel.rootId !== undefined) {
    const { rows } = await q.query<{ name: string; district: string }>(
      `SELECT (SELECT t.name FROM cells t WHERE t.id = coalesce(c.ancestors[1], c.id)) AS district, c.name
       FROM cells c WHERE c.id = $1`, [sel.rootId]);
    if (!rows[0]) throw problem('export.cell-not-found', { id: sel.rootId });
    rootName = rows[0].name;
    districtName = rows[0].district;
    const root = `$${params.push(sel.rootId)}::int`;
    from = `(SELECT * FROM cells WHERE id = ${root} OR ancestors @> ARRAY[${root}]) c`;
  } else {
    const { rows } = await q.query<{ name: string }>('SELECT name FROM cells WHERE level = 1 ORDER BY code LIMIT 2');
    if (rows.length === 1) districtName = rows[0]!.name;
  }
  const where = sel.level !== undefined ? `WHERE c.level = $${params.push(sel.level)}` : '';
  const { rows } = await q.query<Row>(
    `SELECT c.id, c.code, c.name, c.level, p.code AS parent_code, c.updated_at,
            ST_Area(c.geom::geography) AS area_m2,
            ST_AsGeoJSON(ST_ForcePolygonCCW(c.geom), $1::int)::json AS geometry,
            ST_AsText(ST_ForcePolygonCCW(c.geom), $1::int) AS wkt,
            ST_AsBinary(ST_GeomFromGeoJSON(ST_AsGeoJSON(ST_ForcePolygonCCW(c.geom), $1::int))) AS wkb
     FROM ${from} LEFT JOIN cells p ON p.id = c.parent_id ${where}
     ORDER BY c.level, c.code`, params);

  const people = new Map<number, ResponsiblePerson[]>();
  if (rows.length) {
    const { rows: assigned } = await q.query<{ cell_id: number; role: string; name: string; phone: string | null }>(
      `SELECT a.cell_id, a.role, p.name, p.phone FROM cell_assignments a JOIN people p ON p.id = a.person_id
       WHERE a.cell_id = ANY($1::int[]) ORDER BY a.cell_id, a.position`, [rows.map((r) => r.id)]);
    for (const a of assigned) {
      const role = roleName(config.assignmentRoles, a.role);
      const list = people.get(a.cell_id) ?? [];
      list.push({
        role: a.role, roleZh: role.zh, roleEn: role.en, name: a.name,
        phone: a.phone && config.card.maskPhones ? maskPhone(a.phone) : a.phone,
      });
      people.set(a.cell_id, list);
    }
  }

  const levelName = (level: number) => config.levels.find((l) => l.level === level);
  return {
    districtName,
    rootName,
    cells: rows.map((r) => ({
      id: r.id,
      code: r.code,
      name: r.name,
      level: r.level,
      levelZh: levelName(r.level)?.zh ?? String(r.level),
      levelEn: levelName(r.level)?.en ?? String(r.level),
      parentCode: r.parent_code,
      areaM2: Math.round(r.area_m2 * 100) / 100,
      geometry: r.geometry,
      wkt: r.wkt,
      wkb: new Uint8Array(r.wkb),
      updatedAt: new Date(r.updated_at),
      people: people.get(r.id) ?? [],
    })),
  };
}

/** "网格长: 张三; 监督员: 李四、王五" — the people of a cell in one text field, for flat formats. */
export function responsibleText(people: ResponsiblePerson[]): string {
  const byRole = new Map<string, string[]>();
  for (const p of people) byRole.set(p.roleZh, [...(byRole.get(p.roleZh) ?? []), p.name]);
  return [...byRole].map(([role, names]) => `${role}: ${names.join('、')}`).join('; ');
}
