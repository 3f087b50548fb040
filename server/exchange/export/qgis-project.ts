import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { textResponse } from '../../response-schemas.ts';
import type { AppContext } from '../../context.ts';
import { actorFromToken } from '../../auth/plugin.ts';
import { problem, problemSchema } from '../../problem.ts';
import { publicBase } from '../../public-url.ts';
import { levelColors, lineWidth } from '../../../core/map/cell-layers.ts';
import { qgisProjectBodySchema, type QgisProjectBody } from '../../../core/contracts/exports.ts';
import { xmlText as esc } from './kml.ts';

/**
 * A QGIS project (.qgs) with the live grid: one OGC API – Features layer per cell level, coloured
 * and named as in the app, the open reports by category, and (with one of the user's API tokens) the units.
 */

const rgba = (hex: string, alpha = 255) => `${parseInt(hex.slice(1, 3), 16)},${parseInt(hex.slice(3, 5), 16)},${parseInt(hex.slice(5, 7), 16)},${alpha}`;
const opt = (name: string, value: string | number) => `<Option name="${name}" type="QString" value="${esc(String(value))}"/>`;
const CATEGORY_COLORS = ['#dc2626', '#ea580c', '#ca8a04', '#16a34a', '#0891b2', '#4f46e5', '#c026d3', '#64748b'];
const WGS84 = '<srs><spatialrefsys><authid>EPSG:4326</authid></spatialrefsys></srs>';

interface Layer {
  id: string;
  name: string;
  source: string;
  geometry: 'Polygon' | 'Point';
  renderer: string;
  labeling?: string;
}

const fillSymbol = (name: string, fill: string, line: string, width: number) =>
  `<symbol type="fill" name="${name}" alpha="1" clip_to_extent="1" force_rhr="0"><layer class="SimpleFill" enabled="1" locked="0" pass="0"><Option type="Map">${opt('color', rgba(fill, 51))}${opt('style', 'solid')}${opt('outline_color', rgba(line))}${opt('outline_style', 'solid')}${opt('outline_width', width)}${opt('outline_width_unit', 'Pixel')}</Option></layer></symbol>`;
const markerSymbol = (name: string, color: string) =>
  `<symbol type="marker" name="${name}" alpha="1" clip_to_extent="1" force_rhr="0"><layer class="SimpleMarker" enabled="1" locked="0" pass="0"><Option type="Map">${opt('color', rgba(color))}${opt('name', 'circle')}${opt('size', 3)}${opt('size_unit', 'MM')}${opt('outline_color', '255,255,255,255')}${opt('outline_width', 0.4)}</Option></layer></symbol>`;
const labels = (field: string, color: string, size: number) =>
  `<labeling type="simple"><settings calloutType="simple"><text-style fieldName="${field}" isExpression="0" fontSize="${size}" fontSizeUnit="Pixel" textColor="${rgba(color)}" fontFamily="Noto Sans CJK SC"><text-buffer bufferDraw="1" bufferSize="1.5" bufferSizeUnits="Pixel" bufferColor="255,255,255,242"/></text-style><placement placement="1"/><rendering obstacle="1" fontLimitPixelSize="0"/></settings></labeling>`;

function project(title: string, layers: Layer[]): string {
  const tree = layers.map((l) => `<layer-tree-layer id="${l.id}" name="${esc(l.name)}" source="${esc(l.source)}" providerKey="OAPIF" checked="Qt::Checked" expanded="1"/>`).join('\n    ');
  const maps = layers.map((l) => `<maplayer type="vector" geometry="${l.geometry}" labelsEnabled="${l.labeling ? 1 : 0}" readOnly="1">
      <id>${l.id}</id>
      <datasource>${esc(l.source)}</datasource>
      <layername>${esc(l.name)}</layername>
      ${WGS84}
      <provider encoding="UTF-8">OAPIF</provider>
      ${l.renderer}
      ${l.labeling ?? ''}
    </maplayer>`).join('\n    ');
  return `<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis projectname="${esc(title)}" version="3.22.0">
  <title>${esc(title)}</title>
  <projectCrs><spatialrefsys><authid>EPSG:3857</authid></spatialrefsys></projectCrs>
  <layer-tree-group>
    ${tree}
  </layer-tree-group>
  <projectlayers>
    ${maps}
  </projectlayers>
</qgis>
`;
}

