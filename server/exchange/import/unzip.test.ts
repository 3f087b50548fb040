import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { deflated, deflatedSpaces, lyingHeaderZip, manyEntriesZip, nestedZip, overlappingZip, rawZip, stored } from '../../../tests/reliability/zip-bombs.ts';
import { ZipArchive, ZipDamaged, ZipTooLarge } from './unzip.ts';

const small = { maxEntries: 10, maxInflatedBytes: 1024 * 1024 };

describe('ZipArchive', () => {
  it('reads what JSZip writes, deflated and stored, with UTF-8 names and folders', async () => {
    const zip = new JSZip();
    zip.file('网格/街道.geojson', '{"type":"FeatureCollection","features":[]}');
    zip.file('网格/readme.txt', 'x'.repeat(5000), { compression: 'STORE' });
    const data = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    const archive = ZipArchive.open(data);
    expect(archive.entries.filter((e) => !e.dir).map((e) => e.name).sort()).toEqual(['网格/readme.txt', '网格/街道.geojson']);
    expect(await archive.text(archive.find(/\.geojson$/)!)).toBe('{"type":"FeatureCollection","features":[]}');
    expect(await archive.text(archive.find(/\.txt$/)!)).toBe('x'.repeat(5000));
  });

  it('reads an archive behind a stub (a self-extractor)', async () => {
    const data = Buffer.concat([Buffer.from('MZ stub '.repeat(100)), rawZip([deflated('a.kml', '<kml/>')])]);
    // The offsets in the archive count from its own start; the reader finds the shift.
    const archive = ZipArchive.open(data);
    expect(await archive.text(archive.find(/a\.kml$/)!)).toBe('<kml/>');
  });

  it('refuses an entry that inflates to more than its header declares', async () => {
    const archive = ZipArchive.open(lyingHeaderZip('bomb.geojson', 1024), small);
    expect(archive.entries[0]!.size).toBe(1024);
    await expect(archive.read(archive.entries[0]!)).rejects.toThrow(ZipDamaged);
    await expect(archive.read(archive.entries[0]!)).rejects.toThrow(/more than the 1024 bytes its header declares/);
  });

  it('refuses before inflating when the declared sizes pass the budget', () => {
    const bomb = deflatedSpaces(2);
    const data = rawZip([{ name: 'bomb.geojson', data: bomb.data, method: 8, crc32: bomb.crc32, size: bomb.size }]);
    expect(() => ZipArchive.open(data, small)).toThrow(ZipTooLarge);
    expect(() => ZipArchive.open(data, small)).toThrow(/at most 1 MB uncompressed/);
    // A zip64 size beyond 4 GiB too.
    const huge = rawZip([{ name: 'bomb.geojson', data: bomb.data, method: 8, crc32: bomb.crc32, size: 5 * 1024 ** 3 }]);
    expect(() => ZipArchive.open(huge)).toThrow(/at most 100 MB uncompressed/);
  });

  it('refuses an archive of too many entries, whatever its end record says', () => {
    expect(() => ZipArchive.open(manyEntriesZip(11), small)).toThrow(/at most 10 entries/);
    const lying = manyEntriesZip(11);
    // The end record claims 3 entries; the directory lists 11.
    lying.writeUInt16LE(3, lying.length - 22 + 8);
    lying.writeUInt16LE(3, lying.length - 22 + 10);
    expect(() => ZipArchive.open(lying, small)).toThrow(ZipTooLarge);
    expect(ZipArchive.open(manyEntriesZip(10), small).entries).toHaveLength(10);
  });

  it('refuses entries that share their data', () => {
    expect(() => ZipArchive.open(overlappingZip(5, 1))).toThrow(/share their data/);
    expect(() => ZipArchive.open(overlappingZip(500, 1))).toThrow(ZipTooLarge);
  });

  it('does not open archives inside the archive', async () => {
    const archive = ZipArchive.open(nestedZip(3, 16));
    expect(archive.entries.map((e) => e.name)).toEqual(['part0.zip', 'part1.zip', 'part2.zip']);
  });

  it('refuses damaged archives: truncated, a wrong CRC, an unknown method, encrypted', async () => {
    const good = rawZip([deflated('a.geojson', '{"type":"FeatureCollection","features":[]}')]);
    expect(() => ZipArchive.open(good.subarray(0, good.length - 30))).toThrow(ZipDamaged);
    expect(() => ZipArchive.open(Buffer.from('PK\x03\x04 not really a zip at all........'))).toThrow(ZipDamaged);
    const badCrc = rawZip([{ ...deflated('a.geojson', '{}'), crc32: 1234 }]);
    await expect(ZipArchive.open(badCrc).read(ZipArchive.open(badCrc).entries[0]!)).rejects.toThrow(/CRC/);
    const bzip2 = rawZip([{ ...stored('a.geojson', '{}'), method: 12 as 0 }]);
    await expect(ZipArchive.open(bzip2).read(ZipArchive.open(bzip2).entries[0]!)).rejects.toThrow(/method 12/);
    const encrypted = rawZip([stored('a.geojson', '{}')]);
    const cd = encrypted.length - 22 - 46 - 'a.geojson'.length;
    encrypted.writeUInt16LE(0x801, cd + 8);
    await expect(ZipArchive.open(encrypted).read(ZipArchive.open(encrypted).entries[0]!)).rejects.toThrow(/encrypted/);
  });
});
