import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import JSZip from 'jszip';
import sharp from 'sharp';
import { megabytes, PEOPLE_CSV_MAX_BYTES, readTextFile, SNIFF_BYTES, type TextFile } from './textFile.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const bytes = (...parts: (string | number[] | Uint8Array)[]) => {
  const chunks = parts.map((p) => (typeof p === 'string' ? utf8(p) : Uint8Array.from(p)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
};
const text = (r: TextFile) => (r.ok ? r.text : `refused: ${JSON.stringify(r.refusal)}`);
const refusal = (r: TextFile) => (r.ok ? null : r.refusal);

const CSV = 'cell_code,person,role,phone\n610302001001001,张三,监督员,13800138000\n';
// The same CSV as Excel saves it on Chinese Windows: GBK ("张三,监督员" is D5C5 C8FD 2C BCE0 B6BD D4B1).
const CSV_GBK = bytes('cell_code,person,role,phone\n610302001001001,', [0xd5, 0xc5, 0xc8, 0xfd, 0x2c, 0xbc, 0xe0, 0xb6, 0xbd, 0xd4, 0xb1], ',13800138000\n');

describe('reading a file chosen for the people CSV import', () => {
  it('reads UTF-8 CSV as it is, and drops a BOM', () => {
    expect(readTextFile(utf8(CSV))).toEqual({ ok: true, text: CSV, encoding: 'utf-8' });
    expect(readTextFile(bytes([0xef, 0xbb, 0xbf], CSV))).toEqual({ ok: true, text: CSV, encoding: 'utf-8' });
    expect(readTextFile(utf8('a,b\tc\r\nd,e\n'))).toMatchObject({ ok: true, text: 'a,b\tc\r\nd,e\n' });
    expect(readTextFile(new Uint8Array(0))).toEqual({ ok: true, text: '', encoding: 'utf-8' });
  });

  it('reads GBK (GB18030) CSV that is not UTF-8, and UTF-16 with its BOM', () => {
    expect(readTextFile(CSV_GBK)).toEqual({ ok: true, text: CSV, encoding: 'gb18030' });
    const le = new Uint8Array([0xff, 0xfe, ...Array.from(CSV).flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])]);
    expect(readTextFile(le)).toEqual({ ok: true, text: CSV, encoding: 'utf-16le' });
    const be = new Uint8Array([0xfe, 0xff, ...Array.from(CSV).flatMap((c) => [c.charCodeAt(0) >> 8, c.charCodeAt(0) & 0xff])]);
    expect(readTextFile(be)).toEqual({ ok: true, text: CSV, encoding: 'utf-16be' });
  });

  it('refuses a zip, naming it, and an .xlsx or .ods as a spreadsheet to save as CSV', async () => {
    const zip = new JSZip().file('people.csv', CSV);
    expect(refusal(readTextFile(await zip.generateAsync({ type: 'uint8array' })))).toEqual({ reason: 'binary', format: 'zip' });
    expect(refusal(readTextFile(await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' })))).toEqual({ reason: 'binary', format: 'zip' });

    const { default: writeXlsxFile } = await import('write-excel-file/node');
    const xlsx = await writeXlsxFile([[{ value: 'cell_code' }, { value: 'person' }], [{ value: '610302001001001' }, { value: '张三' }]]).toBuffer();
    expect(Array.from(xlsx.subarray(0, 4))).toEqual([0x50, 0x4b, 0x03, 0x04]);
    expect(refusal(readTextFile(new Uint8Array(xlsx)))).toEqual({ reason: 'spreadsheet', format: 'xlsx' });

    const ods = new JSZip().file('mimetype', 'application/vnd.oasis.opendocument.spreadsheet', { compression: 'STORE' }).file('content.xml', '<office:document-content/>');
    expect(refusal(readTextFile(await ods.generateAsync({ type: 'uint8array' })))).toEqual({ reason: 'spreadsheet', format: 'ods' });
    // Excel 97–2003 (OLE2 compound file).
    expect(refusal(readTextFile(bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 'x'.repeat(100))))).toEqual({ reason: 'spreadsheet', format: 'xls' });
  });

  it('refuses images, PDF and other archives by their signature', async () => {
    const image = sharp({ create: { width: 8, height: 8, channels: 3, background: '#c44' } });
    expect(refusal(readTextFile(new Uint8Array(await image.clone().png().toBuffer())))).toEqual({ reason: 'binary', format: 'png' });
    expect(refusal(readTextFile(new Uint8Array(await image.clone().jpeg().toBuffer())))).toEqual({ reason: 'binary', format: 'jpeg' });
    expect(refusal(readTextFile(new Uint8Array(await image.clone().webp().toBuffer())))).toEqual({ reason: 'binary', format: 'webp' });
    expect(refusal(readTextFile(utf8('GIF89a\x01\x00')))).toEqual({ reason: 'binary', format: 'gif' });
    // A PDF's header is ASCII and its binary comment line happens to be valid GB18030: only the signature tells.
    const pdf = bytes('%PDF-1.7\n%', [0xe2, 0xe3, 0xcf, 0xd3], '\n1 0 obj\n<< /Type /Catalog >>\nendobj\n');
    expect(refusal(readTextFile(pdf))).toEqual({ reason: 'binary', format: 'pdf' });
    expect(refusal(readTextFile(bytes([0x1f, 0x8b, 0x08], 'rest')))).toEqual({ reason: 'binary', format: 'gzip' });
    expect(refusal(readTextFile(bytes([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 'rest')))).toEqual({ reason: 'binary', format: '7z' });
    expect(refusal(readTextFile(bytes('Rar!', [0x1a, 0x07, 0x01], 'rest')))).toEqual({ reason: 'binary', format: 'rar' });
  });

  it('refuses content that is not text: a NUL anywhere, stray control characters, bytes of no text encoding', () => {
    const notText = { reason: 'binary', format: null };
    expect(refusal(readTextFile(bytes(CSV, [0x00], CSV)))).toEqual(notText);
    expect(refusal(readTextFile(bytes('x'.repeat(SNIFF_BYTES * 2), [0x00])))).toEqual(notText);
    expect(refusal(readTextFile(bytes('cell_code', [0x01, 0x02], 'person')))).toEqual(notText);
    // 0xFF starts no character in UTF-8 nor in GB18030.
    expect(refusal(readTextFile(bytes([0xff, 0xfd, 0xff, 0x41, 0x80, 0xff])))).toEqual(notText);
    // UTF-16 whose text holds NUL is no CSV either.
    expect(refusal(readTextFile(bytes([0xff, 0xfe, 0x00, 0x00, 0x41, 0x00])))).toEqual(notText);
    // Pseudo-random bytes without NUL.
    let seed = 7;
    const noise = Uint8Array.from({ length: 4096 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) % 255 + 1);
    expect(refusal(readTextFile(noise))).toEqual(notText);
  });

  it('judges the encoding by the start: a stray bad byte far into a text file is replaced, not refused', () => {
    const long = bytes('a,b\n'.repeat(SNIFF_BYTES / 4 + 10), [0xff], 'c,d\n');
    const r = readTextFile(long);
    expect(r).toMatchObject({ ok: true, encoding: 'utf-8' });
    expect(text(r).endsWith('\uFFFDc,d\n')).toBe(true);
  });

  it("refuses a file over the limit, which is the server's body limit (5 MB)", () => {
    const serverLimit = /bodyLimit: ([\d\s*]+),/.exec(readFileSync(new URL('../../server/app.ts', import.meta.url), 'utf8'))![1]!;
    expect(PEOPLE_CSV_MAX_BYTES).toBe(serverLimit.split('*').reduce((n, f) => n * Number(f.trim()), 1));
    expect(refusal(readTextFile(utf8(CSV), 10))).toEqual({ reason: 'too-large', size: utf8(CSV).length, limitBytes: 10 });
    expect(readTextFile(utf8(CSV), utf8(CSV).length)).toMatchObject({ ok: true });
    expect(megabytes(PEOPLE_CSV_MAX_BYTES)).toBe('5 MB');
    expect(megabytes(PEOPLE_CSV_MAX_BYTES + 1)).toBe('5.1 MB');
    expect(megabytes(12.34 * 1024 * 1024)).toBe('12.4 MB');
  });
});
