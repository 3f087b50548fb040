/** What the map client needs to know about the deployment (server/system/routes.ts). */
import { object, type FromSchema } from './schema.ts';

/** A configured grid level; names are configuration, in both languages (GET /api/levels). */
export const levelSchema = object({ level: { type: 'integer' }, zh: { type: 'string' }, en: { type: 'string' } });
export type Level = FromSchema<typeof levelSchema>;

export const BASEMAP_KINDS = ['none', 'tianditu', 'style', 'raster', 'local'] as const;
export type BasemapKind = (typeof BASEMAP_KINDS)[number];

/** The basemap as the admin sets it (PUT /api/settings/basemap), stored in the database. */
export const basemapSettingSchema = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: BASEMAP_KINDS },
    tiandituKey: { type: 'string', maxLength: 64, description: "Tianditu's browser key (tk), 32 hex digits, from console.tianditu.gov.cn" },
    styleUrl: { type: 'string', maxLength: 2000, description: 'kind style: a MapLibre style URL' },
    rasterTiles: { type: 'string', maxLength: 2000, description: 'kind raster: an XYZ tile URL template with {z}, {x}, {y}' },
    attribution: { type: 'string', maxLength: 300 },
    localFile: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_.-]+\\.pmtiles$', description: "kind local: a .pmtiles file in the data directory's basemaps/ folder (raster or vector tiles)" },
  },
  required: ['kind'],
  additionalProperties: false,
} as const;
export type BasemapSetting = FromSchema<typeof basemapSettingSchema>;

const tiles = { type: 'array', items: { type: 'string' } } as const;

/** What the map client draws: a style, or raster layers (a base and an optional label overlay), with a satellite alternative. */
export const basemapSchema = object({
  kind: { type: 'string', enum: BASEMAP_KINDS },
  styleUrl: { type: 'string' },
  attribution: { type: 'string' },
  rasterTiles: tiles,
  labelTiles: tiles,
  satelliteTiles: tiles,
  satelliteLabelTiles: tiles,
  localTiles: { type: 'string', description: "kind local: the server's tile URL template" },
}, 'styleUrl', 'attribution', 'rasterTiles', 'labelTiles', 'satelliteTiles', 'satelliteLabelTiles', 'localTiles');
export type ResolvedBasemap = FromSchema<typeof basemapSchema>;

/** GET /api/client-config: levels, basemap, where the grid lies ([west, south, east, north]) and the time zone. */
export const clientConfigSchema = object({
  levels: { type: 'array', items: levelSchema },
  basemap: basemapSchema,
  bounds: { type: ['array', 'null'], items: [{ type: 'number' }, { type: 'number' }, { type: 'number' }, { type: 'number' }], minItems: 4, additionalItems: false },
  timeZone: { type: 'string', description: 'IANA time zone in which the client shows every time' },
});
export type ClientConfig = FromSchema<typeof clientConfigSchema>;
export type Bounds = NonNullable<ClientConfig['bounds']>;
