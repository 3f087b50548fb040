import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMParser } from '@xmldom/xmldom';
import { testApp, type TestApp } from '../helpers/app.ts';
import { PASSWORD, createUser, signIn } from '../helpers/auth.ts';
import { levelColors } from '../../core/map/cell-layers.ts';

// The QGIS project download: OGC API – Features layers per level, styled as in the app. QGIS itself
// opens it in scripts/qgis-validate.py (python3-qgis), against a running server.

let t: TestApp;
let headers: Record<string, string>;
let token: string;

beforeAll(async () => {
  t = await testApp({ config: { publicUrl: 'https://grid.example.gov.cn' } });
  await createUser(t.db, 'gisuser', 'worker');
  await createUser(t.db, 'other', 'worker');
  headers = await signIn(t.app, 'gisuser');
  token = (await t.app.inject({ method: 'POST', url: '/api/tokens', headers, payload: { name: 'QGIS' } })).json().token;
});

afterAll(async () => {
  await t?.app.close();
});

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(',');

describe('GET /api/export/project.qgs', () => {
  it('is for signed-in users', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/export/project.qgs' })).statusCode).toBe(401);
  });

  it('has a layer per level on the OGC API, filled and named in the level colours, and the reports by category', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/export/project.qgs', headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain('wangge.qgs');
    const doc = new DOMParser().parseFromString(res.body, 'text/xml');
    const layers = Array.from(doc.getElementsByTagName('maplayer'));
    const byId = new Map(layers.map((l) => [l.getElementsByTagName('id')[0]!.textContent, l]));
    const levels = [...t.config.levels].sort((a, b) => a.level - b.level);
    for (const [i, { level }] of levels.entries()) {
      const layer = byId.get(`cells_level_${level}`)!;
      expect(layer.getElementsByTagName('provider')[0]!.textContent).toBe('OAPIF');
      expect(layer.getElementsByTagName('datasource')[0]!.textContent).toBe(`url='https://grid.example.gov.cn/ogc' typename='cells-level-${level}'`);
      expect(layer.getAttribute('labelsEnabled')).toBe('1');
      const color = Array.from(layer.getElementsByTagName('Option')).find((o) => o.getAttribute('name') === 'color')!.getAttribute('value');
      expect(color).toBe(`${rgb(levelColors(i).fill)},51`);
      expect(layer.getElementsByTagName('text-style')[0]!.getAttribute('fieldName')).toBe('name');
    }
    const reports = byId.get('reports_open')!;
    expect(reports.getElementsByTagName('datasource')[0]!.textContent).toBe(`url='https://grid.example.gov.cn/ogc' typename='reports-open'`);
    expect(reports.getElementsByTagName('renderer-v2')[0]!.getAttribute('attr')).toBe('category');
    expect(reports.getElementsByTagName('category').length).toBe(t.config.reports.categories.length);
    // Units need a token: without one there is no units layer.
    expect(byId.has('units_layer')).toBe(false);
  });

  it('adds the units with one of the user\'s own API tokens, sent in a POST body, never a URL, and refuses anyone else\'s', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/export/project.qgs', headers, payload: { token } });
    expect(res.statusCode).toBe(200);
    const doc = new DOMParser().parseFromString(res.body, 'text/xml');
    const sources = Array.from(doc.getElementsByTagName('datasource')).map((d) => d.textContent);
    // QGIS sends username/password as HTTP Basic: the token is the password.
    expect(sources).toContain(`url='https://grid.example.gov.cn/ogc' typename='units' username='gisuser' password='${token}'`);
    // Only the units layer carries it.
    expect(sources.filter((s) => s?.includes(token))).toHaveLength(1);
    const other = await signIn(t.app, 'other');
    const refused = await t.app.inject({ method: 'POST', url: '/api/export/project.qgs', headers: other, payload: { token } });
    expect(refused.statusCode).toBe(401);
    // A token in the query string is refused, not silently used.
    const inUrl = await t.app.inject({ method: 'GET', url: `/api/export/project.qgs?token=${token}`, headers });
    expect(inUrl.statusCode).toBe(400);
    // A browser session must send its CSRF token with the POST.
    const { 'x-csrf-token': _, ...noCsrf } = headers;
    expect((await t.app.inject({ method: 'POST', url: '/api/export/project.qgs', headers: noCsrf, payload: { token } })).statusCode).toBe(403);
  });
});

describe('the token as the HTTP Basic password (what QGIS 3.22 sends)', () => {
  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

  it('reads the units on the OGC API; a wrong or revoked token gets no further than the public', async () => {
    const units = await t.app.inject({ method: 'GET', url: '/ogc/collections/units/items', headers: basic('gisuser', token) });
    expect(units.statusCode).toBe(200);
    expect(units.json().type).toBe('FeatureCollection');
    expect((await t.app.inject({ method: 'GET', url: '/ogc/collections/units/items', headers: basic('gisuser', 'wg_not-a-token-at-all') })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/ogc/collections/units/items', headers: { authorization: 'Basic !!!' } })).statusCode).toBe(401);
    // A user's password is not an API token.
    expect((await t.app.inject({ method: 'GET', url: '/ogc/collections/units/items', headers: basic('gisuser', PASSWORD) })).statusCode).toBe(401);
    // Basic that is no token (a reverse proxy's own login passed through) leaves the request anonymous, not refused.
    expect((await t.app.inject({ method: 'GET', url: '/ogc/collections/cells/items?limit=1', headers: basic('proxyuser', 'proxy-password') })).statusCode).toBe(200);
    const made = (await t.app.inject({ method: 'POST', url: '/api/tokens', headers, payload: { name: 'revoke me' } })).json();
    await t.app.inject({ method: 'DELETE', url: `/api/tokens/${made.id}`, headers });
    expect((await t.app.inject({ method: 'GET', url: '/ogc/collections/units/items', headers: basic('gisuser', made.token) })).statusCode).toBe(401);
  });
});
