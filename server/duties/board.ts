import type { FastifyInstance, FastifyRequest } from 'fastify';
import { textResponse } from '../response-schemas.ts';
import type { AppContext } from '../context.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams } from '../schemas.ts';
import { publicBase } from '../public-url.ts';
import { loadCard } from '../people/card.ts';
import { qrSvg } from './qr.ts';
import type { DutyItem } from './config.ts';

type Paper = 'a4' | 'a3';
type Ring = [number, number][];
type Polygons = Ring[][];

interface MapPart {
  id: number;
  name: string;
  code: string;
  self: boolean;
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
  label: [number, number] | null;
}

const esc = (s: string | number) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The public card and report form of a cell on the public map (client/router.ts): `#/map?cell=ID&report=1`. */
export function cardUrl(base: string, cellId: number): string {
  return `${base}/#/map?cell=${cellId}&report=1`;
}

/**
 * The cell and the cells of its level around it, clipped to a frame 30% larger than the cell, with a
 * label point for each: what the board's map draws.
 */
async function mapParts(q: Queryable, cellId: number): Promise<MapPart[]> {
  const { rows } = await q.query<MapPart & { label: { coordinates: [number, number] } | null }>(
    `WITH me AS (SELECT id, level, geom, ST_Expand(ST_Envelope(geom), GREATEST(ST_XMax(geom) - ST_XMin(geom), ST_YMax(geom) - ST_YMin(geom)) * 0.15) AS frame FROM cells WHERE id = $1),
     parts AS (
       SELECT c.id, c.name, c.code, c.id = me.id AS self, CASE WHEN c.id = me.id THEN c.geom ELSE ST_Intersection(c.geom, me.frame) END AS g
       FROM cells c, me WHERE c.level = me.level AND c.geom && me.frame AND (c.id = me.id OR ST_Intersects(c.geom, me.frame))
     )
     SELECT id, name, code, self, ST_AsGeoJSON(g, 6)::json AS geometry,
            CASE WHEN ST_IsEmpty(g) OR ST_Dimension(g) < 2 THEN NULL ELSE ST_AsGeoJSON(ST_PointOnSurface(g), 6)::json END AS label
     FROM parts WHERE NOT ST_IsEmpty(g) ORDER BY self, code`, [cellId]);
  return rows
    .filter((r) => r.geometry.type === 'Polygon' || r.geometry.type === 'MultiPolygon' || (r.geometry.type as string) === 'GeometryCollection')
    .map((r) => ({ ...r, label: r.label ? r.label.coordinates : null }));
}

const polygonsOf = (g: { type: string; coordinates?: unknown; geometries?: { type: string; coordinates: unknown }[] }): Polygons => {
  if (g.type === 'Polygon') return [g.coordinates as Ring[]];
  if (g.type === 'MultiPolygon') return g.coordinates as Polygons;
  if (g.type === 'GeometryCollection') return (g.geometries ?? []).flatMap(polygonsOf);
  return [];
};

/** The map as inline SVG in an equirectangular projection scaled by cos(latitude): vector, no tiles. */
function mapSvg(parts: MapPart[]): string {
  const self = parts.find((p) => p.self);
  if (!self) return '';
  const selfPolys = polygonsOf(self.geometry);
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const poly of selfPolys) for (const [x, y] of poly[0] ?? []) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  const pad = Math.max(x1 - x0, y1 - y0) * 0.15;
  [x0, y0, x1, y1] = [x0 - pad, y0 - pad, x1 + pad, y1 + pad];
  const k = Math.cos((((y0 + y1) / 2) * Math.PI) / 180);
  const W = 1000;
  const scale = W / Math.max((x1 - x0) * k, 1e-12);
  const H = Math.max(200, Math.round((y1 - y0) * scale));
  const px = ([x, y]: [number, number]) => `${((x - x0) * k * scale).toFixed(1)} ${((y1 - y) * scale).toFixed(1)}`;
  const path = (polys: Polygons) => polys.map((poly) => poly.map((ring) => `M${ring.map(px).join('L')}Z`).join('')).join('');
  const font = Math.round(Math.min(W, H) / 22);
  let out = `<svg xmlns="http://www.w3.org/2000/svg" class="board-map" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(self.name)}">`;
  out += `<rect width="${W}" height="${H}" fill="#f4f4f0"/>`;
  for (const p of parts.filter((x) => !x.self)) out += `<path class="neighbour" d="${path(polygonsOf(p.geometry))}" fill="#e6e6e0" stroke="#999" stroke-width="2" fill-rule="evenodd"/>`;
  out += `<path class="self" d="${path(selfPolys)}" fill="#fde3c8" stroke="#c0392b" stroke-width="6" stroke-linejoin="round" fill-rule="evenodd"/>`;
  for (const p of parts) {
    if (!p.label) continue;
    const size = p.self ? Math.round(font * 1.4) : font;
    const [rx, ry] = px(p.label).split(' ').map(Number) as [number, number];
    // A neighbour cut by the frame has its label near the edge: kept whole inside the map.
    const half = (p.name.length * size) / 2 + 4;
    const lx = Math.min(Math.max(rx, half), W - half).toFixed(1);
    const ly = Math.min(Math.max(ry, size), H - size).toFixed(1);
    out += `<text x="${lx}" y="${ly}" text-anchor="middle" dominant-baseline="middle" font-size="${size}" font-weight="${p.self ? 700 : 400}" fill="${p.self ? '#8e1b10' : '#555'}" paint-order="stroke" stroke="#fff" stroke-width="${font / 5}">${esc(p.name)}</text>`;
  }
  return `${out}</svg>`;
}

