/**
 * Reading an uploaded zip (a zipped Shapefile, a KMZ) without trusting it. The central directory is
 * read with a cap on the number of entries; the sizes the entries declare may add up to a fixed
 * budget at most; entries whose data overlap (the "overlapping files" zip bomb) are refused; and an
 * entry is inflated only when it is read, by node:zlib told to stop at the size the entry declares,
 * so a header that lies cannot make the server inflate more than the budget. Its CRC-32 is checked.
 * Archives inside the archive are never opened.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';

export interface ZipLimits {
  /** Entries (files and folders) the central directory may list. */
  maxEntries: number;
  /** What all the entries together may inflate to, in bytes. */
  maxInflatedBytes: number;
}

/** Twice the largest upload: a shapefile zips to about half its size. */
export const ZIP_LIMITS: ZipLimits = { maxEntries: 1000, maxInflatedBytes: 100 * 1024 * 1024 };

/** The archive is over a limit: refused before it is inflated (413). */
export class ZipTooLarge extends Error {}
/** The archive is damaged, lies about its contents, or uses what Wangge does not read (422). */
export class ZipDamaged extends Error {}

export interface ZipEntry {
  name: string;
  dir: boolean;
  /** 0 stored, 8 deflated. */
  method: number;
  encrypted: boolean;
  crc32: number;
  compressedSize: number;
  /** The uncompressed size the central directory declares. */
  size: number;
  /** Offset of the local file header, and of the entry's data. */
  headerOffset: number;
  dataOffset: number;
}

const inflateRaw = promisify<zlib.InputType, zlib.ZlibOptions, Buffer>(zlib.inflateRaw);

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

export const mb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

function u64(data: Buffer, at: number): number {
  const v = data.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipDamaged('a size or offset in its zip64 record is impossibly large');
  return Number(v);
}

function decodeName(bytes: Buffer, utf8Flag: boolean): string {
  if (utf8Flag) return bytes.toString('utf8');
  // Without the UTF-8 flag a name is in the zipping machine's code page: valid UTF-8 is taken as
  // UTF-8 (most tools), anything else as GBK (Chinese Windows).
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gbk').decode(bytes);
  }
}

/** Where the end of central directory record is: searched backwards over the longest comment. */
function findEocd(data: Buffer): number {
  const stop = Math.max(0, data.length - 22 - 0xffff);
  for (let i = data.length - 22; i >= stop; i--) {
    if (data.readUInt32LE(i) === SIG_EOCD && i + 22 + data.readUInt16LE(i + 20) <= data.length) return i;
  }
  throw new ZipDamaged('it has no end of central directory record');
}

export class ZipArchive {
  readonly entries: ZipEntry[];
  private inflated = 0;

  private constructor(private readonly data: Buffer, entries: ZipEntry[], private readonly limits: ZipLimits) {
    this.entries = entries;
  }

  /** Reads the directory of the archive; inflates nothing. */
  static open(data: Buffer, limits: ZipLimits = ZIP_LIMITS): ZipArchive {
    try {
      return ZipArchive.parse(data, limits);
    } catch (e) {
      if (e instanceof ZipTooLarge || e instanceof ZipDamaged) throw e;
      // A read past the end of the buffer: an offset points outside the file.
      if (e instanceof RangeError) throw new ZipDamaged('an offset in it points outside the file');
      throw e;
    }
  }

  private static parse(data: Buffer, limits: ZipLimits): ZipArchive {
    if (data.length < 22) throw new ZipDamaged('it is too short to be a zip');
    const eocd = findEocd(data);
    if (data.readUInt16LE(eocd + 4) !== 0 || data.readUInt16LE(eocd + 6) !== 0) throw new ZipDamaged('it is split over several volumes');
    let count = data.readUInt16LE(eocd + 10);
    let cdSize = data.readUInt32LE(eocd + 12);
    let cdOffset = data.readUInt32LE(eocd + 16);
    let cdEnd = eocd;
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locator = eocd - 20;
      if (locator < 0 || data.readUInt32LE(locator) !== SIG_ZIP64_LOCATOR) throw new ZipDamaged('its zip64 end record is missing');
      const at = u64(data, locator + 8);
      if (at + 56 > locator || data.readUInt32LE(at) !== SIG_ZIP64_EOCD) throw new ZipDamaged('its zip64 end record is missing');
      count = u64(data, at + 32);
      cdSize = u64(data, at + 40);
      cdOffset = u64(data, at + 48);
      cdEnd = at;
    }
    if (count > limits.maxEntries) {
      throw new ZipTooLarge(`it lists ${count} entries; Wangge reads archives of at most ${limits.maxEntries} entries`);
    }
    // Bytes before the archive proper (a self-extractor's stub) shift every offset.
    const base = cdEnd - cdSize - cdOffset;
    if (base < 0) throw new ZipDamaged('its central directory lies outside the file');
    const cdStart = base + cdOffset;

