import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { PMTiles, TileType, type Source } from 'pmtiles';
import type { AppContext } from '../context.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import { audit } from '../audit.ts';
import { problem, problemSchema } from '../problem.ts';
import { binaryResponse, emptyResponse } from '../response-schemas.ts';
import { offsetTileHost, resolveBasemap, TIANDITU_KEY, type BasemapSetting, type ResolvedBasemap } from '../../core/basemap/basemap.ts';
import { basemapSettingSchema as settingSchema } from '../../core/contracts/system.ts';

/** The configuration's basemap (environment or file), used until an admin sets one in the UI. */
export function configuredBasemap(config: Config): BasemapSetting {
  const b = config.basemap;
  if (b.styleUrl) return { kind: 'style', styleUrl: b.styleUrl, attribution: b.attribution };
  if (b.rasterTiles) return { kind: 'raster', rasterTiles: b.rasterTiles, attribution: b.attribution };
  return { kind: 'none' };
}

export const basemapDir = (config: Config) => path.join(config.dataDir, 'basemaps');

/**
 * The basemap in force, read from the settings table and kept for a few seconds, so the
 * Content-Security-Policy of every page and /api/client-config agree without a query each.
 */
export class BasemapStore {
  private setting: BasemapSetting;
  private readAt = 0;
  private local: { file: string; tiles: PMTiles } | null = null;

  constructor(private db: Db, private config: Config) {
    this.setting = configuredBasemap(config);
  }

  async refresh(maxAgeMs = 5_000): Promise<BasemapSetting> {
    if (Date.now() - this.readAt < maxAgeMs) return this.setting;
    const { rows } = await this.db.query<{ value: BasemapSetting }>("SELECT value FROM settings WHERE key = 'basemap'");
    this.setting = rows[0]?.value ?? configuredBasemap(this.config);
    this.readAt = Date.now();
    return this.setting;
  }

  /** The last basemap read (synchronous, for the CSP header). */
  current(): ResolvedBasemap {
    return resolveBasemap(this.setting);
  }

  async save(value: BasemapSetting, by: string) {
    await this.db.query(
      `INSERT INTO settings (key, value, updated_at, updated_by) VALUES ('basemap', $1, now(), $2)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now(), updated_by = EXCLUDED.updated_by`,
      [JSON.stringify(value), by]);
    this.setting = value;
    this.readAt = Date.now();
  }

  /** The local PMTiles archive, opened once per file. */
  async localTiles(): Promise<PMTiles | null> {
    const setting = await this.refresh();
    if (setting.kind !== 'local' || !setting.localFile) return null;
    const file = path.join(basemapDir(this.config), setting.localFile);
    if (this.local?.file !== file) this.local = { file, tiles: new PMTiles(fileSource(file)) };
    return this.local.tiles;
  }
}

/** A PMTiles source reading byte ranges of a local file: the archive is never loaded whole. */
function fileSource(file: string): Source {
  return {
    getKey: () => file,
    getBytes: async (offset, length) => {
      const handle = await open(file, 'r');
      try {
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, offset);
        return { data: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + bytesRead) };
      } finally {
        await handle.close();
      }
    },
  };
}

const isHttp = (url: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(url.replace(/\{[^}]+\}/g, '0')).protocol);
  } catch {
    return false;
  }
};

/** Refuses what would not draw, or would draw the grid in the wrong place; returns what to store. */
async function validate(s: BasemapSetting, config: Config): Promise<BasemapSetting> {
  const kindName = { none: '', tianditu: '天地图 Tianditu', style: 'style', raster: 'raster', local: 'local' }[s.kind];
  switch (s.kind) {
    case 'none':
      return { kind: 'none' };
    case 'tianditu':
      if (!s.tiandituKey) throw problem('basemap.needs', { kind: kindName, field: 'tiandituKey' });
      if (!TIANDITU_KEY.test(s.tiandituKey.trim().toLowerCase())) throw problem('basemap.bad-key');
      return { kind: 'tianditu', tiandituKey: s.tiandituKey.trim().toLowerCase() };
    case 'style':
    case 'raster': {
      const field = s.kind === 'style' ? 'styleUrl' : 'rasterTiles';
      const url = s[field]?.trim();
      if (!url) throw problem('basemap.needs', { kind: kindName, field });
      if (!isHttp(url)) throw problem('basemap.bad-url', { field });
      const host = offsetTileHost(url);
      if (host) throw problem('basemap.offset-tiles', { host });
      if (s.kind === 'raster' && !['{z}', '{x}', '{y}'].every((p) => url.includes(p))) throw problem('basemap.no-tile-placeholders');
      return { kind: s.kind, [field]: url, attribution: s.attribution?.trim() || undefined };
    }
    case 'local': {
      if (!s.localFile) throw problem('basemap.needs', { kind: kindName, field: 'localFile' });
      const dir = basemapDir(config);
      const file = path.join(dir, s.localFile);
      if (!(await stat(file).catch(() => null))?.isFile()) throw problem('basemap.local-missing', { file: s.localFile, dir });
      let tileType: TileType;
      try {
        tileType = (await new PMTiles(fileSource(file)).getHeader()).tileType;
      } catch {
        throw problem('basemap.local-unreadable', { file: s.localFile });
      }
      if (tileType === TileType.Mvt) throw problem('basemap.local-vector', { file: s.localFile });
      return { kind: 'local', localFile: s.localFile, attribution: s.attribution?.trim() || undefined };
    }
  }
}

