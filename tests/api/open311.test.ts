import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { createUser, signIn } from '../helpers/auth.ts';
import { DOMParser } from '@xmldom/xmldom';
import { buildApp } from '../../server/app.ts';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

// Open311 GeoReport v2 at /open311/v2, with the spec's example requests (http://wiki.open311.org/GeoReport_v2)
// moved into the demo district: the shapes a 12345 platform or a FixMyStreet client relies on.

let t: TestApp;
let token: string;
let inside: { lon: number; lat: number };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (o: Record<string, string | number>) => new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)])).toString();

beforeAll(async () => {
  t = await testApp({ demo: true, config: { open311Jurisdiction: 'baoji.weibin' } });
  const { rows } = await t.db.query<{ lon: number; lat: number }>(
    `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM cells WHERE level = 4 ORDER BY code LIMIT 1) x`);
  inside = rows[0]!;
  await createUser(t.db, 'hotline12345', 'worker');
  const headers = await signIn(t.app, 'hotline12345');
  token = (await t.app.inject({ method: 'POST', url: '/api/tokens', headers, payload: { name: '12345' } })).json().token;
});

afterAll(async () => {
  await t?.app.close();
});

/** The spec's example POST, in the demo district. */
const example = () => ({
  api_key: token,
  jurisdiction_id: 'baoji.weibin',
  service_code: 'fire',
  lat: inside.lat,
  long: inside.lon,
  address_string: '经二路1号',
  email: 'smit222@sfgov.edu',
  device_id: 'tt222111',
  account_id: '123456',
  first_name: 'john',
  last_name: 'smith',
  phone: '111111111',
  description: '消防通道被杂物堵塞 a large sinkhole is destroying the street',
  media_url: 'http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg',
});

