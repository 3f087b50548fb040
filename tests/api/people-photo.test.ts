import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import exifr from 'exifr';
import sharp from 'sharp';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { jpegWithGpsExif } from '../fixtures/photos/exif.ts';

// 亮身份: a person's photo on the public card and the printed notice board of the cells they answer
// for; stored without metadata; public only while they answer for a cell.

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
let planner: Headers;
let worker: Headers;
let posted: number;
let unposted: number;

beforeAll(async () => {
  t = await testApp();
  ids = await twoStreets(t.db);
  await createUser(t.db, 'planner', 'planner');
  await createUser(t.db, 'worker', 'worker', [ids.west]);
  planner = await signIn(t.app, 'planner');
  worker = await signIn(t.app, 'worker');
  posted = (await t.db.query<{ id: number }>(`INSERT INTO people (name, phone) VALUES ('张网格', '13800001234') RETURNING id`)).rows[0]!.id;
  unposted = (await t.db.query<{ id: number }>(`INSERT INTO people (name) VALUES ('未上岗') RETURNING id`)).rows[0]!.id;
  await t.db.query(`INSERT INTO cell_assignments (cell_id, position, person_id, role) VALUES ($1, 1, $2, 'manager')`, [ids.west, posted]);
});

afterAll(async () => {
  await t.app.close();
});

async function upload(id: number, data: Buffer, headers = planner) {
  const form = new FormData();
  form.append('photo', new Blob([new Uint8Array(data)]), 'me.jpg');
  const req = new Request('http://localhost/', { method: 'PUT', body: form });
  return t.app.inject({ method: 'PUT', url: `/api/people/${id}/photo`, payload: Buffer.from(await req.arrayBuffer()), headers: { ...headers, 'content-type': req.headers.get('content-type')! } });
}
const card = async () => (await t.app.inject({ url: `/api/cells/${ids.west}/card` })).json() as { people: { name: string; photoUrl: string | null }[] };

describe(`a person's photo (${TEST_DB})`, () => {
  it('is shown on the card and the notice board, without the camera\'s metadata, upright', async () => {
    expect((await card()).people[0]!.photoUrl).toBeNull();
    const camera = await jpegWithGpsExif();
    const res = await upload(posted, camera);
    expect(res.statusCode, res.body).toBe(200);
    const url = (await card()).people[0]!.photoUrl!;
    expect(url).toBe(`/api/people/${posted}/photo?size=thumb`);
    // Anyone may see it: the person answers for a cell.
    for (const u of [url, `/api/people/${posted}/photo`]) {
      const img = await t.app.inject({ url: u });
      expect(img.statusCode, u).toBe(200);
      expect(await exifr.gps(img.rawPayload).catch(() => undefined), u).toBeUndefined();
      const meta = await sharp(img.rawPayload).metadata();
      expect(meta.exif, u).toBeUndefined();
      expect(meta.orientation ?? 1, u).toBe(1);
    }
    const full = await sharp((await t.app.inject({ url: `/api/people/${posted}/photo` })).rawPayload).metadata();
    expect([full.width, full.height]).toEqual([60, 80]);
    const board = (await t.app.inject({ url: `/cells/${ids.west}/board` })).body;
    expect(board).toContain(`<img class="photo" src="/api/people/${posted}/photo?size=thumb" alt="张网格">`);
  });

  it('of someone on no card is for staff only; planners set it, others may not; bad files are refused', async () => {
    expect((await upload(unposted, await jpegWithGpsExif())).statusCode).toBe(200);
    expect((await t.app.inject({ url: `/api/people/${unposted}/photo` })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/people/${unposted}/photo`, headers: worker })).statusCode).toBe(200);
    expect((await upload(posted, await jpegWithGpsExif(), worker)).statusCode).toBe(403);
    const bad = await upload(posted, Buffer.from('not an image at all'));
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('photos.not-an-image');
    // Still the earlier photo.
    expect((await t.app.inject({ url: `/api/people/${posted}/photo` })).statusCode).toBe(200);
  });

  it('is replaced and removed; the audit log says the photo changed', async () => {
    const before = (await t.app.inject({ url: `/api/people/${posted}/photo` })).rawPayload;
    const other = await sharp({ create: { width: 40, height: 50, channels: 3, background: '#36c' } }).jpeg().toBuffer();
    expect((await upload(posted, other)).statusCode).toBe(200);
    const after = (await t.app.inject({ url: `/api/people/${posted}/photo` })).rawPayload;
    expect(after.equals(before)).toBe(false);
    expect((await sharp(after).metadata()).width).toBe(40);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/people/${posted}/photo`, headers: planner })).statusCode).toBe(204);
    expect((await card()).people[0]!.photoUrl).toBeNull();
    expect((await t.app.inject({ url: `/api/people/${posted}/photo` })).statusCode).toBe(404);
    const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'person.update' AND target = $1 AND detail->'changed' ? 'photo'`, [`person:${posted}`]);
    expect(rows[0]!.n).toBe(3); // set, replaced, removed
  });
});
