import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import exifr from 'exifr';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { insertCell, square, twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { loadConfig, reportsConfig } from '../../server/config.ts';
import { buildApp } from '../../server/app.ts';
import { jpegWithGpsExif } from '../fixtures/photos/exif.ts';

// Intake, routing, tracking, scope, photos, idempotency and live events. Cells: a district
// (107..107.1 E, 34..34.1 N) with a west and an east street; the west street holds one community.

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>> & { community: number };
let photoDir: string;
const h = {} as Record<'workerWest' | 'workerEast' | 'commander' | 'planner', Headers>;

const MAX_PHOTOS = 3;
const MAX_BYTES = 200_000;

beforeAll(async () => {
  photoDir = mkdtempSync(path.join(tmpdir(), 'wangge-photos-'));
  const base = loadConfig({});
  t = await testApp({ config: { reports: reportsConfig({ photos: { dir: photoDir, maxCount: MAX_PHOTOS, maxBytes: MAX_BYTES } }, {}, base.dataDir) } });
  const streets = await twoStreets(t.db);
  const community = await insertCell(t.db, { code: '610302001001', name: '西一社区', level: 3, parentId: streets.west, rings: square(107.01, 34.01, 0.01) });
  ids = { ...streets, community };
  await createUser(t.db, 'workerWest', 'worker', [ids.west]);
  await createUser(t.db, 'workerEast', 'worker', [ids.east]);
  await createUser(t.db, 'commander', 'commander');
  await createUser(t.db, 'planner', 'planner');
  for (const who of ['workerWest', 'workerEast', 'commander', 'planner'] as const) h[who] = await signIn(t.app, who);
});

afterAll(async () => {
  await t.app.close();
  rmSync(photoDir, { recursive: true, force: true });
});

const point = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] });
const report = (lon: number, lat: number, extra: Record<string, unknown> = {}) => ({
  location: point(lon, lat), category: 'fire', severity: 'ordinary', description: '楼道堆放杂物，堵塞消防通道', ...extra,
});
const file = (payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/reports', payload: payload as object, headers });
const countReports = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM reports')).rows[0]!.n;

/** A multipart body as a browser's FormData would send it. */
async function multipart(fields: Record<string, string>, files: { name: string; type: string; data: Buffer }[]) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append('photos', new Blob([new Uint8Array(f.data)], { type: f.type }), f.name);
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return { payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } };
}

