import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { documentResponse } from '../../response-schemas.ts';
import type { AppContext } from '../../context.ts';
import { problem, problemSchema } from '../../problem.ts';
import { featureCollectionSchema, featureSchema } from '../../schemas.ts';
import { publicBase } from '../../public-url.ts';
import { xmlText as esc } from '../export/kml.ts';
import { collectionDefs, extentOf, queryItem, queryItems, visibleTo, type CollectionDef, type ItemQuery } from './collections.ts';
import { openApiDocument } from './openapi.ts';
import { VECTOR_LAYERS, styleUrl, tileJsonUrl } from '../../tiles/describe.ts';
import { CELLS_MAXZOOM, CELLS_MINZOOM } from '../../../core/map/cell-layers.ts';

/**
 * OGC API – Features, Part 1: Core, with GeoJSON, HTML and OpenAPI 3.0, at /ogc. QGIS, ArcGIS and
 * GDAL (OAPIF driver) read the cells, units and reports from here directly.
 */

const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset',
  'http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list',
  'http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets',
  'http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt',
];

const WEB_MERCATOR_QUAD = 'http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad';
const MAX_TILE_MATRIX = 24;
const HALF_WORLD = 20037508.3427892;

/**
 * The WebMercatorQuad definition, served here so that a client such as GDAL's OGCAPI driver needs no
 * access to opengis.net to read the tiles. In the 2.0 encoding (id, crs, tileMatrices) and, with
 * keys that do not clash, the 1.0 one (identifier, supportedCRS, tileMatrix) that GDAL before 3.7 reads.
 */
function webMercatorQuad() {
  const crs = 'http://www.opengis.net/def/crs/EPSG/0/3857';
  const matrices = Array.from({ length: MAX_TILE_MATRIX + 1 }, (_, z) => {
    const cellSize = (2 * HALF_WORLD) / 256 / 2 ** z;
    return { z, cellSize, scaleDenominator: cellSize / 0.00028, size: 2 ** z };
  });
  const origin = [-HALF_WORLD, HALF_WORLD];
  return {
    id: 'WebMercatorQuad',
    title: 'Google Maps Compatible for the World',
    uri: WEB_MERCATOR_QUAD,
    crs,
    orderedAxes: ['X', 'Y'],
    wellKnownScaleSet: 'http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible',
    tileMatrices: matrices.map((m) => ({
      id: String(m.z), scaleDenominator: m.scaleDenominator, cellSize: m.cellSize, cornerOfOrigin: 'topLeft', pointOfOrigin: origin,
      tileWidth: 256, tileHeight: 256, matrixWidth: m.size, matrixHeight: m.size,
    })),
    // 1.0 (OGC 17-083r2)
    type: 'TileMatrixSetType',
    identifier: 'WebMercatorQuad',
    supportedCRS: crs,
    boundingBox: { type: 'BoundingBoxType', crs, lowerCorner: [-HALF_WORLD, -HALF_WORLD], upperCorner: [HALF_WORLD, HALF_WORLD] },
    tileMatrix: matrices.map((m) => ({
      type: 'TileMatrixType', identifier: String(m.z), scaleDenominator: m.scaleDenominator, topLeftCorner: origin,
      tileWidth: 256, tileHeight: 256, matrixWidth: m.size, matrixHeight: m.size,
    })),
  };
}
const REL_TILESETS_VECTOR = 'http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector';
const MVT = 'application/vnd.mapbox-vector-tile';
const STYLE_TYPE = 'application/vnd.mapbox.style+json';
const QGIS_TYPE = 'application/x-qgis';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10_000;

type Format = 'json' | 'html';

interface Link {
  href: string;
  rel: string;
  type: string;
  title?: string;
}

