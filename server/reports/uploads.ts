import type { FastifyRequest } from 'fastify';
import type { ReportsConfig } from '../config.ts';
import { problem } from '../problem.ts';
import type { Upload } from './photos.ts';

const MB = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;

/**
 * Reads a multipart/form-data request: text fields, and files from the `photos` field (or the given ones), each held in
 * memory up to the configured size. Limits become 413 problems that say which limit was hit.
 */
export async function readMultipart(request: FastifyRequest, photos: ReportsConfig['photos'], fileFields: readonly string[] = ['photos']): Promise<{ fields: Record<string, string>; uploads: Upload[] }> {
  const fields: Record<string, string> = {};
  const uploads: Upload[] = [];
  try {
    const parts = request.parts({ limits: { files: photos.maxCount, fileSize: photos.maxBytes, fields: 20, fieldSize: 64 * 1024, parts: photos.maxCount + 20 } });
    for await (const part of parts) {
      if (part.type === 'file') {
        const buf = await part.toBuffer();
        if (!fileFields.includes(part.fieldname)) throw problem('photos.wrong-field', { field: part.fieldname }, { errors: [{ field: part.fieldname, message: 'unexpected file' }] });
        uploads.push({ buf, filename: part.filename });
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT') throw problem('photos.too-many', { max: photos.maxCount }, { errors: [{ field: 'photos', message: `at most ${photos.maxCount} files` }] });
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw problem('photos.too-large', { size: MB(photos.maxBytes) }, { errors: [{ field: 'photos', message: `at most ${MB(photos.maxBytes)} each` }] });
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw problem('photos.too-many-fields');
    throw err;
  }
  return { fields, uploads };
}
