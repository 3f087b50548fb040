import { describe, expect, it } from 'vitest';
import { basemapOrigins, offsetTileHost, resolveBasemap } from './basemap.ts';

const KEY = '0123456789abcdef0123456789abcdef';

describe('resolveBasemap', () => {
  it('turns a Tianditu key into the vector, label and satellite layers on eight hosts', () => {
    const b = resolveBasemap({ kind: 'tianditu', tiandituKey: KEY });
    expect(b.rasterTiles).toHaveLength(8);
    expect(b.rasterTiles![0]).toBe(`https://t0.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${KEY}`);
    expect(b.labelTiles![7]).toContain('t7.tianditu.gov.cn/cva_w/');
    expect(b.satelliteTiles![0]).toContain('/img_w/');
    expect(b.satelliteLabelTiles![0]).toContain('/cia_w/');
    expect(basemapOrigins(b)).toHaveLength(8);
  });

  it('is no basemap when the choice lacks what it needs', () => {
    expect(resolveBasemap({ kind: 'tianditu' })).toEqual({ kind: 'none' });
    expect(resolveBasemap({ kind: 'style' })).toEqual({ kind: 'none' });
    expect(resolveBasemap({ kind: 'none' })).toEqual({ kind: 'none' });
  });
});

describe('offsetTileHost', () => {
  it('knows the GCJ-02 and BD-09 tile hosts', () => {
    expect(offsetTileHost('https://webrd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=8')).toBe('webrd01.is.autonavi.com');
    expect(offsetTileHost('https://rt0.map.gtimg.com/tile?z={z}&x={x}&y={y}')).toBe('rt0.map.gtimg.com');
    expect(offsetTileHost('https://maponline0.bdimg.com/tile/?qt=vtile&x={x}&y={y}&z={z}')).toBe('maponline0.bdimg.com');
    expect(offsetTileHost('https://tile.openstreetmap.org/{z}/{x}/{y}.png')).toBeNull();
    expect(offsetTileHost('https://t0.tianditu.gov.cn/vec_w/wmts')).toBeNull();
    expect(offsetTileHost('not a url')).toBeNull();
  });
});