/** The JSON answers of the OGC API, as the routes write them (each also answers as HTML). */
const str = { type: 'string' } as const;
const linkSchema = { type: 'object', properties: { href: str, rel: str, type: str, title: str, templated: { type: 'boolean' } }, required: ['href', 'rel'] } as const;
const links = { type: 'array', items: linkSchema } as const;
const landingSchema = { type: 'object', properties: { title: str, description: str, links }, required: ['links'] } as const;
const conformanceSchema = { type: 'object', properties: { conformsTo: { type: 'array', items: str } }, required: ['conformsTo'] } as const;
const collectionSchema = {
  type: 'object',
  properties: {
    id: str, title: str, description: str, itemType: str, crs: { type: 'array', items: str }, storageCrs: str,
    extent: {
      type: 'object',
      properties: {
        spatial: { type: 'object', properties: { bbox: { type: 'array', items: { type: 'array', items: { type: 'number' } } }, crs: str } },
        temporal: { type: 'object', properties: { interval: { type: 'array', items: { type: 'array', items: { type: ['string', 'null'] } } }, trs: str } },
      },
    },
    links,
  },
  required: ['id', 'links'],
} as const;
const collectionsSchema = { type: 'object', properties: { links, collections: { type: 'array', items: collectionSchema } }, required: ['links', 'collections'] } as const;
const ogcFeatureSchema = featureSchema({
  id: { type: ['integer', 'string'] },
  geometry: { type: ['object', 'null'], additionalProperties: true },
  properties: { type: ['object', 'null'], additionalProperties: true, description: 'the fields of the collection' },
}, ['type', 'geometry', 'properties']);
const itemsSchema = featureCollectionSchema(ogcFeatureSchema, {
  numberMatched: { type: 'integer' }, numberReturned: { type: 'integer' }, timeStamp: { type: 'string', format: 'date-time' }, links,
}, ['type', 'features', 'numberMatched', 'numberReturned', 'links']);
const itemSchema = { ...ogcFeatureSchema, properties: { ...ogcFeatureSchema.properties, links }, required: [...ogcFeatureSchema.required, 'links'] } as const;
const tilesetSummary = { type: 'object', properties: { title: str, dataType: str, crs: str, tileMatrixSetURI: str, links }, required: ['dataType', 'crs', 'links'] } as const;
const tilesetsSchema = { type: 'object', properties: { links, tilesets: { type: 'array', items: tilesetSummary } }, required: ['tilesets'] } as const;
const tilesetSchema = {
  type: 'object',
  properties: {
    ...tilesetSummary.properties, minTileMatrix: str, maxTileMatrix: str,
    layers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: str, dataType: str, geometryDimension: { type: 'integer' }, minTileMatrix: str, maxTileMatrix: str, description: str,
          propertiesSchema: { type: 'object', additionalProperties: true },
        },
      },
    },
  },
  required: ['dataType', 'crs', 'tileMatrixSetURI', 'links'],
} as const;
const tileMatrixSetsSchema = {
  type: 'object',
  properties: { tileMatrixSets: { type: 'array', items: { type: 'object', properties: { id: str, title: str, uri: str, links } } } },
  required: ['tileMatrixSets'],
} as const;
const numbers = { type: 'array', items: { type: 'number' } } as const;
const tileMatrixSetSchema = {
  type: 'object',
  description: 'WebMercatorQuad in the 2.0 encoding (id, crs, tileMatrices) and the 1.0 one (identifier, supportedCRS, tileMatrix)',
  properties: {
    id: str, title: str, uri: str, crs: str, orderedAxes: { type: 'array', items: str }, wellKnownScaleSet: str,
    tileMatrices: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: str, scaleDenominator: { type: 'number' }, cellSize: { type: 'number' }, cornerOfOrigin: str, pointOfOrigin: numbers,
          tileWidth: { type: 'integer' }, tileHeight: { type: 'integer' }, matrixWidth: { type: 'integer' }, matrixHeight: { type: 'integer' },
        },
      },
    },
    type: str, identifier: str, supportedCRS: str,
    boundingBox: { type: 'object', properties: { type: str, crs: str, lowerCorner: numbers, upperCorner: numbers } },
    tileMatrix: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          type: str, identifier: str, scaleDenominator: { type: 'number' }, topLeftCorner: numbers,
          tileWidth: { type: 'integer' }, tileHeight: { type: 'integer' }, matrixWidth: { type: 'integer' }, matrixHeight: { type: 'integer' },
        },
      },
    },
  },
  required: ['id', 'uri', 'crs', 'tileMatrices'],
} as const;
/** A JSON document (or, with f=html or a browser's Accept, the same as an HTML page). */
const ogcAnswer = (description: string, schema: Record<string, unknown>, mediaType = 'application/json') => ({
  200: documentResponse(description, schema, mediaType, true),
  '4xx': problemSchema,
});