describe('services', () => {
  it('lists the report categories as services (zh name, English description), in JSON and XML', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/open311/v2/services.json?jurisdiction_id=baoji.weibin' });
    expect(res.statusCode).toBe(200);
    const services = res.json();
    expect(services.map((s: { service_code: string }) => s.service_code)).toEqual(t.config.reports.categories.map((c) => c.code));
    const fire = t.config.reports.categories.find((c) => c.code === 'fire')!;
    expect(services.find((s: { service_code: string }) => s.service_code === 'fire')).toEqual({
      service_code: 'fire', service_name: fire.zh, description: fire.en, metadata: true, type: 'realtime', keywords: expect.any(String), group: expect.any(String),
    });
    const xml = await t.app.inject({ method: 'GET', url: '/open311/v2/services.xml' });
    expect(xml.headers['content-type']).toMatch(/^text\/xml/);
    expect(xml.body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<services><service><service_code>/);
    expect(xml.body).toContain(`<service_name>${fire.zh}</service_name>`);
  });

  it('defines each service\'s attributes (severity) and 404s an unknown one', async () => {
    const def = (await t.app.inject({ method: 'GET', url: '/open311/v2/services/fire.json' })).json();
    expect(def).toMatchObject({ service_code: 'fire', attributes: [{ code: 'severity', datatype: 'singlevaluelist', values: [{ key: 'ordinary' }, { key: 'major' }] }] });
    const missing = await t.app.inject({ method: 'GET', url: '/open311/v2/services/nothing.json' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual([{ code: 404, description: expect.stringContaining('nothing') }]);
  });

  it('discovery names the endpoint', async () => {
    const d = (await t.app.inject({ method: 'GET', url: '/open311/v2/discovery.json' })).json();
    expect(d.endpoints[0]).toMatchObject({ specification: 'http://wiki.open311.org/GeoReport_v2', formats: ['application/json', 'text/xml'] });
  });
});

describe('POST requests', () => {
  it('files the spec\'s example (form-encoded) as a report through intake, and a retry with the Idempotency-Key replays it', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: { ...FORM, 'idempotency-key': 'open311-example-1' }, payload: form(example()) });
    expect(res.statusCode).toBe(201);
    const [created] = res.json();
    expect(created).toEqual({ service_request_id: expect.stringMatching(/^\d+$/), service_notice: expect.stringMatching(/WG-/), account_id: null });
    const { rows } = await t.db.query<{ category: string; source: string; reporter_name: string; reporter_contact: string; description: string; cell_id: number | null }>(
      'SELECT category, source, reporter_name, reporter_contact, description, cell_id FROM reports WHERE id = $1', [Number(created.service_request_id)]);
    expect(rows[0]).toMatchObject({ category: 'fire', source: 'hotline', reporter_name: 'smithjohn', reporter_contact: '111111111 smit222@sfgov.edu' });
    expect(rows[0]!.cell_id).not.toBeNull();
    expect(rows[0]!.description).toContain('经二路1号');
    expect(rows[0]!.description).toContain('http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg');
    const again = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: { ...FORM, 'idempotency-key': 'open311-example-1' }, payload: form(example()) });
    expect(again.json()[0].service_request_id).toBe(created.service_request_id);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('takes JSON and answers XML; without api_key it is a resident\'s report', async () => {
    const { api_key: _, ...body } = example();
    const res = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.xml', payload: { ...body, 'attribute[severity]': 'major' } });
    expect(res.statusCode).toBe(201);
    const id = /<service_request_id>(\d+)<\/service_request_id>/.exec(res.body)?.[1];
    expect(res.body).toMatch(/^<\?xml[^>]*>\n<service_requests><request><service_request_id>\d+<\/service_request_id>/);
    const { rows } = await t.db.query<{ source: string; severity: string }>('SELECT source, severity FROM reports WHERE id = $1', [Number(id)]);
    expect(rows[0]).toEqual({ source: 'resident', severity: 'major' });
  });

  it('refuses bad requests in the spec\'s error format, filing nothing', async () => {
    const before = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM reports')).rows[0]!.n;
    const cases: [Record<string, string | number>, number, RegExp][] = [
      [{ ...example(), api_key: 'not-a-token' }, 403, /api_key/],
      [{ ...example(), service_code: 'nothing' }, 404, /nothing/],
      [{ ...example(), jurisdiction_id: 'elsewhere' }, 404, /jurisdiction_id/],
      [(({ lat: _a, long: _b, ...r }) => r)(example()), 400, /lat/],
      [{ ...example(), lat: 'north' }, 400, /lat/],
      [{ ...example(), description: '' }, 400, /description/],
      [{ ...example(), media_url: 'javascript:alert(1)' }, 400, /media_url/],
      [{ ...example(), 'attribute[severity]': 'huge' }, 400, /severity/],
    ];
    for (const [body, status, text] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: FORM, payload: form(body) });
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      const errors = res.json();
      expect(errors).toEqual([{ code: status, description: expect.stringMatching(text) }]);
      // Chinese first, then English.
      expect(errors[0].description).toMatch(/[\u4e00-\u9fff].* \/ /);
    }
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM reports')).rows[0]!.n).toBe(before);
  });
});