const domainName = (config: Config, code: string) => config.duties.domains.find((d) => d.code === code)?.zh ?? code;

function itemList(config: Config, items: DutyItem[], cls: string): string {
  if (!items.length) return '<p class="none">（未设定）</p>';
  return `<ol class="${cls}">${items.map((i) => `<li>${i.domain !== 'general' ? `<span class="domain">${esc(domainName(config, i.domain))}</span>` : ''}${esc(i.text)}</li>`).join('')}</ol>`;
}

async function boardHtml(q: Queryable, config: Config, base: string, cellId: number): Promise<string> {
  const card = await loadCard(q, config, cellId);
  const parts = await mapParts(q, cellId);
  const url = cardUrl(base, cellId);
  const chain = card.parents.map((p) => esc(p.name)).join(' · ');
  const people = card.people.length
    ? `<table class="people"><thead><tr><th>职务</th><th>姓名</th><th>电话</th></tr></thead><tbody>${card.people.map((p) => `<tr class="person">`
      + `<td>${esc(p.roleName.zh)}</td><td>${p.photoUrl ? `<img class="photo" src="${esc(p.photoUrl)}" alt="${esc(p.name)}">` : ''}<span class="name">${esc(p.name)}</span>${p.title ? ` <span class="title">${esc(p.title)}</span>` : ''}</td>`
      + `<td class="phone">${p.phone ? esc(p.phone) : '—'}</td></tr>`).join('')}</tbody></table>`
    : '<p class="none">（尚未明确责任人员）</p>';
  return `<article class="board" data-cell-id="${card.id}">
<header><p class="chain">${chain}</p><h1>网格公示牌</h1><h2>${esc(card.name)}</h2>
<p class="code">网格编码 <b>${esc(card.code)}</b> · ${esc(card.levelName.zh)}级网格</p></header>
<section class="map"><h3>定区域</h3>${mapSvg(parts)}</section>
<section class="who"><h3>定人员</h3>${people}</section>
<section class="duties"><h3>定职责</h3>${itemList(config, card.duties, 'duties')}</section>
<section class="tasks"><h3>定任务</h3>${itemList(config, card.tasks, 'tasks')}</section>
<section class="rules"><h3>定奖惩</h3><p>${esc(card.rewardRules || '（未设定）')}</p></section>
<footer><div class="hotline"><p>监督电话</p><p class="number">${esc(config.board.hotline)}</p><p class="muted">${esc(config.board.hotlineName)}</p></div>
<figure class="qr-box">${qrSvg(url, { title: '扫码查看本网格并举报隐患' })}<figcaption>扫码查看本网格、随手举报隐患</figcaption></figure></footer>
</article>`;
}

