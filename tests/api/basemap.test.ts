import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { pmtilesOneTile } from '../fixtures/pmtiles.ts';

// The basemap is one step for an admin, stored in the database: Tianditu by key, a style or tile
// URL, or a local PMTiles file for offline sites. Offset (GCJ-02) tile hosts are refused.

let t: TestApp;
const h: Record<string, Headers> = {};
let dataDir: string;
let png: Buffer;
const KEY = '0123456789abcdef0123456789abcdef';

const put = (body: unknown, who: Headers = h.admin!) => t.app.inject({ method: 'PUT', url: '/api/settings/basemap', headers: who, payload: body as object });
const clientBasemap = async () => (await t.app.inject('/api/client-config')).json().basemap;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'wangge-basemap-'));
  mkdirSync(path.join(dataDir, 'basemaps'));
  png = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#cde' } }).png().toBuffer();
  writeFileSync(path.join(dataDir, 'basemaps', 'city.pmtiles'), pmtilesOneTile(png, 'png'));
  writeFileSync(path.join(dataDir, 'basemaps', 'vector.pmtiles'), pmtilesOneTile(Buffer.from([0x1a, 0x00]), 'mvt'));
  writeFileSync(path.join(dataDir, 'basemaps', 'broken.pmtiles'), Buffer.from('not an archive'));
  t = await testApp({ config: { dataDir } });
  await createUser(t.db, 'admin', 'admin');
  await createUser(t.db, 'worker', 'worker');
  h.admin = await signIn(t.app, 'admin');
  h.worker = await signIn(t.app, 'worker');
});

afterAll(async () => {
  await t.db.query("DELETE FROM settings WHERE key = 'basemap'");
  rmSync(dataDir, { recursive: true, force: true });
});

describe(`basemap setting (${TEST_DB})`, () => {
  it('is none by default (offline), and only admins may see or change it', async () => {
    expect(await clientBasemap()).toEqual({ kind: 'none' });
    const got = await t.app.inject({ url: '/api/settings/basemap', headers: h.admin });
    expect(got.json()).toMatchObject({ setting: { kind: 'none' }, localFiles: ['broken.pmtiles', 'city.pmtiles', 'vector.pmtiles'] });
    expect((await t.app.inject({ url: '/api/settings/basemap', headers: h.worker })).statusCode).toBe(403);
    expect((await put({ kind: 'tianditu', tiandituKey: KEY }, h.worker)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'PUT', url: '/api/settings/basemap', payload: { kind: 'none' } })).statusCode).toBe(401);
  });

  it('takes a Tianditu key: the client gets map, label and satellite layers, and the page may load them', async () => {
    const bad = await put({ kind: 'tianditu', tiandituKey: 'abc' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('basemap.bad-key');
    const res = await put({ kind: 'tianditu', tiandituKey: KEY.toUpperCase() });
    expect(res.statusCode, res.body).toBe(200);
    const b = await clientBasemap();
    expect(b.kind).toBe('tianditu');
    expect(b.rasterTiles[0]).toContain(`/vec_w/wmts?`);
    expect(b.rasterTiles[0]).toContain(`tk=${KEY}`);
    expect(b.labelTiles).toHaveLength(8);
    expect(b.satelliteTiles[0]).toContain('/img_w/');
    const csp = (await t.app.inject('/')).headers['content-security-policy'] as string;
    expect(csp).toMatch(/img-src [^;]*https:\/\/t0\.tianditu\.gov\.cn/);
    const log = await t.db.query<{ action: string }>("SELECT action FROM audit_log WHERE action = 'settings.basemap'");
    expect(log.rows.length).toBeGreaterThan(0);
  });

  it('refuses GCJ-02 tile hosts with the reason, and URLs that cannot draw', async () => {
    const amap = await put({ kind: 'raster', rasterTiles: 'https://webrd01.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}' });
    expect(amap.statusCode).toBe(422);
    expect(amap.json()).toMatchObject({ code: 'basemap.offset-tiles', params: { host: 'webrd01.is.autonavi.com' } });
    expect((await put({ kind: 'raster', rasterTiles: 'https://tile.example.org/tiles.png' })).json().code).toBe('basemap.no-tile-placeholders');
    expect((await put({ kind: 'style', styleUrl: 'javascript:alert(1)' })).json().code).toBe('basemap.bad-url');
    expect((await put({ kind: 'style' })).json().code).toBe('basemap.needs');
    expect((await put({ kind: 'mars' })).statusCode).toBe(400);
    // Nothing refused was stored.
    expect((await clientBasemap()).kind).toBe('tianditu');
    const osm = await put({ kind: 'raster', rasterTiles: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', attribution: '© OpenStreetMap' });
    expect(osm.statusCode).toBe(200);
    expect(await clientBasemap()).toEqual({ kind: 'raster', rasterTiles: ['https://tile.openstreetmap.org/{z}/{x}/{y}.png'], attribution: '© OpenStreetMap' });
  });

  it('serves a local raster PMTiles file for offline sites, and refuses vector, broken or missing files', async () => {
    expect((await put({ kind: 'local', localFile: 'vector.pmtiles' })).json().code).toBe('basemap.local-vector');
    expect((await put({ kind: 'local', localFile: 'broken.pmtiles' })).json().code).toBe('basemap.local-unreadable');
    expect((await put({ kind: 'local', localFile: 'gone.pmtiles' })).json().code).toBe('basemap.local-missing');
    expect((await put({ kind: 'local', localFile: '../../etc/passwd.pmtiles' })).statusCode).toBe(400);
    const ok = await put({ kind: 'local', localFile: 'city.pmtiles' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await clientBasemap()).toEqual({ kind: 'local', localTiles: '/basemap/local/{z}/{x}/{y}' });
    const tile = await t.app.inject('/basemap/local/0/0/0');
    expect(tile.statusCode).toBe(200);
    expect(tile.headers['content-type']).toBe('image/png');
    expect(tile.rawPayload.equals(png)).toBe(true);
    expect((await t.app.inject('/basemap/local/3/1/1')).statusCode).toBe(204);
    expect((await t.app.inject('/basemap/local/1/5/0')).statusCode).toBe(204);
    expect((await t.app.inject('/basemap/local/99/0/0')).statusCode).toBe(400);
  });

  it('goes back to none', async () => {
    expect((await put({ kind: 'none' })).statusCode).toBe(200);
    expect(await clientBasemap()).toEqual({ kind: 'none' });
    expect((await t.app.inject('/basemap/local/0/0/0')).statusCode).toBe(404);
  });
});
