/**
 * Zip archives built byte by byte, so they can lie: a header that declares less than the entry
 * inflates to, thousands of entries, entries that share their data (the overlapping-files bomb),
 * archives inside the archive. Each stays small to build and to send.
 */
import zlib from 'node:zlib';

export interface RawEntry {
  name: string;
  /** The bytes as stored in the archive (deflated for method 8). */
  data: Buffer;
  method: 0 | 8;
  crc32: number;
  /** The uncompressed size the headers declare. */
  size: number;
}

const CHUNK = 16 * 1024 * 1024;
let chunkBlock: Buffer | undefined;

/**
 * A deflate stream of `mib` MiB of spaces, about 1000 times smaller: one 16 MiB block (ended by a
 * sync flush, so it can follow itself) repeated, then an empty final block; from 16 MiB up, the
 * size is rounded up to a multiple of 16 MiB. The CRC is computed too.
 */
export function deflatedSpaces(mib: number): { data: Buffer; crc32: number; size: number } {
  const plain = Buffer.alloc(Math.min(CHUNK, mib * 1024 * 1024), 0x20);
  chunkBlock ??= zlib.deflateRawSync(Buffer.alloc(CHUNK, 0x20), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  if (mib * 1024 * 1024 < CHUNK) return { data: zlib.deflateRawSync(plain, { level: 9 }), crc32: zlib.crc32(plain), size: plain.length };
  const size = Math.ceil((mib * 1024 * 1024) / CHUNK) * CHUNK;
  const blocks: Buffer[] = [];
  let crc = 0;
  for (let done = 0; done < size; done += CHUNK) {
    blocks.push(chunkBlock);
    crc = zlib.crc32(plain, crc);
  }
  blocks.push(zlib.deflateRawSync(Buffer.alloc(0)));
  return { data: Buffer.concat(blocks), crc32: crc, size };
}

export function stored(name: string, content: Buffer | string): RawEntry {
  const data = Buffer.from(content);
  return { name, data, method: 0, crc32: zlib.crc32(data), size: data.length };
}

export function deflated(name: string, content: Buffer | string): RawEntry {
  const plain = Buffer.from(content);
  return { name, data: zlib.deflateRawSync(plain), method: 8, crc32: zlib.crc32(plain), size: plain.length };
}

function localHeader(e: RawEntry): Buffer {
  const name = Buffer.from(e.name);
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(0x800, 6);
  h.writeUInt16LE(e.method, 8);
  h.writeUInt32LE(e.crc32, 14);
  h.writeUInt32LE(Math.min(e.data.length, 0xffffffff), 18);
  h.writeUInt32LE(Math.min(e.size, 0xffffffff), 22);
  h.writeUInt16LE(name.length, 26);
  return Buffer.concat([h, name]);
}

function centralHeader(e: RawEntry, offset: number, name = e.name): Buffer {
  const n = Buffer.from(name);
  const big = e.size >= 0xffffffff;
  const extra = big ? Buffer.alloc(12) : Buffer.alloc(0);
  if (big) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(8, 2);
    extra.writeBigUInt64LE(BigInt(e.size), 4);
  }
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(45, 4);
  h.writeUInt16LE(big ? 45 : 20, 6);
  h.writeUInt16LE(0x800, 8);
  h.writeUInt16LE(e.method, 10);
  h.writeUInt32LE(e.crc32, 16);
  h.writeUInt32LE(e.data.length, 20);
  h.writeUInt32LE(big ? 0xffffffff : e.size, 24);
  h.writeUInt16LE(n.length, 28);
  h.writeUInt16LE(extra.length, 30);
  h.writeUInt32LE(offset, 42);
  return Buffer.concat([h, n, extra]);
}

/**
 * A zip of the entries. `central` lists what the central directory says: by default one record per
 * entry; records may point to the same entry under other names (overlapping data).
 */
export function rawZip(entries: RawEntry[], central?: { name: string; entry: number }[]): Buffer {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let at = 0;
  for (const e of entries) {
    offsets.push(at);
    const h = localHeader(e);
    parts.push(h, e.data);
    at += h.length + e.data.length;
  }
  const records = (central ?? entries.map((e, i) => ({ name: e.name, entry: i }))).map((c) => centralHeader(entries[c.entry]!, offsets[c.entry]!, c.name));
  const cd = Buffer.concat(records);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(records.length, 0xffff), 8);
  end.writeUInt16LE(Math.min(records.length, 0xffff), 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(at, 16);
  return Buffer.concat([...parts, cd, end]);
}

/** One entry that inflates to `mib` MiB of spaces while its headers say 1 KiB. */
export function lyingHeaderZip(name: string, mib: number): Buffer {
  const bomb = deflatedSpaces(mib);
  return rawZip([{ name, data: bomb.data, method: 8, crc32: bomb.crc32, size: 1024 }]);
}

/** An honest zip of `mib` MiB of spaces under one name (it inflates about 1000-fold). */
export function honestBombZip(name: string, mib: number): Buffer {
  const bomb = deflatedSpaces(mib);
  return rawZip([{ name, data: bomb.data, method: 8, crc32: bomb.crc32, size: bomb.size }]);
}

/** `n` small entries (a zipped shapefile has five or so). */
export function manyEntriesZip(n: number): Buffer {
  return rawZip(Array.from({ length: n }, (_, i) => stored(`layer${i}.txt`, `${i}`)));
}

/** One deflated kernel of `mib` MiB, listed `n` times in the central directory under other names. */
export function overlappingZip(n: number, mib: number): Buffer {
  const kernel = deflatedSpaces(mib);
  return rawZip([{ name: 'k.geojson', data: kernel.data, method: 8, crc32: kernel.crc32, size: kernel.size }],
    Array.from({ length: n }, (_, i) => ({ name: `k${i}.geojson`, entry: 0 })));
}

/** A zip of `n` zips, each holding a `mib` MiB bomb (42.zip's idea, one level deep). */
export function nestedZip(n: number, mib: number): Buffer {
  const inner = honestBombZip('bomb.geojson', mib);
  return rawZip(Array.from({ length: n }, (_, i) => stored(`part${i}.zip`, inner)));
}

/** A zipped shapefile whose .shp inflates to `mib` MiB while its headers say 1 KiB; the .dbf is honest. */
export function lyingShapefileZip(mib: number): Buffer {
  const bomb = deflatedSpaces(mib);
  // A dBase III header with no fields and no records.
  const dbf = Buffer.alloc(33);
  dbf.writeUInt8(3, 0);
  dbf.writeUInt16LE(33, 8);
  dbf.writeUInt16LE(1, 10);
  dbf.writeUInt8(0x0d, 32);
  return rawZip([{ name: 'district.shp', data: bomb.data, method: 8, crc32: bomb.crc32, size: 1024 }, stored('district.dbf', dbf)]);
}