const png = (w = 64, hgt = 48) => sharp({ create: { width: w, height: hgt, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer();
const jpeg = () => sharp({ create: { width: 80, height: 60, channels: 3, background: { r: 30, g: 200, b: 30 } } }).jpeg().toBuffer();

describe(`routing a report to its cell (${TEST_DB})`, () => {
  it('goes to the deepest cell that contains the point (nested cells)', async () => {
    const inCommunity = await file(report(107.015, 34.015));
    expect(inCommunity.statusCode, inCommunity.body).toBe(201);
    expect(inCommunity.json()).toMatchObject({ cellId: ids.community, cellName: '西一社区', coverageGap: false, state: 'reported' });
    expect(inCommunity.json().trackingCode).toMatch(/^WG-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    const inStreetOnly = await file(report(107.04, 34.08));
    expect(inStreetOnly.json().cellId).toBe(ids.west);
  });

  it('puts a point on the border of two streets in the one with the lower id, and a community edge in the community', async () => {
    const border = await file(report(107.05, 34.05));
    expect(border.json().cellId).toBe(Math.min(ids.west, ids.east));
    const communityEdge = await file(report(107.02, 34.015));
    expect(communityEdge.json().cellId).toBe(ids.community);
  });

  it('sends a point outside every cell to the unassigned queue, flagged as a coverage gap', async () => {
    const res = await file(report(108.5, 35.5));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ cellId: null, coverageGap: true });
    const queue = await t.app.inject({ url: '/api/reports?unassigned=true', headers: h.commander });
    expect(queue.json().items.map((r: { id: number }) => r.id)).toContain(res.json().id);
    expect(queue.json().items.every((r: { coverageGap: boolean; cellId: number | null }) => r.coverageGap && r.cellId === null)).toBe(true);
  });

  it('follows its point when the planner draws a new smaller cell over it', async () => {
    const filed = (await file(report(107.07, 34.07))).json();
    expect(filed.cellId).toBe(ids.east);
    await createUser(t.db, 'plannerAll', 'planner');
    const planner = await signIn(t.app, 'plannerAll');
    const cell = await t.app.inject({
      method: 'POST', url: '/api/cells', headers: planner,
      payload: { type: 'Feature', geometry: { type: 'Polygon', coordinates: square(107.06, 34.06, 0.02) }, properties: { name: '东一社区', level: 3, parentId: ids.east } },
    });
    expect(cell.statusCode, cell.body).toBe(201);
    const after = await t.app.inject({ url: `/api/reports/${filed.id}`, headers: h.commander });
    expect(after.json().cellId).toBe(cell.json().id);
    const events = (await t.app.inject({ url: `/api/reports/${filed.id}/events`, headers: h.commander })).json();
    expect(events.at(-1)).toMatchObject({ action: 'reroute', fromCell: ids.east, toCell: cell.json().id, user: 'plannerAll' });
    const removed = await t.app.inject({ method: 'DELETE', url: `/api/cells/${cell.json().id}`, headers: planner });
    expect(removed.statusCode, removed.body).toBe(204);
    expect((await t.app.inject({ url: `/api/reports/${filed.id}`, headers: h.commander })).json().cellId).toBe(ids.east);
  });
});

describe(`intake (${TEST_DB})`, () => {
  it('refuses bad input with a problem naming the field, and stores nothing', async () => {
    const before = await countReports();
    const cases: [unknown, number, RegExp][] = [
      [report(107.01, 34.01, { category: 'ufo' }), 422, /Unknown category "ufo": use one of fire, environment/],
      [report(200, 34.01), 422, /not a longitude\/latitude pair/],
      [report(107.01, 34.01, { severity: 'huge' }), 400, /body\.severity must be equal to one of the allowed values/],
      [report(107.01, 34.01, { description: '   ' }), 400, /body\.description must match pattern/],
      [{ category: 'fire', severity: 'major', description: 'x' }, 400, /body\.location/],
      [report(107.01, 34.01, { source: 'patrol' }), 422, /filed by staff/],
    ];
    for (const [payload, status, message] of cases) {
      const res = await file(payload);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().detail).toMatch(message);
    }
    expect(await countReports()).toBe(before);
  });

  it('files a patrol report for a signed-in worker, but a cookie without the CSRF token files as the public', async () => {
    const asWorker = await file(report(107.01, 34.02, { source: 'patrol' }), h.workerWest);
    expect(asWorker.statusCode, asWorker.body).toBe(201);
    const cookieOnly = await file(report(107.01, 34.02, { source: 'patrol' }), { cookie: h.workerWest.cookie! });
    expect(cookieOnly.statusCode).toBe(422);
  });

  it('answers a retried submission with the same Idempotency-Key with the first report, not a second one', async () => {
    const key = `retry-${Date.now()}`;
    const before = await countReports();
    const [a, b] = await Promise.all([file(report(107.03, 34.03), { 'idempotency-key': key }), file(report(107.03, 34.03), { 'idempotency-key': key })]);
    const c = await file(report(107.03, 34.03), { 'idempotency-key': key });
    expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([201, 201, 201]);
    expect(b.json()).toEqual(a.json());
    expect(c.json()).toEqual(a.json());
    expect(c.headers['idempotent-replayed']).toBe('true');
    expect(await countReports()).toBe(before + 1);
    const other = await file(report(107.03, 34.04), { 'idempotency-key': key });
    expect(other.statusCode).toBe(422);
    expect(other.json().detail).toMatch(/already used for a different report/);
    expect(await countReports()).toBe(before + 1);
  });

  it('rate-limits public intake per client address', async () => {
    const limited = await buildApp({ db: t.db, config: { ...t.config, security: { ...t.config.security, reportsPerMinute: 2 } }, clientDir: '/nonexistent' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await limited.inject({ method: 'POST', url: '/api/reports', payload: report(107.03, 34.05) })).statusCode);
      expect(statuses).toEqual([201, 201, 429]);
    } finally {
      await limited.close();
    }
  });

  it('lists categories, severities and deadlines for the form', async () => {
    const res = await t.app.inject({ url: '/api/reports/config' });
    expect(res.json().categories).toContainEqual({ code: 'food_drug', zh: '食品药品', en: 'Food and drugs' });
    expect(res.json().deadlines.major.rectify).toBe(720);
    expect(res.json().photos.maxCount).toBe(MAX_PHOTOS);
  });
});