    const entries: ZipEntry[] = [];
    let declared = 0;
    for (let at = cdStart; at < cdStart + cdSize;) {
      if (data.readUInt32LE(at) !== SIG_CENTRAL) throw new ZipDamaged('its central directory is corrupt');
      if (entries.length === limits.maxEntries) {
        throw new ZipTooLarge(`it holds more than ${limits.maxEntries} entries; Wangge reads archives of at most ${limits.maxEntries} entries`);
      }
      const flags = data.readUInt16LE(at + 8);
      const method = data.readUInt16LE(at + 10);
      const crc32 = data.readUInt32LE(at + 16);
      let compressedSize = data.readUInt32LE(at + 20);
      let size = data.readUInt32LE(at + 24);
      const nameLength = data.readUInt16LE(at + 28);
      const extraLength = data.readUInt16LE(at + 30);
      const commentLength = data.readUInt16LE(at + 32);
      let headerOffset = data.readUInt32LE(at + 42);
      const nameBytes = data.subarray(at + 46, at + 46 + nameLength);
      if (nameBytes.length !== nameLength) throw new ZipDamaged('its central directory is cut short');
      // Zip64: the sizes and offset that do not fit 32 bits follow in the extra field 0x0001, in this order.
      for (let x = at + 46 + nameLength; x + 4 <= at + 46 + nameLength + extraLength;) {
        const id = data.readUInt16LE(x);
        const len = data.readUInt16LE(x + 2);
        if (id === 0x0001) {
          let p = x + 4;
          if (size === 0xffffffff) { size = u64(data, p); p += 8; }
          if (compressedSize === 0xffffffff) { compressedSize = u64(data, p); p += 8; }
          if (headerOffset === 0xffffffff) headerOffset = u64(data, p);
        }
        x += 4 + len;
      }
      const name = decodeName(nameBytes, (flags & 0x800) !== 0);
      headerOffset += base;
      if (data.readUInt32LE(headerOffset) !== SIG_LOCAL) throw new ZipDamaged(`the entry ${name} points to no file header`);
      const dataOffset = headerOffset + 30 + data.readUInt16LE(headerOffset + 26) + data.readUInt16LE(headerOffset + 28);
      if (dataOffset + compressedSize > cdStart) throw new ZipDamaged(`the data of ${name} runs past the end of the archive`);
      declared += size;
      if (declared > limits.maxInflatedBytes) {
        throw new ZipTooLarge(`its entries declare more than ${mb(limits.maxInflatedBytes)} uncompressed; Wangge reads archives of at most ${mb(limits.maxInflatedBytes)} uncompressed`);
      }
      entries.push({ name, dir: name.endsWith('/'), method, encrypted: (flags & 1) !== 0, crc32, compressedSize, size, headerOffset, dataOffset });
      at += 46 + nameLength + extraLength + commentLength;
    }
    if (entries.length !== count) throw new ZipDamaged(`its directory says ${count} entries but lists ${entries.length}`);
    // Each entry's data is its own: two entries that share bytes are how a small zip claims to hold terabytes.
    const spans = entries.map((e) => ({ e, from: e.headerOffset, to: e.dataOffset + e.compressedSize })).sort((a, b) => a.from - b.from);
    for (let i = 1; i < spans.length; i++) {
      if (spans[i]!.from < spans[i - 1]!.to) {
        throw new ZipDamaged(`its entries ${spans[i - 1]!.e.name} and ${spans[i]!.e.name} share their data: a zip bomb, or a damaged file`);
      }
    }
    return new ZipArchive(data, entries, limits);
  }

  /** The first entry (not a folder) whose name matches. */
  find(pattern: RegExp): ZipEntry | null {
    return this.entries.find((e) => !e.dir && pattern.test(e.name)) ?? null;
  }

  /** The entry's bytes: never more than it declares (nor, with the others read, than the budget). */
  async read(entry: ZipEntry): Promise<Buffer> {
    if (entry.encrypted) throw new ZipDamaged(`${entry.name} is encrypted: zip it again without a password`);
    if (this.inflated + entry.size > this.limits.maxInflatedBytes) {
      throw new ZipTooLarge(`it inflates to more than ${mb(this.limits.maxInflatedBytes)}; Wangge reads archives of at most ${mb(this.limits.maxInflatedBytes)} uncompressed`);
    }
    this.inflated += entry.size;
    const raw = this.data.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
    let out: Buffer;
    if (entry.method === 0) {
      out = raw;
    } else if (entry.method === 8) {
      try {
        // zlib stops, and throws, as soon as the output would pass this length.
        out = await inflateRaw(raw, { maxOutputLength: Math.max(1, entry.size) });
      } catch (e) {
        if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
          throw new ZipDamaged(`${entry.name} inflates to more than the ${entry.size} bytes its header declares: a zip bomb, or a damaged file`);
        }
        throw new ZipDamaged(`${entry.name} cannot be inflated (${(e as Error).message})`);
      }
    } else {
      throw new ZipDamaged(`${entry.name} is compressed with method ${entry.method}; zip it again with the standard method (Deflate)`);
    }
    if (out.length !== entry.size) throw new ZipDamaged(`${entry.name} holds ${out.length} bytes, not the ${entry.size} its header declares`);
    if (zlib.crc32(out) !== entry.crc32) throw new ZipDamaged(`${entry.name} fails its CRC check`);
    return out;
  }

  async text(entry: ZipEntry): Promise<string> {
    return (await this.read(entry)).toString('utf8');
  }
}