describe('GET requests', () => {
  it('shows a request by id with status and notes from the workflow, and no personal data', async () => {
    const [created] = (await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: FORM, payload: form(example()) })).json();
    const id = created.service_request_id as string;
    const open = await t.app.inject({ method: 'GET', url: `/open311/v2/requests/${id}.json` });
    expect(open.statusCode).toBe(200);
    const [r] = open.json();
    expect(r).toMatchObject({ service_request_id: id, status: 'open', service_code: 'fire', description: null });
    expect(r.status_notes).toContain('已上报');
    expect(r.lat).toBeCloseTo(inside.lat, 6);
    expect(r.long).toBeCloseTo(inside.lon, 6);
    expect(new Date(r.requested_datetime).getTime()).not.toBeNaN();
    expect(JSON.stringify(r)).not.toMatch(/smith|111111111|sfgov|经二路1号/);

    // Closed in the workflow with a reply to the public.
    await t.db.query(`UPDATE reports SET state = 'closed', closed_at = now() WHERE id = $1`, [Number(id)]);
    await t.db.query(`INSERT INTO report_events (report_id, at, action, from_state, to_state, reply) VALUES ($1, now(), 'close', 'rectified', 'closed', '杂物已清理')`, [Number(id)]);
    const [closed] = (await t.app.inject({ method: 'GET', url: `/open311/v2/requests/${id}.json` })).json();
    expect(closed.status).toBe('closed');
    expect(closed.status_notes).toContain('杂物已清理');

    const xml = await t.app.inject({ method: 'GET', url: `/open311/v2/requests/${id}.xml` });
    expect(xml.body).toContain('<status>closed</status>');
    expect((await t.app.inject({ method: 'GET', url: '/open311/v2/requests/99999999.json' })).statusCode).toBe(404);
  });

  it('filters by id, service, dates and status', async () => {
    const all = (await t.app.inject({ method: 'GET', url: '/open311/v2/requests.json' })).json() as { service_request_id: string; status: string }[];
    expect(all.length).toBeGreaterThanOrEqual(3);
    const two = all.slice(0, 2).map((r) => r.service_request_id);
    const byId = (await t.app.inject({ method: 'GET', url: `/open311/v2/requests.json?service_request_id=${two.join(',')}` })).json();
    expect(byId.map((r: { service_request_id: string }) => r.service_request_id).sort()).toEqual([...two].sort());
    const closed = (await t.app.inject({ method: 'GET', url: '/open311/v2/requests.json?status=closed' })).json();
    expect(closed.length).toBeGreaterThan(0);
    expect(closed.every((r: { status: string }) => r.status === 'closed')).toBe(true);
    const open = (await t.app.inject({ method: 'GET', url: '/open311/v2/requests.json?status=open&service_code=fire' })).json();
    expect(open.every((r: { status: string; service_code: string }) => r.status === 'open' && r.service_code === 'fire')).toBe(true);
    expect(open.length + closed.length).toBe(all.length);
    const future = (await t.app.inject({ method: 'GET', url: '/open311/v2/requests.json?start_date=2999-01-01T00:00:00Z' })).json();
    expect(future).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/open311/v2/requests.json?status=maybe' })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/open311/v2/requests.json?end_date=yesterday' })).statusCode).toBe(400);
  });

  it('shows a confidential report at its cell, not at its point', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/reports', payload: { location: { type: 'Point', coordinates: [inside.lon + 0.00001, inside.lat] }, category: 'fire', severity: 'ordinary', description: '保密举报', confidential: true } });
    expect(res.statusCode).toBe(201);
    const { id, cellId } = res.json();
    const { rows } = await t.db.query<{ lon: number; lat: number }>('SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM cells WHERE id = $1) x', [cellId]);
    const [r] = (await t.app.inject({ method: 'GET', url: `/open311/v2/requests/${id}.json` })).json();
    expect(r.lat).toBeCloseTo(rows[0]!.lat, 6);
    expect(r.long).toBeCloseTo(rows[0]!.lon, 6);
  });
});

describe('api_key and the rate limit', () => {
  it('limits the public per address like POST /api/reports; an api_key holder (staff) at the same address is not held by it, an invalid key is', async () => {
    const limit = 3;
    const app = await buildApp({ db: t.db, config: { ...t.config, security: { ...t.config.security, reportsPerMinute: limit } }, clientDir: '/nonexistent' });
    try {
      const { api_key: _, ...anonymous } = example();
      const post = (body: Record<string, string | number>, remoteAddress = '10.3.1.1') =>
        app.inject({ method: 'POST', url: '/open311/v2/requests.json', remoteAddress, headers: FORM, payload: form(body) });
      for (let i = 0; i < limit; i++) expect((await post(anonymous)).statusCode).toBe(201);
      const limited = await post(anonymous);
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toEqual([{ code: 429, description: expect.stringMatching(/请求过于频繁.* \/ Too many requests/) }]);
      // Another address is not affected.
      expect((await post(anonymous, '10.3.1.2')).statusCode).toBe(201);
      // The hotline's key counts on its own account: the public flood does not stop it.
      for (let i = 0; i < limit; i++) expect((await post(example())).statusCode).toBe(201);
      // Its own limit is the same size, per account.
      expect((await post(example(), '10.3.1.3')).statusCode).toBe(429);
      // An invalid key buys no bucket of its own: it counts as the address (limited here), else 403.
      expect((await post({ ...anonymous, api_key: 'wg_made-up-key-0001' })).statusCode).toBe(429);
      expect((await post({ ...anonymous, api_key: 'wg_made-up-key-0001' }, '10.3.1.4')).statusCode).toBe(403);
    } finally {
      await app.close();
    }
  });

  it('refuses an unknown, a revoked and an inactive user\'s api_key with the spec\'s 403, in JSON and XML', async () => {
    await createUser(t.db, 'hotline-old', 'worker');
    const headers = await signIn(t.app, 'hotline-old');
    const made = (await t.app.inject({ method: 'POST', url: '/api/tokens', headers, payload: { name: 'old' } })).json();
    const other = (await t.app.inject({ method: 'POST', url: '/api/tokens', headers, payload: { name: 'other' } })).json();
    await t.app.inject({ method: 'DELETE', url: `/api/tokens/${made.id}`, headers });
    const before = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM reports')).rows[0]!.n;
    for (const key of ['unknown-key-123456', made.token]) {
      const res = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: FORM, payload: form({ ...example(), api_key: key }) });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual([{ code: 403, description: expect.stringMatching(/api_key/) }]);
    }
    await t.db.query(`UPDATE users SET active = false WHERE username = 'hotline-old'`);
    const inactive = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.xml', headers: FORM, payload: form({ ...example(), api_key: other.token }) });
    expect(inactive.statusCode).toBe(403);
    expect(inactive.headers['content-type']).toMatch(/^text\/xml/);
    expect(inactive.body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<errors><error><code>403<\/code><description>[^<]*api_key[^<]*<\/description><\/error><\/errors>$/);
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM reports')).rows[0]!.n).toBe(before);
  });
});

