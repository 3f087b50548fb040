import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Queryable } from '../db/db.ts';
import { Problem, problem } from '../problem.ts';

export type ImageMime = 'image/jpeg' | 'image/png' | 'image/webp';

const EXT: Record<ImageMime, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

/** The image type by its first bytes, whatever the file's name or declared type says; null if none of ours. */
export function sniffImage(buf: Buffer): ImageMime | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'image/jpeg';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

export interface Upload {
  buf: Buffer;
  filename: string;
}

export interface StoredPhoto {
  file: string;
  thumb: string;
  mime: ImageMime;
  bytes: number;
  width: number | null;
  height: number | null;
  sha256: string;
}

// Loaded with the first photo, not at start: libvips and its bindings cost the start a fifth of a second.
const loadSharp = async () => (await import('sharp')).default;

/**
 * The photo as stored: the pixels turned upright by their EXIF orientation, re-encoded in the same
 * format without any metadata (EXIF, GPS, XMP, IPTC, comments: no position, camera or owner's name).
 */
async function cleaned(buf: Buffer, mime: ImageMime): Promise<{ data: Buffer; width: number; height: number }> {
  const sharp = await loadSharp();
  const upright = sharp(buf).rotate();
  const encoded = mime === 'image/jpeg' ? upright.jpeg({ quality: 90 }) : mime === 'image/png' ? upright.png() : upright.webp({ quality: 90 });
  const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * Checks each upload is a JPEG, PNG or WebP that decodes, then writes it without metadata (see
 * cleaned) and a WebP thumbnail under `dir`. All or nothing: on any bad photo, the ones already
 * written are removed and a 422 names it.
 */
export async function storePhotos(dir: string, uploads: Upload[], thumbWidth: number, field = 'photos'): Promise<StoredPhoto[]> {
  const checked = uploads.map((u, i) => {
    const mime = sniffImage(u.buf);
    if (!mime) {
      throw problem('photos.not-an-image', { n: i + 1, name: u.filename || 'unnamed' }, { errors: [{ field: `${field}[${i}]`, message: 'must be a JPEG, PNG or WebP image' }] });
    }
    return { ...u, mime };
  });
  // Most reports come without photos: no file-system call for them (it was 6% of intake's time).
  if (checked.length === 0) return [];
  await mkdir(dir, { recursive: true });
  const stored: StoredPhoto[] = [];
  try {
    for (const [i, u] of checked.entries()) {
      let thumb: Buffer;
      let clean: { data: Buffer; width: number; height: number };
      try {
        clean = await cleaned(u.buf, u.mime);
        thumb = await (await loadSharp())(clean.data).resize({ width: thumbWidth, withoutEnlargement: true }).webp({ quality: 75 }).toBuffer();
      } catch {
        throw problem('photos.damaged', { n: i + 1, name: u.filename || 'unnamed', mime: u.mime }, { errors: [{ field: `${field}[${i}]`, message: 'does not decode as an image' }] });
      }
      const name = randomUUID();
      const file = `${name}.${EXT[u.mime]}`;
      const thumbFile = `${name}.thumb.webp`;
      await writeFile(path.join(dir, file), clean.data, { flag: 'wx' });
      stored.push({ file, thumb: thumbFile, mime: u.mime, bytes: clean.data.length, width: clean.width, height: clean.height, sha256: createHash('sha256').update(clean.data).digest('hex') });
      await writeFile(path.join(dir, thumbFile), thumb, { flag: 'wx' });
    }
  } catch (err) {
    await removePhotos(dir, stored);
    throw err instanceof Problem ? err : problem('photos.store-failed');
  }
  return stored;
}

/** Removes stored files (a report that was not saved after all). */
export async function removePhotos(dir: string, photos: Pick<StoredPhoto, 'file' | 'thumb'>[]): Promise<void> {
  await Promise.all(photos.flatMap((p) => [p.file, p.thumb].map((f) => rm(path.join(dir, f), { force: true }))));
}

/** Inserts the rows of stored photos of a report; evidence is attached to its step later. */
export async function insertPhotoRows(
  q: Queryable,
  reportId: number, purpose: 'report' | 'evidence', photos: StoredPhoto[], at: Date,
): Promise<number[]> {
  const ids: number[] = [];
  for (const p of photos) {
    const { rows } = await q.query<{ id: number }>(
      `INSERT INTO report_photos (report_id, purpose, file, thumb, mime, bytes, width, height, sha256, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [reportId, purpose, p.file, p.thumb, p.mime, p.bytes, p.width, p.height, p.sha256, at]);
    ids.push(rows[0]!.id);
  }
  return ids;
}