const CSS = (paper: Paper) => {
  const a3 = paper === 'a3';
  return `
@page { size: ${a3 ? 'A3 landscape' : 'A4 portrait'}; margin: 10mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Noto Serif CJK SC", sans-serif; color: #222; background: #ddd; }
.board { background: #fff; margin: 10mm auto; padding: 6mm; width: ${a3 ? '400mm' : '190mm'}; min-height: 274mm; /* 277 mm of page less a margin for rounding: a hair over would print a blank page */
  border: 2.5mm solid #c0392b; display: grid; gap: 3mm 5mm; align-content: start; grid-template-rows: ${a3 ? 'auto auto auto 1fr' : 'auto auto auto auto 1fr'};
  grid-template-columns: ${a3 ? '1.3fr 1fr 1fr' : '1fr 1.15fr'};
  grid-template-areas: ${a3 ? '"head head head" "map who duties" "map tasks duties" "map rules foot"' : '"head head" "map who" "duties tasks" "rules rules" "foot foot"'}; }
.board > header { grid-area: head; text-align: center; border-bottom: 0.8mm solid #c0392b; padding-bottom: 2mm; }
.board h1 { margin: 0; font-size: ${a3 ? '18mm' : '11mm'}; line-height: 1.2; letter-spacing: 3mm; color: #c0392b; }
.board h2 { margin: 0.5mm 0; font-size: ${a3 ? '10mm' : '6.5mm'}; }
.board h3 { margin: 0 0 1.5mm; font-size: ${a3 ? '5.5mm' : '4.2mm'}; color: #fff; background: #c0392b; display: inline-block; padding: 0.3mm 2.5mm; border-radius: 1mm; }
.chain, .code { margin: 0; font-size: 3.5mm; color: #444; }
.map { grid-area: map; } .who { grid-area: who; } .duties { grid-area: duties; } .tasks { grid-area: tasks; } .rules { grid-area: rules; }
.board-map { display: block; width: auto; height: auto; max-width: 100%; max-height: ${a3 ? '185mm' : '85mm'}; margin: 0 auto; border: 0.3mm solid #999; }
table.people { width: 100%; border-collapse: collapse; font-size: ${a3 ? '4mm' : '3.2mm'}; }
table.people th, table.people td { border: 0.3mm solid #999; padding: 0.6mm 1.5mm; text-align: left; vertical-align: top; }
table.people th { background: #f6e3e1; }
.name { font-weight: 700; } .title { font-size: 0.85em; color: #555; }
.phone { font-family: ui-monospace, "Noto Sans Mono", monospace; white-space: nowrap; }
img.photo { height: 12mm; width: 9mm; object-fit: cover; float: left; margin-right: 1.5mm; border: 0.2mm solid #999; }
ol { margin: 0; padding-left: 5mm; font-size: ${a3 ? '4mm' : '3.2mm'}; line-height: 1.4; }
.domain { display: inline-block; font-size: 0.8em; border: 0.3mm solid #c0392b; color: #c0392b; border-radius: 1mm; padding: 0 0.8mm; margin-right: 1mm; line-height: 1.3; }
.rules p { margin: 0; font-size: ${a3 ? '4mm' : '3.2mm'}; line-height: 1.4; }
.none, .muted { color: #777; }
.board > footer { grid-area: foot; align-self: end; display: flex; align-items: center; justify-content: space-between; gap: 5mm; border-top: ${a3 ? '0' : '0.5mm solid #c0392b'}; padding-top: 2mm; }
.hotline p { margin: 0; font-size: 4.5mm; } .hotline .number { font-size: ${a3 ? '14mm' : '11mm'}; font-weight: 700; color: #c0392b; letter-spacing: 1mm; line-height: 1.2; }
.qr-box { margin: 0; text-align: center; } .qr-box svg { width: ${a3 ? '45mm' : '32mm'}; height: ${a3 ? '45mm' : '32mm'}; display: block; margin: 0 auto; }
.qr-box figcaption { font-size: 3mm; }
.hint { text-align: center; font-size: 14px; color: #333; margin: 8px; }
@media print {
  body { background: #fff; }
  .hint { display: none; }
  .board { margin: 0 auto; break-after: page; break-inside: avoid; }
  .board:last-child { break-after: auto; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}`;
};

/** The printed public notice board (网格公示牌, 亮身份): HTML ready to print, for a cell or each of its children. */
export default async function boardRoutes(app: FastifyInstance, { db, config }: AppContext) {
  app.get<{ Params: { id: number }; Querystring: { paper?: Paper; children?: '1' | '0' } }>('/cells/:id/board', {
    config: { access: 'public' },
    schema: {
      tags: ['cells'],
      summary: "A cell's public notice board (网格公示牌) as HTML ready to print: map, code, people, duties, hotline, QR code (no account needed)",
      description: 'paper=a3 lays it out for A3 landscape (default A4 portrait); children=1 prints one board per child cell, each on its own page.',
      params: idParams,
      querystring: {
        type: 'object',
        properties: { paper: { type: 'string', enum: ['a4', 'a3'] }, children: { type: 'string', enum: ['0', '1'] } },
        additionalProperties: false,
      },
      response: { 200: textResponse('The board: an HTML page ready to print', 'text/html'), '4xx': problemSchema },
    },
  }, async (request: FastifyRequest<{ Params: { id: number }; Querystring: { paper?: Paper; children?: '1' | '0' } }>, reply) => {
    const { id } = request.params;
    const paper = request.query.paper ?? 'a4';
    const { rows: cell } = await db.query<{ name: string }>('SELECT name FROM cells WHERE id = $1', [id]);
    if (!cell[0]) throw problem('cells.not-found', { id });
    const ids = request.query.children === '1'
      ? (await db.query<{ id: number }>('SELECT id FROM cells WHERE parent_id = $1 ORDER BY code', [id])).rows.map((r) => r.id)
      : [id];
    const base = publicBase(request, config.publicUrl);
    const boards: string[] = [];
    for (const cellId of ids) boards.push(await boardHtml(db, config, base, cellId));
    const title = `网格公示牌 · ${cell[0].name}${request.query.children === '1' ? '（下级网格）' : ''}`;
    const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${CSS(paper)}</style></head><body data-paper="${paper}">
<p class="hint">用浏览器“打印”（Ctrl+P）输出：${paper === 'a3' ? 'A3 横向' : 'A4 纵向'}，边距“默认”，勾选“背景图形”。${ids.length ? '' : '该网格没有下级网格。'}</p>
${boards.join('\n')}
</body></html>`;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });
}