// The spec's own examples (wiki.open311.org/GeoReport_v2): request URLs as written there, and the
// exact set of fields (and XML element names) of each example response.
describe('the GeoReport v2 spec\'s examples', () => {
  const SPEC_REQUEST_FIELDS = ['service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'description', 'agency_responsible',
    'service_notice', 'requested_datetime', 'updated_datetime', 'expected_datetime', 'address', 'address_id', 'zipcode', 'lat', 'long', 'media_url'];

  it('GET Service List: https://[API endpoint]/services.xml?jurisdiction_id=… has the example\'s elements', async () => {
    const xml = await t.app.inject({ method: 'GET', url: '/open311/v2/services.xml?jurisdiction_id=baoji.weibin' });
    const doc = new DOMParser().parseFromString(xml.body, 'text/xml');
    const first = doc.getElementsByTagName('service')[0]!;
    const children = Array.from(first.childNodes).filter((n) => n.nodeType === 1).map((n) => n.nodeName);
    expect(children).toEqual(['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group']);
    expect(first.getElementsByTagName('metadata')[0]!.textContent).toBe('true');
    expect(first.getElementsByTagName('type')[0]!.textContent).toBe('realtime');
  });

  it('GET Service Definition: …/services/033.xml answers <service_definition> with <attributes><attribute>…<values><value><key>/<name>', async () => {
    const xml = await t.app.inject({ method: 'GET', url: '/open311/v2/services/fire.xml?jurisdiction_id=baoji.weibin' });
    expect(xml.statusCode).toBe(200);
    const doc = new DOMParser().parseFromString(xml.body, 'text/xml');
    expect(doc.documentElement!.nodeName).toBe('service_definition');
    expect(doc.getElementsByTagName('service_code')[0]!.textContent).toBe('fire');
    const attribute = doc.getElementsByTagName('attribute')[0]!;
    for (const k of ['variable', 'code', 'datatype', 'required', 'datatype_description', 'order', 'description']) expect(attribute.getElementsByTagName(k).length, k).toBe(1);
    const values = Array.from(attribute.getElementsByTagName('value')).map((v) => v.getElementsByTagName('key')[0]!.textContent);
    expect(values).toEqual(['ordinary', 'major']);
  });

  it('POST Service Request (the example\'s form fields, attribute[…] included) answers [{service_request_id, service_notice, account_id}]; XML as <service_requests><request>', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.xml', headers: FORM, payload: form({ ...example(), 'attribute[severity]': 'ordinary' }) });
    expect(res.statusCode).toBe(201);
    const doc = new DOMParser().parseFromString(res.body, 'text/xml');
    const request = doc.getElementsByTagName('request')[0]!;
    expect(Array.from(request.childNodes).filter((n) => n.nodeType === 1).map((n) => n.nodeName)).toEqual(['service_request_id', 'service_notice', 'account_id']);
  });

  it('GET Service Requests: …/requests.json?start_date=…&end_date=…&status=open has exactly the example\'s fields, status open/closed and status_notes', async () => {
    const [created] = (await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: FORM, payload: form(example()) })).json();
    const today = new Date();
    const start = new Date(today.getTime() - 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const end = new Date(today.getTime() + 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const res = await t.app.inject({ method: 'GET', url: `/open311/v2/requests.json?jurisdiction_id=baoji.weibin&start_date=${start}&end_date=${end}&status=open` });
    expect(res.statusCode).toBe(200);
    const list = res.json() as Record<string, unknown>[];
    const mine = list.find((r) => r.service_request_id === created.service_request_id)!;
    expect(Object.keys(mine).sort()).toEqual([...SPEC_REQUEST_FIELDS].sort());
    expect(mine).toMatchObject({ status: 'open', status_notes: expect.any(String), service_code: 'fire' });
    expect(list.every((r) => r.status === 'open')).toBe(true);
    // GET Service Request (one id), in XML: the same elements under <service_requests><request>.
    const xml = await t.app.inject({ method: 'GET', url: `/open311/v2/requests/${created.service_request_id}.xml?jurisdiction_id=baoji.weibin` });
    const doc = new DOMParser().parseFromString(xml.body, 'text/xml');
    expect(doc.documentElement!.nodeName).toBe('service_requests');
    const request = doc.getElementsByTagName('request')[0]!;
    expect(Array.from(request.childNodes).filter((n) => n.nodeType === 1).map((n) => n.nodeName).sort()).toEqual([...SPEC_REQUEST_FIELDS].sort());
    expect(request.getElementsByTagName('status')[0]!.textContent).toBe('open');
  });
});