const SUMMARY = 'A QGIS project with the live grid (OGC API – Features): cells per level styled and named as in the app, the open reports by category';

export default async function qgisProjectRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  async function build(request: FastifyRequest, token: string | undefined): Promise<string> {
    const user = request.actor;
    // The token goes into the project: it must be one of the user's own.
    if (token !== undefined && (await actorFromToken(db, token, now()))?.id !== user.id) throw problem('auth.token-invalid');
    const ogc = `${publicBase(request, config.publicUrl)}/ogc`;
    // QGIS 3.22 (Debian 12) sends no custom headers from a data source (http-header: came in
    // 3.24), but every QGIS 3 sends username/password as HTTP Basic, and the server takes an API
    // token as the Basic password. The token stays out of URLs and server logs; it is in the file.
    // The user name is only shown by QGIS (the server checks the token): kept to URI-safe characters.
    const auth = token ? ` username='${/^[\w.@-]+$/.test(user.username) ? user.username : 'wangge'}' password='${token}'` : '';
    const source = (collection: string, withAuth = false) => `url='${ogc}' typename='${collection}'${withAuth ? auth : ''}`;
    const levels = [...config.levels].sort((a, b) => a.level - b.level);
    // Finest level at the bottom of the list is drawn first; coarser outlines on top.
    const cells: Layer[] = levels.map((l, i): Layer => ({
      id: `cells_level_${l.level}`,
      name: `网格 ${l.zh} · ${l.en}`,
      source: source(`cells-level-${l.level}`),
      geometry: 'Polygon',
      renderer: `<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0"><symbols>${fillSymbol('0', levelColors(i).fill, levelColors(i).line, lineWidth(i))}</symbols></renderer-v2>`,
      labeling: labels('name', levelColors(i).text, Math.max(17 - 1.5 * i, 11.5)),
    })).reverse();
    const categories = config.reports.categories;
    const reports: Layer = {
      id: 'reports_open',
      name: '未办结隐患 Open reports',
      source: source('reports-open'),
      geometry: 'Point',
      renderer: `<renderer-v2 type="categorizedSymbol" attr="category" symbollevels="0" enableorderby="0" forceraster="0"><categories>${categories.map((c, i) => `<category symbol="${i}" value="${esc(c.code)}" label="${esc(`${c.zh} ${c.en}`)}" render="true"/>`).join('')}</categories><symbols>${categories.map((_c, i) => markerSymbol(String(i), CATEGORY_COLORS[i % CATEGORY_COLORS.length]!)).join('')}</symbols></renderer-v2>`,
    };
    const units: Layer[] = token ? [{
      id: 'units_layer', name: '单位场所 Units', source: source('units', true), geometry: 'Point',
      renderer: `<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0"><symbols>${markerSymbol('0', '#334155')}</symbols></renderer-v2>`,
      labeling: labels('name', '#334155', 11),
    }] : [];
    return project('Wangge 网格', [...units, reports, ...cells]);
  }

  const send = (reply: FastifyReply, body: string) => reply
    .header('content-disposition', 'attachment; filename="wangge.qgs"')
    .header('cache-control', 'no-store')
    .type('application/x-qgis; charset=utf-8')
    .send(body);

  const qgsResponse = textResponse('A QGIS project (XML) as the attachment wangge.qgs', 'application/x-qgis');
  app.get('/api/export/project.qgs', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['exchange'],
      summary: `${SUMMARY}. Without units: POST with one of your API tokens to add them`,
      querystring: { type: 'object', properties: {}, additionalProperties: false },
      response: { 200: qgsResponse, '4xx': problemSchema },
    },
  }, async (request, reply) => send(reply, await build(request, undefined)));

  // POST, so that the token travels in the body, never in a URL (logs, proxies, browser history).
  app.post<{ Body: QgisProjectBody | undefined }>('/api/export/project.qgs', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['exchange'],
      summary: `${SUMMARY}, and with token (one of your API tokens, which QGIS then sends as the HTTP Basic password) the units`,
      body: qgisProjectBodySchema,
      response: { 200: qgsResponse, '4xx': problemSchema },
    },
  }, async (request, reply) => send(reply, await build(request, request.body?.token)));
}
