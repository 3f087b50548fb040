import { createReadStream } from 'node:fs';
import { binaryResponse, emptyResponse } from '../response-schemas.ts';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { AppContext } from '../context.ts';
import { audit } from '../audit.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams } from '../schemas.ts';
import { removePhotos, storePhotos } from '../reports/photos.ts';
import { readMultipart } from '../reports/uploads.ts';
import { assertPersonEditable, loadPerson } from './routes.ts';

/** Where a person's photo is served: public only while the person answers for a cell (亮身份). */
export const personPhotoUrl = (id: number, thumb = false) => `/api/people/${id}/photo${thumb ? '?size=thumb' : ''}`;

const THUMB_WIDTH = 240;
const MIME: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/**
 * A person's photo (亮身份: the card and the notice board show who answers for the ground): one
 * image, metadata stripped and turned upright as every uploaded photo, with a thumbnail.
 */
export default async function personPhotoRoutes(app: FastifyInstance, { db, config }: AppContext) {
  await app.register(multipart);
  const dir = path.join(config.reports.photos.dir, 'people');
  const limits = { ...config.reports.photos, maxCount: 1 };

  app.put<{ Params: { id: number } }>('/api/people/:id/photo', {
    config: { access: 'people.edit' },
    schema: {
      tags: ['people'],
      summary: "Set a person's photo (multipart, one file in the field \"photo\"): shown on the public card and notice board of the cells they answer for",
      params: idParams,
      response: { 200: { type: 'object', properties: { photoUrl: { type: 'string' }, thumbUrl: { type: 'string' } } }, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    if (!request.isMultipart()) throw problem('photos.not-multipart');
    const person = await loadPerson(db, request.params.id, actor);
    await assertPersonEditable(db, actor, person);
    const { uploads } = await readMultipart(request, limits, ['photo']);
    if (uploads.length !== 1) throw problem('photos.missing', {}, { errors: [{ field: 'photo', message: 'one image' }] });
    const [stored] = await storePhotos(dir, uploads, THUMB_WIDTH, 'photo');
    let old: { photo_file: string | null; photo_thumb: string | null } | undefined;
    try {
      old = await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ photo_file: string | null; photo_thumb: string | null }>(
          'SELECT photo_file, photo_thumb FROM people WHERE id = $1 FOR UPDATE', [person.id]);
        await tx.query('UPDATE people SET photo_file = $2, photo_thumb = $3, version = version + 1, updated_at = now(), updated_by = $4 WHERE id = $1',
          [person.id, stored!.file, stored!.thumb, actor.username]);
        await audit(tx, request, 'person.update', `person:${person.id}`, { changed: ['photo'] });
        return rows[0];
      });
    } catch (e) {
      await removePhotos(dir, [stored!]);
      throw e;
    }
    if (old?.photo_file) await removePhotos(dir, [{ file: old.photo_file, thumb: old.photo_thumb ?? '' }]);
    return { photoUrl: personPhotoUrl(person.id), thumbUrl: personPhotoUrl(person.id, true) };
  });

  app.delete<{ Params: { id: number } }>('/api/people/:id/photo', {
    config: { access: 'people.edit' },
    schema: { tags: ['people'], summary: "Remove a person's photo", params: idParams, response: { 204: emptyResponse('Removed (or there was none)'), '4xx': problemSchema } },
  }, async (request, reply) => {
    const actor = request.actor;
    const person = await loadPerson(db, request.params.id, actor);
    await assertPersonEditable(db, actor, person);
    const { rows } = await db.query<{ photo_file: string | null; photo_thumb: string | null }>(
      `UPDATE people n SET photo_file = NULL, photo_thumb = NULL, version = n.version + 1, updated_at = now(), updated_by = $2
       FROM people o WHERE n.id = $1 AND o.id = n.id AND o.photo_file IS NOT NULL RETURNING o.photo_file, o.photo_thumb`, [person.id, actor.username]);
    if (rows[0]) {
      await audit(db, request, 'person.update', `person:${person.id}`, { changed: ['photo'] });
      await removePhotos(dir, [{ file: rows[0].photo_file!, thumb: rows[0].photo_thumb ?? '' }]);
    }
    return reply.code(204).send();
  });

  app.get<{ Params: { id: number }; Querystring: { size?: 'thumb' } }>('/api/people/:id/photo', {
    config: { access: 'public', rateLimit: { max: config.security.publicReadsPerMinute, timeWindow: '1 minute' } },
    schema: {
      tags: ['people'],
      summary: "A person's photo: public while they answer for a cell (as on its card), else for signed-in staff",
      params: idParams,
      querystring: { type: 'object', properties: { size: { type: 'string', enum: ['thumb'] } }, additionalProperties: false },
      response: { 200: binaryResponse('The image, re-encoded without metadata (size=thumb: the thumbnail)', ...new Set(Object.values(MIME))), '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const id = request.params.id;
    const { rows } = await db.query<{ photo_file: string | null; photo_thumb: string | null; assigned: boolean }>(
      'SELECT photo_file, photo_thumb, EXISTS (SELECT 1 FROM cell_assignments a WHERE a.person_id = p.id) AS assigned FROM people p WHERE p.id = $1', [id]);
    const r = rows[0];
    // Someone on no card is not public; to the public such a photo does not exist.
    if (!r?.photo_file || (!r.assigned && !request.user)) throw problem('people.photo-not-found', { id });
    const file = request.query.size === 'thumb' && r.photo_thumb ? r.photo_thumb : r.photo_file;
    return reply
      .header('content-type', MIME[file.split('.').pop()!] ?? 'application/octet-stream')
      .header('cache-control', 'public, max-age=300')
      .header('x-content-type-options', 'nosniff')
      .send(createReadStream(path.join(dir, file)));
  });
}