describe('an uploaded photo', () => {
  it('files a multipart request with its photo in a "media" field; the api_key in a field or a Bearer header makes it the hotline\'s', async () => {
    const photoDir = mkdtempSync(path.join(tmpdir(), 'wangge-open311-photos-'));
    const app = await buildApp({ db: t.db, config: { ...t.config, reports: { ...t.config.reports, photos: { ...t.config.reports.photos, dir: photoDir } } }, clientDir: '/nonexistent' });
    try {
      const jpeg = await sharp({ create: { width: 80, height: 60, channels: 3, background: { r: 30, g: 200, b: 30 } } }).jpeg().toBuffer();
      const post = async (fields: Record<string, string | number>, headers: Record<string, string> = {}) => {
        const form = new FormData();
        for (const [k, v] of Object.entries(fields)) form.append(k, String(v));
        form.append('media', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'hazard.jpg');
        const req = new Request('http://localhost/', { method: 'POST', body: form });
        return app.inject({ method: 'POST', url: '/open311/v2/requests.json', payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')!, ...headers } });
      };
      const { media_url: _m, api_key: key, ...fields } = example();
      for (const [body, headers, source] of [
        [{ ...fields, api_key: key }, {}, 'hotline'],
        [fields, { authorization: `Bearer ${key}` }, 'hotline'],
        [fields, {}, 'resident'],
      ] as const) {
        const res = await post(body, headers);
        expect(res.statusCode, res.body).toBe(201);
        const id = Number(res.json()[0].service_request_id);
        const { rows } = await t.db.query<{ source: string; photos: number }>(
          'SELECT source, (SELECT count(*)::int FROM report_photos p WHERE p.report_id = r.id) AS photos FROM reports r WHERE id = $1', [id]);
        expect(rows[0]).toEqual({ source, photos: 1 });
      }
      expect(readdirSync(photoDir).length).toBeGreaterThanOrEqual(3);
      // A file in another field is refused, filing nothing.
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, String(v));
      form.append('attachment', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'x.jpg');
      const req = new Request('http://localhost/', { method: 'POST', body: form });
      const wrong = await app.inject({ method: 'POST', url: '/open311/v2/requests.json', payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } });
      expect(wrong.statusCode).toBe(422);
      expect(wrong.json()).toEqual([{ code: 422, description: expect.stringMatching(/attachment/) }]);
    } finally {
      await app.close();
      rmSync(photoDir, { recursive: true, force: true });
    }
  });
});