describe(`tracking a report without an account (${TEST_DB})`, () => {
  it('shows the state and public replies, and nothing about people or internal notes', async () => {
    const filed = (await file(report(107.015, 34.016, { reporter: { name: '张三', contact: '13800138000' }, confidential: true, description: '我家楼下502室私拉电线' }))).json();
    const res = await t.app.inject({
      method: 'POST', url: `/api/reports/${filed.id}/actions`, headers: h.workerWest,
      payload: { action: 'verify', note: '内部备注：业主王某某拒绝配合', reply: '已核实，已通知物业限期清理' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const track = await t.app.inject({ url: `/api/reports/track/${filed.trackingCode.toLowerCase()}` });
    expect(track.statusCode).toBe(200);
    expect(track.json()).toMatchObject({ trackingCode: filed.trackingCode, state: 'verified', category: 'fire', stateName: { zh: '已核实' } });
    expect(track.json().timeline.map((e: { state: string }) => e.state)).toEqual(['reported', 'verified']);
    expect(track.json().timeline[1].reply).toBe('已核实，已通知物业限期清理');
    for (const secret of ['张三', '13800138000', '内部备注', '王某某', 'workerWest', '502室']) expect(track.body).not.toContain(secret);
    expect((await t.app.inject({ url: '/api/reports/track/WG-00000-00000' })).statusCode).toBe(404);
  });

  it('hides a confidential reporter from workers but not from supervisors', async () => {
    const open = (await file(report(107.015, 34.017, { reporter: { contact: '13900000001' } }))).json();
    const secret = (await file(report(107.015, 34.018, { reporter: { contact: '13900000002' }, confidential: true }))).json();
    const get = (id: number, who: Headers) => t.app.inject({ url: `/api/reports/${id}`, headers: who }).then((r) => r.json());
    expect((await get(open.id, h.workerWest)).reporter.contact).toBe('13900000001');
    expect((await get(secret.id, h.workerWest)).reporter).toBeNull();
    expect((await get(secret.id, h.commander)).reporter.contact).toBe('13900000002');
  });
});

describe(`the inbox and its scope (${TEST_DB})`, () => {
  it('shows a worker only the reports of their street and below; others are 404', async () => {
    const west = (await file(report(107.015, 34.012))).json();
    const east = (await file(report(107.08, 34.02))).json();
    const gap = (await file(report(109, 36))).json();
    const inbox = (await t.app.inject({ url: '/api/reports?limit=1000', headers: h.workerWest })).json();
    const cells = new Set(inbox.items.map((r: { cellId: number }) => r.cellId));
    expect([...cells].sort()).toEqual([ids.west, ids.community].sort());
    expect(inbox.items.map((r: { id: number }) => r.id)).toContain(west.id);
    for (const id of [east.id, gap.id]) {
      expect((await t.app.inject({ url: `/api/reports/${id}`, headers: h.workerWest })).statusCode).toBe(404);
      expect((await t.app.inject({ url: `/api/reports/${id}/events`, headers: h.workerWest })).statusCode).toBe(404);
      const act = await t.app.inject({ method: 'POST', url: `/api/reports/${id}/actions`, headers: h.workerWest, payload: { action: 'verify' } });
      expect(act.statusCode).toBe(404);
    }
    expect((await t.app.inject({ url: `/api/reports/${east.id}`, headers: h.workerEast })).statusCode).toBe(200);
    const all = (await t.app.inject({ url: '/api/reports?limit=1000', headers: h.commander })).json();
    expect(all.items.map((r: { id: number }) => r.id)).toEqual(expect.arrayContaining([west.id, east.id, gap.id]));
  });

  it('is closed to the public (401) and to roles without reports.view (403)', async () => {
    expect((await t.app.inject({ url: '/api/reports' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/reports' , headers: h.planner })).statusCode).toBe(403);
  });

  it('filters by cell subtree, category, severity, state and bbox', async () => {
    const major = (await file(report(107.012, 34.013, { category: 'environment', severity: 'major' }))).json();
    const get = (qs: string) => t.app.inject({ url: `/api/reports?${qs}&limit=1000`, headers: h.commander }).then((r) => r.json().items as { id: number; cellId: number; category: string; severity: string; state: string }[]);
    const inWest = await get(`cellId=${ids.west}`);
    expect(inWest.length).toBeGreaterThan(0);
    expect(inWest.every((r) => r.cellId === ids.west || r.cellId === ids.community)).toBe(true);
    expect((await get('category=environment&severity=major')).map((r) => r.id)).toEqual([major.id]);
    expect((await get('bbox=107.011,34.012,107.013,34.014')).map((r) => r.id)).toEqual([major.id]);
    expect((await get('state=verified')).every((r) => r.state === 'verified')).toBe(true);
    const bad = await t.app.inject({ url: '/api/reports?bbox=107.1,34,107,34.1', headers: h.commander });
    expect(bad.statusCode).toBe(422);
  });
});

describe(`photos (${TEST_DB})`, () => {
  it('stores JPEG and PNG photos outside the table, with thumbnails, served to staff in scope', async () => {
    const pngBuf = await png();
    const body = await multipart({ report: JSON.stringify(report(107.015, 34.014)) }, [
      { name: 'a.png', type: 'image/png', data: pngBuf },
      { name: 'b.jpg', type: 'image/jpeg', data: await jpeg() },
    ]);
    const res = await t.app.inject({ method: 'POST', url: '/api/reports', ...body });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().photos).toBe(2);
    const { rows } = await t.db.query<{ file: string }>('SELECT file FROM report_photos WHERE report_id = $1 ORDER BY id', [res.json().id]);
    expect(rows.map((r) => path.extname(r.file))).toEqual(['.png', '.jpg']);
    const detail = (await t.app.inject({ url: `/api/reports/${res.json().id}`, headers: h.workerWest })).json();
    expect(detail.photos).toHaveLength(2);
    expect(detail.photos[0]).toMatchObject({ mime: 'image/png', width: 64, height: 48, purpose: 'report' });
    const original = await t.app.inject({ url: detail.photos[0].url, headers: h.workerWest });
    expect(original.headers['content-type']).toBe('image/png');
    expect(await sharp(original.rawPayload).metadata()).toMatchObject({ format: 'png', width: 64, height: 48 });
    const thumb = await t.app.inject({ url: detail.photos[0].thumbUrl, headers: h.workerWest });
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect((await sharp(thumb.rawPayload).metadata()).format).toBe('webp');
    expect((await t.app.inject({ url: detail.photos[0].url, headers: h.workerEast })).statusCode).toBe(404);
    expect((await t.app.inject({ url: detail.photos[0].url })).statusCode).toBe(401);
  });

  it('stores photos without EXIF: no GPS position, camera or owner, turned upright by their orientation', async () => {
    const camera = await jpegWithGpsExif();
    expect(await exifr.gps(camera)).toEqual({ latitude: 34.05, longitude: 107.02 });
    const body = await multipart({ report: JSON.stringify(report(107.015, 34.014)) }, [{ name: 'IMG_0001.jpg', type: 'image/jpeg', data: camera }]);
    const res = await t.app.inject({ method: 'POST', url: '/api/reports', ...body });
    expect(res.statusCode, res.body).toBe(201);
    const detail = (await t.app.inject({ url: `/api/reports/${res.json().id}`, headers: h.workerWest })).json();
    // Stored 80×60 with orientation 6: shown (and now stored) upright, 60×80.
    expect(detail.photos[0]).toMatchObject({ mime: 'image/jpeg', width: 60, height: 80 });
    for (const url of [detail.photos[0].url, detail.photos[0].thumbUrl]) {
      const served = (await t.app.inject({ url, headers: h.workerWest })).rawPayload;
      expect(await exifr.parse(served, true).catch(() => undefined), url).toBeUndefined();
      expect(await exifr.gps(served).catch(() => undefined), url).toBeUndefined();
      const meta = await sharp(served).metadata();
      expect(meta.exif, url).toBeUndefined();
      expect(meta.orientation ?? 1, url).toBe(1);
      expect(meta.height, url).toBeGreaterThan(meta.width!);
    }
    const { rows } = await t.db.query<{ file: string }>('SELECT file FROM report_photos WHERE report_id = $1', [res.json().id]);
    const onDisk = readFileSync(path.join(photoDir, rows[0]!.file));
    expect(onDisk.includes(Buffer.from('Canon'))).toBe(false);
    expect(onDisk.includes(Buffer.from('Zhang San'))).toBe(false);
  });

  const filesIn = () => readdirSync(photoDir).length;

  it('refuses a file that lies about its type, and keeps neither report nor files', async () => {
    const before = [await countReports(), filesIn()];
    const lie = await multipart({ report: JSON.stringify(report(107.015, 34.014)) }, [
      { name: 'ok.png', type: 'image/png', data: await png() },
      { name: 'photo.jpg', type: 'image/jpeg', data: Buffer.from('<?php system($_GET["c"]); ?> not a picture at all') },
    ]);
    const res = await t.app.inject({ method: 'POST', url: '/api/reports', ...lie });
    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toMatch(/Photo 2 \(photo\.jpg\) is not a JPEG, PNG or WebP/);
    expect(res.json().errors).toEqual([{ field: 'photos[1]', message: 'must be a JPEG, PNG or WebP image' }]);
    const damaged = await multipart({ report: JSON.stringify(report(107.015, 34.014)) }, [
      { name: 'ok.png', type: 'image/png', data: await png() },
      { name: 'broken.jpg', type: 'image/jpeg', data: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 7)]) },
    ]);
    const res2 = await t.app.inject({ method: 'POST', url: '/api/reports', ...damaged });
    expect(res2.statusCode).toBe(422);
    expect(res2.json().detail).toMatch(/broken\.jpg\) is damaged/);
    expect([await countReports(), filesIn()]).toEqual(before);
  });

  it('enforces the photo count and size limits with 413', async () => {
    const before = [await countReports(), filesIn()];
    const small = await png(8, 8);
    const tooMany = await multipart({ report: JSON.stringify(report(107.015, 34.014)) },
      Array.from({ length: MAX_PHOTOS + 1 }, (_, i) => ({ name: `p${i}.png`, type: 'image/png', data: small })));
    const many = await t.app.inject({ method: 'POST', url: '/api/reports', ...tooMany });
    expect(many.statusCode).toBe(413);
    expect(many.json().detail).toBe(`At most ${MAX_PHOTOS} photos per upload`);
    // Random pixels do not compress: a 400×400 noise PNG is far above the 200 kB limit.
    const noise = await sharp(Buffer.from(Array.from({ length: 400 * 400 * 3 }, () => Math.floor(Math.random() * 256))), { raw: { width: 400, height: 400, channels: 3 } }).png().toBuffer();
    expect(noise.length).toBeGreaterThan(MAX_BYTES);
    const big = await t.app.inject({ method: 'POST', url: '/api/reports', ...(await multipart({ report: JSON.stringify(report(107.015, 34.014)) }, [{ name: 'big.png', type: 'image/png', data: noise }])) });
    expect(big.statusCode).toBe(413);
    expect(big.json().detail).toMatch(/Each photo may be at most 0\.2 MB/);
    const noReport = await t.app.inject({ method: 'POST', url: '/api/reports', ...(await multipart({}, [{ name: 'p.png', type: 'image/png', data: small }])) });
    expect(noReport.statusCode).toBe(422);
    expect([await countReports(), filesIn()]).toEqual(before);
  });
});

describe(`live events (${TEST_DB})`, () => {
  it('streams a new report to an SSE client within one second, scoped per client', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const open = async (headers: Record<string, string>) => {
      const res = await fetch(`${address}/api/events`, { headers });
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      const until = async (pred: (s: string) => boolean) => {
        while (!pred(buffer)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended: ${buffer}`);
          buffer += decoder.decode(value, { stream: true });
        }
        return buffer;
      };
      await until((s) => s.includes(': connected'));
      return { until, close: () => reader.cancel() };
    };
    const publicClient = await open({});
    const east = await open({ cookie: h.workerEast.cookie! });
    const west = await open({ cookie: h.workerWest.cookie! });

    const started = Date.now();
    const filed = (await file(report(107.016, 34.016, { description: '仅内部可见的描述' }))).json();
    const eventOf = (s: string) => s.split('\n\n').filter((b) => b.startsWith('event: report')).map((b) => JSON.parse(b.split('\ndata: ')[1]!)).find((d) => d.report.id === filed.id);
    const seen = await west.until((s) => !!eventOf(s));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(1000);
    const forWest = eventOf(seen);
    expect(forWest).toMatchObject({ type: 'created', report: { id: filed.id, state: 'reported', cellId: ids.community, description: '仅内部可见的描述' } });
    expect(forWest.report.allowedActions).toEqual(['verify', 'reject', 'transfer']);
    // Public and out-of-scope clients get the heatmap summary only.
    for (const c of [publicClient, east]) {
      const data = eventOf(await c.until((s) => !!eventOf(s)));
      expect(Object.keys(data.report).sort()).toEqual(['category', 'createdAt', 'id', 'location', 'severity', 'state']);
    }
    await t.app.inject({ method: 'POST', url: `/api/reports/${filed.id}/actions`, headers: h.workerWest, payload: { action: 'verify' } });
    const changed = await west.until((s) => s.includes('"type":"changed"'));
    expect(changed).toContain('"state":"verified"');
    for (const c of [publicClient, east, west]) await c.close();
  });

  it('announces reports filed at the same moment each once, after their commit (several to a NOTIFY)', async () => {
    // Listening since the test above.
    const address = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    const res = await fetch(`${address}/api/events`);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const created = () => buffer.split('\n\n').filter((b) => b.startsWith('event: report'))
      .map((b) => JSON.parse(b.split('\ndata: ')[1]!) as { type: string; report: { id: number } }).filter((d) => d.type === 'created').map((d) => d.report.id);
    while (!buffer.includes(': connected')) buffer += decoder.decode((await reader.read()).value, { stream: true });

    const filed = await Promise.all(Array.from({ length: 40 }, (_, i) => file(report(107.011 + i * 0.0002, 34.012, { description: `同时上报 ${i}` }))));
    const ids = filed.map((r) => { expect(r.statusCode, r.body).toBe(201); return r.json().id as number; });
    // Each is in the database when it is announced: its event carries the stored report.
    while (!ids.every((id) => created().includes(id))) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended: ${buffer}`);
      buffer += decoder.decode(value, { stream: true });
    }
    const seen = created().filter((id) => ids.includes(id));
    expect(seen.sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    await reader.cancel();
  });
});

describe(`a report's whole life (${TEST_DB})`, () => {
  it('resident files with a photo, worker verifies, dispatches, rectifies with evidence, supervisor closes, tracking shows closed', async () => {
    await t.db.query(`INSERT INTO people (id, name) VALUES (9001, '李网格') ON CONFLICT DO NOTHING`);
    await t.db.query(`INSERT INTO cell_assignments (cell_id, position, person_id, role) VALUES ($1, 1, 9001, 'manager') ON CONFLICT DO NOTHING`, [ids.community]);
    const body = await multipart({ report: JSON.stringify(report(107.013, 34.019, { category: 'work_safety', reporter: { contact: '13700000000' } })) }, [{ name: 'site.jpg', type: 'image/jpeg', data: await jpeg() }]);
    const filed = (await t.app.inject({ method: 'POST', url: '/api/reports', ...body })).json();
    expect(filed).toMatchObject({ cellId: ids.community, photos: 1 });
    const act = async (who: Headers, payload: Record<string, unknown>) => {
      const res = await t.app.inject({ method: 'POST', url: `/api/reports/${filed.id}/actions`, headers: who, payload });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    expect((await act(h.workerWest, { action: 'verify', version: 1 })).state).toBe('verified');
    const dispatched = await act(h.workerWest, { action: 'dispatch', assignees: [9001] });
    expect(dispatched).toMatchObject({ state: 'dispatched', assignees: [{ id: 9001, name: '李网格' }] });
    expect(new Date(dispatched.dueAt).getTime() - new Date(dispatched.stepStartedAt).getTime()).toBe(7 * 24 * 3600_000);
    expect((await act(h.workerWest, { action: 'accept' })).state).toBe('rectifying');
    const upload = await multipart({}, [{ name: 'after.png', type: 'image/png', data: await png() }]);
    const evidence = await t.app.inject({ method: 'POST', url: `/api/reports/${filed.id}/photos`, headers: { ...h.workerWest, ...upload.headers }, payload: upload.payload });
    expect(evidence.statusCode, evidence.body).toBe(201);
    const rectified = await act(h.workerWest, { action: 'rectify', note: '杂物已清理，通道畅通', photoIds: [evidence.json()[0].id] });
    expect(rectified.state).toBe('rectified');
    expect(rectified.allowedActions).toEqual([]);
    const closed = await act(h.commander, { action: 'close', note: '现场核查合格' });
    expect(closed).toMatchObject({ state: 'closed', dueAt: null, allowedActions: ['reopen'] });
    const events = (await t.app.inject({ url: `/api/reports/${filed.id}/events`, headers: h.commander })).json();
    expect(events.map((e: { action: string }) => e.action)).toEqual(['create', 'verify', 'dispatch', 'accept', 'rectify', 'close']);
    expect(events.map((e: { user: string | null }) => e.user)).toEqual([null, 'workerWest', 'workerWest', 'workerWest', 'workerWest', 'commander']);
    expect(events[4].photos).toHaveLength(1);
    const track = (await t.app.inject({ url: `/api/reports/track/${filed.trackingCode}` })).json();
    expect(track.state).toBe('closed');
    expect(track.closedAt).not.toBeNull();
    expect(track.timeline.map((e: { state: string }) => e.state)).toEqual(['reported', 'verified', 'dispatched', 'rectifying', 'rectified', 'closed']);
    expect(track.reward).toBe(50);
  });
});