const CONTENT_TYPES: Partial<Record<TileType, string>> = {
  [TileType.Mvt]: 'application/vnd.mapbox-vector-tile',
  [TileType.Png]: 'image/png',
  [TileType.Jpeg]: 'image/jpeg',
  [TileType.Webp]: 'image/webp',
  [TileType.Avif]: 'image/avif',
};

/** The basemap setting (admins), and the tiles of a local PMTiles basemap for offline sites. */
export default async function basemapRoutes(app: FastifyInstance, { db, config, basemaps: store }: AppContext & { basemaps: BasemapStore }) {

  app.get('/api/settings/basemap', {
    config: { access: 'users.manage' },
    schema: { tags: ['system'], summary: 'The basemap as set (admins): kind and its fields, and the .pmtiles files the data directory offers', response: { 200: { type: 'object', properties: { setting: settingSchema, localFiles: { type: 'array', items: { type: 'string' } }, localDir: { type: 'string' } } }, '4xx': problemSchema } },
  }, async () => {
    const localFiles = (await readdir(basemapDir(config)).catch(() => [] as string[])).filter((f) => f.endsWith('.pmtiles')).sort();
    return { setting: await store.refresh(0), localFiles, localDir: basemapDir(config) };
  });

  app.put<{ Body: BasemapSetting }>('/api/settings/basemap', {
    config: { access: 'users.manage' },
    schema: { tags: ['system'], summary: 'Set the basemap (admins): none, a Tianditu key, a MapLibre style URL, a raster tile URL, or a local .pmtiles file; GCJ-02 tile hosts are refused', body: settingSchema, response: { 200: settingSchema, '4xx': problemSchema } },
  }, async (request) => {
    const actor = request.actor;
    const value = await validate(request.body, config);
    await store.save(value, actor.username);
    await audit(db, request, 'settings.basemap', 'settings:basemap', { kind: value.kind });
    return value;
  });

  app.get<{ Params: { z: number; x: number; y: number } }>('/basemap/local/:z/:x/:y', {
    config: { access: 'public' },
    schema: {
      tags: ['system'], summary: 'A tile of the local PMTiles basemap (404 outside the archive)',
      params: { type: 'object', properties: { z: { type: 'integer', minimum: 0, maximum: 24 }, x: { type: 'integer', minimum: 0 }, y: { type: 'integer', minimum: 0 } }, required: ['z', 'x', 'y'] },
      response: {
        200: binaryResponse('The tile as stored in the archive (gzip content encoding when it is compressed)', ...new Set([...Object.values(CONTENT_TYPES), 'application/octet-stream'])),
        204: emptyResponse('No tile there'),
        '4xx': problemSchema,
      },
    },
  }, async (request, reply) => {
    const { z, x, y } = request.params;
    const tiles = await store.localTiles();
    if (!tiles) throw problem('basemap.no-local');
    if (x >= 2 ** z || y >= 2 ** z) return reply.code(204).send();
    const [header, tile] = await Promise.all([tiles.getHeader(), tiles.getZxy(z, x, y)]);
    if (!tile) return reply.code(204).send();
    reply.header('cache-control', 'public, max-age=86400');
    if (header.tileCompression === 2) reply.header('content-encoding', 'gzip');
    return reply.type(CONTENT_TYPES[header.tileType] ?? 'application/octet-stream').send(Buffer.from(tile.data));
  });
}