/** f=json|geojson|html wins; else a browser (Accept: text/html first) gets HTML, everyone else JSON. */
function formatOf(request: FastifyRequest<{ Querystring: { f?: string } }>): Format {
  const f = request.query.f;
  if (f === 'html') return 'html';
  if (f === 'json' || f === 'geojson') return 'json';
  const accept = String(request.headers.accept ?? '');
  const html = accept.indexOf('text/html');
  const json = Math.min(...['application/json', 'application/geo+json'].map((t) => accept.indexOf(t)).filter((i) => i >= 0), Infinity);
  return html >= 0 && html < json ? 'html' : 'json';
}

/** The base of every link the OGC API answers with (see publicBase). */
function baseOf(request: FastifyRequest, publicUrl: string | undefined): string {
  return `${publicBase(request, publicUrl)}/ogc`;
}

function withQuery(url: string, params: Record<string, string | number | undefined>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, String(v));
  return u.toString().replace(/%2C/g, ',');
}

function page(title: string, body: string, links: Link[]): string {
  const json = links.find((l) => l.rel === 'alternate' || (l.rel === 'self' && l.type !== 'text/html'));
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:14px/1.5 system-ui,sans-serif;margin:1.5rem auto;max-width:70rem;padding:0 1rem;color:#222}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f3}code{background:#f3f3f3;padding:0 .2rem}nav a{margin-right:1rem}</style>
</head><body><nav><a href="/ogc?f=html">Wangge OGC API</a><a href="/ogc/collections?f=html">Collections 图层</a>${json ? `<a href="${esc(json.href)}">JSON</a>` : ''}</nav>
<h1>${esc(title)}</h1>${body}</body></html>`;
}

function send(reply: FastifyReply, format: Format, json: unknown, html: () => string, jsonType = 'application/json') {
  if (format === 'html') return reply.type('text/html; charset=utf-8').send(html());
  return reply.type(jsonType).send(JSON.stringify(json));
}

const rows = (pairs: [string, string][]) => `<table>${pairs.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>`;

function parseBbox(text: string): [number, number, number, number] {
  const n = text.split(',').map((s) => Number(s.trim()));
  if (!(n.length === 4 || n.length === 6) || n.some((v) => !Number.isFinite(v))) {
    throw problem('ogc.bbox-invalid', { bbox: text }, { errors: [{ field: 'querystring.bbox', message: 'must be minLon,minLat,maxLon,maxLat' }] });
  }
  const [a, b, x, y] = n.length === 6 ? [n[0]!, n[1]!, n[3]!, n[4]!] : (n as [number, number, number, number]);
  if (b > y) throw problem('ogc.bbox-reversed', { bbox: text }, { errors: [{ field: 'querystring.bbox', message: 'minLat > maxLat' }] });
  // minLon > maxLon crosses the antimeridian: the band across 180° (bboxSql), kept as given.
  return [a, b, x, y];
}

/** RFC 3339 instant, or an interval start/end with ".." or "" for an open end. */
function parseDatetime(text: string): { start: string | null; end: string | null } {
  const PART = { instant: '时刻', start: '开始时间', end: '结束时间' } as const;
  const instant = (s: string, field: keyof typeof PART) => {
    if (s === '..' || s === '') return null;
    const d = new Date(s);
    if (!/^\d{4}-\d{2}-\d{2}/.test(s) || Number.isNaN(d.getTime())) {
      throw problem('ogc.datetime-invalid', { part: { zh: PART[field], en: field }, value: s }, { errors: [{ field: 'querystring.datetime', message: 'not RFC 3339' }] });
    }
    return d.toISOString();
  };
  const parts = text.split('/');
  if (parts.length === 1) {
    const t = instant(parts[0]!, 'instant');
    if (t === null) throw problem('ogc.datetime-open', {}, { errors: [{ field: 'querystring.datetime', message: 'open instant' }] });
    return { start: t, end: t };
  }
  if (parts.length !== 2) throw problem('ogc.datetime-form', { value: text }, { errors: [{ field: 'querystring.datetime', message: 'invalid' }] });
  return { start: instant(parts[0]!, 'start'), end: instant(parts[1]!, 'end') };
}

export default async function ogcRoutes(app: FastifyInstance, { db, config }: AppContext) {
  const defs = collectionDefs(config);
  const fQuery = { type: 'string', enum: ['json', 'geojson', 'html'] } as const;
  const simple = { querystring: { type: 'object', properties: { f: fQuery }, additionalProperties: false }, hide: true } as const;

  const collection = (request: FastifyRequest, id: string): CollectionDef => {
    const c = defs.find((d) => d.id === id);
    if (!c) throw problem('ogc.collection-not-found', { id });
    if (!visibleTo(c, request.user)) throw problem('ogc.sign-in-required', { id });
    return c;
  };

  async function describe(request: FastifyRequest, c: CollectionDef) {
    const base = baseOf(request, config.publicUrl);
    return {
      id: c.id,
      title: c.title,
      description: c.description,
      itemType: 'feature',
      crs: ['http://www.opengis.net/def/crs/OGC/1.3/CRS84'],
      storageCrs: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84',
      extent: await extentOf(db, c, request.user),
      links: [
        { href: `${base}/collections/${c.id}`, rel: 'self', type: 'application/json', title: 'this collection' },
        { href: `${base}/collections/${c.id}?f=html`, rel: 'alternate', type: 'text/html', title: 'this collection as HTML' },
        { href: `${base}/collections/${c.id}/items`, rel: 'items', type: 'application/geo+json', title: 'the features as GeoJSON' },
        { href: `${base}/collections/${c.id}/items?f=html`, rel: 'items', type: 'text/html', title: 'the features as HTML' },
        ...(c.tiles ? tileLinks(request, c) : []),
      ],
    };
  }

  /** A cells collection's vector tiles (OGC API – Tiles), its MapLibre style and TileJSON. */
  function tileLinks(request: FastifyRequest, c: CollectionDef): Link[] {
    const base = baseOf(request, config.publicUrl);
    const root = publicBase(request, config.publicUrl);
    return [
      { href: `${base}/collections/${c.id}/tiles`, rel: REL_TILESETS_VECTOR, type: 'application/json', title: 'vector tiles (OGC API – Tiles)' },
      { href: styleUrl(root), rel: 'stylesheet', type: STYLE_TYPE, title: 'MapLibre style of the cells, as in the app' },
      { href: tileJsonUrl(root), rel: 'describedby', type: 'application/json', title: 'TileJSON of the cells tiles' },
    ];
  }

  /** The MapLibre style, the TileJSON and the QGIS project (signed-in users; POST with a token adds the units). */
  function clientLinks(request: FastifyRequest): Link[] {
    const root = publicBase(request, config.publicUrl);
    return [
      { href: styleUrl(root), rel: 'stylesheet', type: STYLE_TYPE, title: 'MapLibre style of the cells' },
      { href: tileJsonUrl(root), rel: 'describedby', type: 'application/json', title: 'TileJSON of the cells tiles' },
      { href: `${root}/api/export/project.qgs`, rel: 'alternate', type: QGIS_TYPE, title: 'QGIS project: cells per level, open reports (signed-in users; POST {"token"} adds the units)' },
    ];
  }

  /** The tileset of a cells collection in WebMercatorQuad, its tiles at the cells tile URL. */
  function tileset(request: FastifyRequest, c: CollectionDef) {
    const base = baseOf(request, config.publicUrl);
    const root = publicBase(request, config.publicUrl);
    const level = c.tiles?.level;
    return {
      title: `${c.title} — vector tiles`,
      dataType: 'vector',
      crs: 'http://www.opengis.net/def/crs/EPSG/0/3857',
      tileMatrixSetURI: WEB_MERCATOR_QUAD,
      minTileMatrix: String(CELLS_MINZOOM),
      maxTileMatrix: String(CELLS_MAXZOOM),
      layers: VECTOR_LAYERS.map((l) => ({
        id: l.id,
        dataType: 'vector',
        geometryDimension: l.id === 'cells' ? 2 : 0,
        minTileMatrix: String(l.minzoom),
        maxTileMatrix: String(l.maxzoom),
        description: l.description,
        propertiesSchema: { type: 'object', properties: Object.fromEntries(Object.entries(l.fields).map(([k, t]) => [k, { type: t === 'Number' ? 'number' : 'string' }])) },
      })),
      links: [
        { href: `${base}/collections/${c.id}/tiles/WebMercatorQuad`, rel: 'self', type: 'application/json', title: 'this tileset' },
        { href: `${root}/tiles/cells/{tileMatrix}/{tileCol}/{tileRow}.mvt${level === undefined ? '' : `?level=${level}`}`, rel: 'item', type: MVT, title: 'the tiles', templated: true },
        { href: `${base}/collections/${c.id}`, rel: 'http://www.opengis.net/def/rel/ogc/1.0/geodata', type: 'application/json', title: 'the collection' },
        { href: `${base}/tileMatrixSets/WebMercatorQuad`, rel: 'http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme', type: 'application/json', title: 'WebMercatorQuad' },
        { href: styleUrl(root), rel: 'stylesheet', type: STYLE_TYPE, title: 'MapLibre style of the cells' },
      ],
    };
  }

  const tiledCollection = (request: FastifyRequest, id: string): CollectionDef => {
    const c = collection(request, id);
    if (!c.tiles) throw problem('ogc.tiles-not-found', { id });
    return c;
  };

  app.get<{ Params: { collectionId: string }; Querystring: { f?: string } }>('/ogc/collections/:collectionId/tiles', { config: { access: 'public' }, schema: { ...simple, response: ogcAnswer('The tilesets of the collection (OGC API – Tiles)', tilesetsSchema) } }, async (request, reply) => {
    const c = tiledCollection(request, request.params.collectionId);
    const set = tileset(request, c);
    const base = baseOf(request, config.publicUrl);
    const doc = {
      links: [{ href: `${base}/collections/${c.id}/tiles`, rel: 'self', type: 'application/json', title: 'this document' }],
      tilesets: [{ title: set.title, dataType: set.dataType, crs: set.crs, tileMatrixSetURI: set.tileMatrixSetURI, links: set.links.filter((l) => l.rel !== 'item') }],
    };
    return send(reply, formatOf(request), doc, () => page(`${c.title} · tiles`, `<ul><li><a href="${esc(set.links[0]!.href)}">WebMercatorQuad</a></li></ul>`, doc.links));
  });

  app.get<{ Params: { collectionId: string; tms: string }; Querystring: { f?: string } }>('/ogc/collections/:collectionId/tiles/:tms', { config: { access: 'public' }, schema: { ...simple, response: ogcAnswer('The tileset in WebMercatorQuad: its layers and the tile URL template', tilesetSchema) } }, async (request, reply) => {
    const c = tiledCollection(request, request.params.collectionId);
    if (request.params.tms !== 'WebMercatorQuad') throw problem('ogc.tile-matrix-set-not-found', { tms: request.params.tms });
    const set = tileset(request, c);
    return send(reply, formatOf(request), set, () => page(set.title, rows([
      ['tiles', `<code>${esc(set.links[1]!.href)}</code>`], ['style', `<a href="${esc(set.links[4]!.href)}">${esc(set.links[4]!.href)}</a>`],
    ]), set.links));
  });

  // The tile itself at the OGC path: the same tile as /tiles/cells/{z}/{x}/{y}.mvt.
  app.get<{ Params: { collectionId: string; tms: string; z: string; row: string; col: string } }>(
    '/ogc/collections/:collectionId/tiles/:tms/:z/:row/:col', {
      config: { access: 'public' },
      schema: { hide: true, response: { 302: { description: 'To the tile at /tiles/cells/{z}/{x}/{y}.mvt', type: 'null' }, '4xx': problemSchema } },
    }, async (request, reply) => {
      const c = tiledCollection(request, request.params.collectionId);
      if (request.params.tms !== 'WebMercatorQuad') throw problem('ogc.tile-matrix-set-not-found', { tms: request.params.tms });
      const { z, row, col } = request.params;
      if (![z, row, col].every((n) => /^\d{1,7}$/.test(n))) throw problem('ogc.tile-not-found', { z, row, col });
      const level = c.tiles?.level;
      return reply.redirect(`/tiles/cells/${z}/${col}/${row}.mvt${level === undefined ? '' : `?level=${level}`}`, 302);
    });

  app.get<{ Querystring: { f?: string } }>('/ogc/tileMatrixSets', { config: { access: 'public' }, schema: { ...simple, response: ogcAnswer('The tile matrix sets: WebMercatorQuad', tileMatrixSetsSchema) } }, async (request, reply) => {
    const base = baseOf(request, config.publicUrl);
    const doc = {
      tileMatrixSets: [{
        id: 'WebMercatorQuad', title: 'Google Maps Compatible for the World', uri: WEB_MERCATOR_QUAD,
        links: [{ href: `${base}/tileMatrixSets/WebMercatorQuad`, rel: 'self', type: 'application/json', title: 'WebMercatorQuad' }],
      }],
    };
    return send(reply, formatOf(request), doc, () => page('Tile matrix sets', `<ul><li><a href="${esc(base)}/tileMatrixSets/WebMercatorQuad?f=json">WebMercatorQuad</a></li></ul>`, []));
  });

  app.get<{ Params: { tms: string }; Querystring: { f?: string } }>('/ogc/tileMatrixSets/:tms', { config: { access: 'public' }, schema: { ...simple, response: ogcAnswer('The definition of WebMercatorQuad', tileMatrixSetSchema) } }, async (request, reply) => {
    if (request.params.tms !== 'WebMercatorQuad') throw problem('ogc.tile-matrix-set-not-found', { tms: request.params.tms });
    const doc = webMercatorQuad();
    return send(reply, formatOf(request), doc, () => page(doc.title, rows([['uri', esc(doc.uri)], ['crs', esc(doc.crs)], ['tile matrices', `0–${MAX_TILE_MATRIX}`]]), []));
  });

  app.get<{ Querystring: { f?: string } }>('/ogc', { config: { access: 'public' }, schema: { ...simple, response: ogcAnswer('The landing page', landingSchema) } }, async (request, reply) => {
    const base = baseOf(request, config.publicUrl);
    const links: Link[] = [
      { href: base, rel: 'self', type: 'application/json', title: 'this document' },
      { href: `${base}?f=html`, rel: 'alternate', type: 'text/html', title: 'this document as HTML' },
      { href: `${base}/api`, rel: 'service-desc', type: 'application/vnd.oai.openapi+json;version=3.0', title: 'the API definition (OpenAPI 3.0)' },
      { href: `${base}/api?f=html`, rel: 'service-doc', type: 'text/html', title: 'the API documentation' },
      { href: `${base}/conformance`, rel: 'conformance', type: 'application/json', title: 'OGC API conformance classes implemented' },
      { href: `${base}/collections`, rel: 'data', type: 'application/json', title: 'the feature collections' },
      { href: `${base}/collections/cells/tiles`, rel: REL_TILESETS_VECTOR, type: 'application/json', title: 'vector tiles of the cells (OGC API – Tiles)' },
      { href: `${base}/tileMatrixSets`, rel: 'http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes', type: 'application/json', title: 'the tile matrix sets (WebMercatorQuad)' },
      ...clientLinks(request),
    ];
    const doc = { title: 'Wangge 网格 — OGC API – Features', description: 'Grid cells, units and hazard reports of Wangge as OGC API – Features (Part 1: Core, GeoJSON, HTML, OpenAPI 3.0), and the cells as vector tiles (OGC API – Tiles, Mapbox Vector Tiles in WebMercatorQuad).', links };
    return send(reply, formatOf(request), doc, () => page(doc.title, `<p>${esc(doc.description)}</p>
<p>QGIS: Layer › Add Layer › Add WFS / OGC API – Features Layer, URL <code>${esc(base)}</code>. GDAL: <code>ogrinfo OAPIF:${esc(base)}</code></p>
<ul>${links.filter((l) => l.type === 'text/html' || ['service-desc', 'stylesheet', 'describedby'].includes(l.rel) || l.type === QGIS_TYPE).map((l) => `<li><a href="${esc(l.href.includes('?') || l.type !== 'text/html' ? l.href : `${l.href}?f=html`)}">${esc(l.title ?? l.rel)}</a></li>`).join('')}
<li><a href="${esc(base)}/collections?f=html">Collections 图层</a></li><li><a href="${esc(base)}/conformance?f=html">Conformance</a></li></ul>`, links));
  });

  app.get<{ Querystring: { f?: string } }>('/ogc/conformance', { config: { access: 'public' }, schema: { ...simple, response: ogcAnswer('The conformance classes implemented', conformanceSchema) } }, async (request, reply) =>
    send(reply, formatOf(request), { conformsTo: CONFORMANCE }, () => page('Conformance', `<ul>${CONFORMANCE.map((c) => `<li><code>${esc(c)}</code></li>`).join('')}</ul>`, [
      { href: `${baseOf(request, config.publicUrl)}/conformance`, rel: 'alternate', type: 'application/json' },
    ])));

  app.get<{ Querystring: { f?: string } }>('/ogc/api', {
    config: { access: 'public' },
    schema: {
      ...simple,
      response: {
        200: documentResponse('The OpenAPI 3.0 document of the OGC API', { type: 'object', properties: { openapi: str, paths: { type: 'object', additionalProperties: true } }, additionalProperties: true }, 'application/vnd.oai.openapi+json', true),
        '4xx': problemSchema,
      },
    },
  }, async (request, reply) => {
    const doc = openApiDocument(baseOf(request, config.publicUrl), defs.filter((c) => visibleTo(c, request.user)), { defaultLimit: DEFAULT_LIMIT, maxLimit: MAX_LIMIT });
    if (formatOf(request) === 'html') {
      return reply.type('text/html; charset=utf-8').send(page('API definition', `<p>The OpenAPI 3.0 document: <a href="${esc(baseOf(request, config.publicUrl))}/api?f=json">${esc(baseOf(request, config.publicUrl))}/api?f=json</a></p>
${rows(Object.entries(doc.paths).map(([p, v]) => [p, esc((v as { get: { summary: string } }).get.summary)]))}`, [{ href: `${baseOf(request, config.publicUrl)}/api?f=json`, rel: 'alternate', type: 'application/json' }]));
    }
    return reply.type('application/vnd.oai.openapi+json;version=3.0').send(JSON.stringify(doc));
  });

  app.get<{ Querystring: { f?: string } }>('/ogc/collections', { config: { access: 'public' }, schema: { ...simple, response: ogcAnswer('The collections the user may read', collectionsSchema) } }, async (request, reply) => {
    const base = baseOf(request, config.publicUrl);
    const collections = await Promise.all(defs.filter((c) => visibleTo(c, request.user)).map((c) => describe(request, c)));
    const links: Link[] = [
      { href: `${base}/collections`, rel: 'self', type: 'application/json', title: 'this document' },
      { href: `${base}/collections?f=html`, rel: 'alternate', type: 'text/html', title: 'this document as HTML' },
      ...clientLinks(request),
    ];
    return send(reply, formatOf(request), { links, collections }, () => page('Collections 图层', `<table><tr><th>id</th><th>title</th><th>description</th></tr>
${collections.map((c) => `<tr><td><a href="${esc(base)}/collections/${esc(c.id)}?f=html">${esc(c.id)}</a></td><td>${esc(c.title)}</td><td>${esc(c.description)}</td></tr>`).join('')}</table>`, links));
  });

  app.get<{ Params: { collectionId: string }; Querystring: { f?: string } }>('/ogc/collections/:collectionId', { config: { access: 'public' }, schema: { ...simple, response: ogcAnswer('The collection: its extent and links', collectionSchema) } }, async (request, reply) => {
    const c = collection(request, request.params.collectionId);
    const doc = await describe(request, c);
    const bbox = doc.extent.spatial.bbox[0]!.map((n) => Math.round(n * 1e6) / 1e6).join(', ');
    return send(reply, formatOf(request), doc, () => page(c.title, `<p>${esc(c.description)}</p>${rows([
      ['id', esc(c.id)], ['extent', esc(bbox)], ['features', `<a href="${esc(baseOf(request, config.publicUrl))}/collections/${esc(c.id)}/items?f=html">items</a>`],
    ])}`, doc.links));
  });

  const itemsQuerystring = {
    type: 'object',
    properties: {
      f: fQuery,
      bbox: { type: 'string' },
      'bbox-crs': { type: 'string', enum: ['http://www.opengis.net/def/crs/OGC/1.3/CRS84'] },
      datetime: { type: 'string' },
      limit: { type: 'integer', minimum: 1, default: DEFAULT_LIMIT },
      offset: { type: 'integer', minimum: 0, default: 0 },
    },
    additionalProperties: false,
  } as const;

  app.get<{ Params: { collectionId: string }; Querystring: { f?: string; bbox?: string; datetime?: string; limit: number; offset: number } }>(
    '/ogc/collections/:collectionId/items', { config: { access: 'public' }, schema: { querystring: itemsQuerystring, hide: true, response: ogcAnswer('A page of features; the next link leads on', itemsSchema, 'application/geo+json') } }, async (request, reply) => {
      const c = collection(request, request.params.collectionId);
      const q = request.query;
      // A limit above the maximum is served at the maximum (OGC API – Features §7.15.3).
      const query: ItemQuery = { limit: Math.min(q.limit, MAX_LIMIT), offset: q.offset };
      if (q.bbox !== undefined) query.bbox = parseBbox(q.bbox);
      if (q.datetime !== undefined) query.datetime = parseDatetime(q.datetime);
      const { features, matched } = await queryItems(db, c, query, request.user);
      const format = formatOf(request);
      const self = `${baseOf(request, config.publicUrl)}/collections/${c.id}/items`;
      const keep = { bbox: q.bbox, datetime: q.datetime, limit: query.limit };
      const links: Link[] = [
        { href: withQuery(self, { ...keep, offset: query.offset || undefined, f: 'json' }), rel: format === 'json' ? 'self' : 'alternate', type: 'application/geo+json', title: 'this page as GeoJSON' },
        { href: withQuery(self, { ...keep, offset: query.offset || undefined, f: 'html' }), rel: format === 'html' ? 'self' : 'alternate', type: 'text/html', title: 'this page as HTML' },
        { href: `${baseOf(request, config.publicUrl)}/collections/${c.id}`, rel: 'collection', type: 'application/json', title: 'the collection' },
      ];
      const f = format === 'html' ? 'html' : 'json';
      const ftype = format === 'html' ? 'text/html' : 'application/geo+json';
      if (query.offset + features.length < matched) links.push({ href: withQuery(self, { ...keep, offset: query.offset + query.limit, f }), rel: 'next', type: ftype, title: 'next page' });
      if (query.offset > 0) links.push({ href: withQuery(self, { ...keep, offset: Math.max(0, query.offset - query.limit), f }), rel: 'prev', type: ftype, title: 'previous page' });
      const doc = { type: 'FeatureCollection', features, numberMatched: matched, numberReturned: features.length, timeStamp: new Date().toISOString(), links };
      return send(reply, format, doc, () => {
        const keys = Object.keys(c.properties);
        const nav = links.filter((l) => l.rel === 'prev' || l.rel === 'next').map((l) => `<a href="${esc(l.href)}">${l.rel === 'next' ? '下一页 next ›' : '‹ 上一页 previous'}</a>`).join(' ');
        return page(`${c.title}`, `<p>${query.offset + 1}–${query.offset + features.length} of ${matched}</p><p>${nav}</p>
<table><tr><th>id</th>${keys.map((k) => `<th>${esc(k)}</th>`).join('')}</tr>
${features.map((ft) => `<tr><td><a href="${esc(baseOf(request, config.publicUrl))}/collections/${esc(c.id)}/items/${esc(encodeURIComponent(String(ft.id)))}?f=html">${esc(String(ft.id))}</a></td>${keys.map((k) => `<td>${esc(String(ft.properties?.[k] ?? ''))}</td>`).join('')}</tr>`).join('')}
</table><p>${nav}</p>`, links);
      }, 'application/geo+json');
    });

  app.get<{ Params: { collectionId: string; featureId: string }; Querystring: { f?: string } }>(
    '/ogc/collections/:collectionId/items/:featureId', { config: { access: 'public' }, schema: { ...simple, response: ogcAnswer('The feature, with its links', itemSchema, 'application/geo+json') } }, async (request, reply) => {
      const c = collection(request, request.params.collectionId);
      const feature = await queryItem(db, c, request.params.featureId, request.user);
      if (!feature) throw problem('ogc.feature-not-found', { featureId: request.params.featureId, collection: c.id });
      const base = `${baseOf(request, config.publicUrl)}/collections/${c.id}`;
      const self = `${base}/items/${encodeURIComponent(String(feature.id))}`;
      const links: Link[] = [
        { href: self, rel: 'self', type: 'application/geo+json', title: 'this feature' },
        { href: `${self}?f=html`, rel: 'alternate', type: 'text/html', title: 'this feature as HTML' },
        { href: base, rel: 'collection', type: 'application/json', title: 'the collection' },
      ];
      return send(reply, formatOf(request), { ...feature, links }, () => page(`${c.title} · ${String(feature.id)}`,
        rows(Object.entries(feature.properties ?? {}).map(([k, v]) => [k, esc(String(v ?? ''))])), links), 'application/geo+json');
    });
}
