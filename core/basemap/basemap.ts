/**
 * The basemap under the grid, as the admin chooses it (stored in the database) or the deployment's
 * configuration gives it. Wangge works offline with no basemap; every other choice is one step.
 *
 * Tianditu (天地图) serves Web Mercator tiles ("_w" layers) on CGCS2000, which agrees with WGS84 to
 * centimetres: the grid lies on it without any shift. AMap (高德), Tencent and Baidu serve tiles in
 * GCJ-02 (or BD-09), offset from WGS84 by 100–700 m in China: cells drawn on them would be in the
 * wrong street, so Wangge refuses those hosts with the reason rather than drawing a misleading map.
 */
export type { BasemapKind, BasemapSetting, ResolvedBasemap } from '../contracts/system.ts';
import type { BasemapSetting, ResolvedBasemap } from '../contracts/system.ts';

export const TIANDITU_KEY = /^[0-9a-f]{32}$/;

const tianditu = (layer: 'vec' | 'cva' | 'img' | 'cia', key: string) =>
  Array.from({ length: 8 }, (_, i) =>
    `https://t${i}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${key}`);

const TIANDITU_ATTRIBUTION = '© 天地图 Tianditu · 国家地理信息公共服务平台';

export function resolveBasemap(s: BasemapSetting): ResolvedBasemap {
  switch (s.kind) {
    case 'tianditu':
      return s.tiandituKey
        ? { kind: 'tianditu', rasterTiles: tianditu('vec', s.tiandituKey), labelTiles: tianditu('cva', s.tiandituKey), satelliteTiles: tianditu('img', s.tiandituKey), satelliteLabelTiles: tianditu('cia', s.tiandituKey), attribution: TIANDITU_ATTRIBUTION }
        : { kind: 'none' };
    case 'style':
      return s.styleUrl ? { kind: 'style', styleUrl: s.styleUrl, attribution: s.attribution } : { kind: 'none' };
    case 'raster':
      return s.rasterTiles ? { kind: 'raster', rasterTiles: [s.rasterTiles], attribution: s.attribution } : { kind: 'none' };
    case 'local':
      return s.localFile ? { kind: 'local', localTiles: '/basemap/local/{z}/{x}/{y}', attribution: s.attribution } : { kind: 'none' };
    default:
      return { kind: 'none' };
  }
}

/** Hosts whose tiles are in GCJ-02 or BD-09, not WGS84. */
const OFFSET_HOSTS = /(^|\.)(amap\.com|autonavi\.com|gaode\.com|map\.qq\.com|gtimg\.com|tencent\.com|map\.baidu\.com|bdimg\.com|bdstatic\.com|baidu\.com)$/i;

/** The host of a URL that serves offset (GCJ-02/BD-09) tiles, or null. */
export function offsetTileHost(url: string): string | null {
  try {
    const host = new URL(url.replace(/\{[^}]+\}/g, '0')).hostname;
    return OFFSET_HOSTS.test(host) ? host : null;
  } catch {
    return null;
  }
}

/** The origins the browser must be allowed to fetch for this basemap (Content-Security-Policy). */
export function basemapOrigins(b: ResolvedBasemap): string[] {
  const urls = [b.styleUrl, ...(b.rasterTiles ?? []), ...(b.labelTiles ?? []), ...(b.satelliteTiles ?? []), ...(b.satelliteLabelTiles ?? [])];
  const out = new Set<string>();
  for (const url of urls) {
    if (!url) continue;
    try {
      out.add(new URL(url.replace(/\{[^}]+\}/g, '0')).origin);
    } catch {
      // Not a URL: nothing to allow.
    }
  }
  return [...out];
}
