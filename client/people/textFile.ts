/**
 * Whether a file chosen for a CSV import is text, and its text (pure functions, tested). The file is
 * judged by its content, not its name: a known binary signature (zip and the spreadsheets that are
 * zips, images, PDF…), a NUL byte or a control character, or bytes that are neither UTF-8 nor
 * GB18030 at its start mean it is not text, and nothing of it should reach the text box.
 */

/**
 * The server's request body limit (server/app.ts, bodyLimit), which the people import's CSV must fit
 * in: a larger file is refused before it is read.
 */
export const PEOPLE_CSV_MAX_BYTES = 5 * 1024 * 1024;

/** How much of the start of a file decides whether it is text; a stray bad byte further on does not. */
export const SNIFF_BYTES = 64 * 1024;

export type TextEncodingName = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';
/** Spreadsheets: they hold the rows, but must be saved as CSV first. */
export type SpreadsheetFormat = 'xlsx' | 'xls' | 'ods';
export type BinaryFormat = 'zip' | 'gzip' | '7z' | 'rar' | 'png' | 'jpeg' | 'gif' | 'webp' | 'pdf';

export type FileRefusal =
  | { reason: 'too-large'; size: number; limitBytes: number }
  | { reason: 'spreadsheet'; format: SpreadsheetFormat }
  /** format null: no known signature, but a NUL, a control character or bytes of no text encoding. */
  | { reason: 'binary'; format: BinaryFormat | null };

export type TextFile = { ok: true; text: string; encoding: TextEncodingName } | { ok: false; refusal: FileRefusal };

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const startsWith = (bytes: Uint8Array, sig: number[], at = 0) => bytes.length >= at + sig.length && sig.every((b, i) => bytes[at + i] === b);

function indexOf(bytes: Uint8Array, needle: number[], from = 0): number {
  const first = needle[0]!;
  for (let i = bytes.indexOf(first, from); i !== -1 && i + needle.length <= bytes.length; i = bytes.indexOf(first, i + 1)) {
    if (startsWith(bytes, needle, i)) return i;
  }
  return -1;
}

const ZIP = [[0x50, 0x4b, 0x03, 0x04], [0x50, 0x4b, 0x05, 0x06], [0x50, 0x4b, 0x07, 0x08]];
const SIGNATURES: [BinaryFormat | 'xls', number[], number?][] = [
  ['xls', [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]], // OLE2: Excel 97–2003, WPS .et (and Word .doc)
  ['png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['jpeg', [0xff, 0xd8, 0xff]],
  ['gif', ascii('GIF87a')],
  ['gif', ascii('GIF89a')],
  ['webp', ascii('WEBP'), 8], // after RIFF and the length
  ['pdf', ascii('%PDF-')],
  ['gzip', [0x1f, 0x8b]],
  ['7z', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ['rar', ascii('Rar!\x1a\x07')],
];

/** What a known signature at the start says the file is; null when none matches. */
export function binarySignature(bytes: Uint8Array): FileRefusal | null {
  if (ZIP.some((sig) => startsWith(bytes, sig))) {
    // An .ods names its type in its first entry, "mimetype"; an .xlsx has entries under xl/ (the
    // central directory at the end names every entry, so this finds them whatever their order).
    if (startsWith(bytes, ascii('mimetype'), 30) && indexOf(bytes.subarray(38, 38 + 64), ascii('opendocument.spreadsheet')) !== -1) {
      return { reason: 'spreadsheet', format: 'ods' };
    }
    if (indexOf(bytes, ascii('xl/workbook.')) !== -1 || indexOf(bytes, ascii('xl/worksheets/')) !== -1) return { reason: 'spreadsheet', format: 'xlsx' };
    return { reason: 'binary', format: 'zip' };
  }
  for (const [format, sig, at] of SIGNATURES) {
    if (format === 'webp' && !startsWith(bytes, ascii('RIFF'))) continue;
    if (!startsWith(bytes, sig, at)) continue;
    return format === 'xls' ? { reason: 'spreadsheet', format } : { reason: 'binary', format };
  }
  return null;
}

/** C0 controls no text file holds; tab, line ends, form feed, VT, SUB (a DOS end of file) and ESC may. */
const isStrayControl = (b: number) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1a && b !== 0x1b;

/** The text of bytes in an encoding; null when they are not (`fatal`), or, for `head`, when their start is not. */
function decode(bytes: Uint8Array, encoding: TextEncodingName, how: 'fatal' | 'head'): string | null {
  try {
    if (how === 'fatal') return new TextDecoder(encoding, { fatal: true }).decode(bytes);
    // stream: a character cut at the end of the head is not an error.
    new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(0, SNIFF_BYTES), { stream: true });
    return new TextDecoder(encoding).decode(bytes);
  } catch {
    return null;
  }
}

const notText: TextFile = { ok: false, refusal: { reason: 'binary', format: null } };

/**
 * The text of a file chosen for a CSV import, or why it is refused. UTF-8 (with or without a BOM),
 * else GB18030 (which reads GBK: Excel's "CSV" on Chinese Windows); UTF-16 only with its BOM.
 */
export function readTextFile(bytes: Uint8Array, limitBytes = PEOPLE_CSV_MAX_BYTES): TextFile {
  if (bytes.length > limitBytes) return { ok: false, refusal: { reason: 'too-large', size: bytes.length, limitBytes } };
  const signature = binarySignature(bytes);
  if (signature) return { ok: false, refusal: signature };

  const utf16: TextEncodingName | null = startsWith(bytes, [0xff, 0xfe]) ? 'utf-16le' : startsWith(bytes, [0xfe, 0xff]) ? 'utf-16be' : null;
  if (utf16) {
    const text = decode(bytes, utf16, 'head');
    return text === null || text.includes('\0') ? notText : { ok: true, text, encoding: utf16 };
  }

  if (bytes.indexOf(0) !== -1 || bytes.subarray(0, SNIFF_BYTES).some(isStrayControl)) return notText;
  const bom = startsWith(bytes, [0xef, 0xbb, 0xbf]);
  const encodings: TextEncodingName[] = bom ? ['utf-8'] : ['utf-8', 'gb18030'];
  for (const how of ['fatal', 'head'] as const) {
    for (const encoding of encodings) {
      const text = decode(bytes, encoding, how);
      if (text !== null) return { ok: true, text, encoding };
    }
  }
  return notText;
}

/** A size in the unit the limit is named in: "5 MB", "12.4 MB" (MB of 1024 × 1024 bytes, as the server counts). */
export function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  // Rounded up: a file just over a 5 MB limit says 5.1 MB, not 5 MB.
  return `${Number.isInteger(mb) ? mb : Math.ceil(mb * 10) / 10} MB`;
}
