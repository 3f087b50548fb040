import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import proj4 from 'proj4';
import { crsFromEpsg, crsFromPrj, epsgOfName, toLonLat } from './crs.ts';
import { dbfEncoding, encodingOfCpg } from './read.ts';

/** GDAL (PROJ with the EPSG database) as the reference for every coordinate system offered. */
function gdalForward(epsg: number, lon: number, lat: number): [number, number] {
  const out = execFileSync('gdaltransform', ['-s_srs', 'EPSG:4326', '-t_srs', `EPSG:${epsg}`, '-output_xy'], { input: `${lon} ${lat}\n` }).toString();
  const [x, y] = out.trim().split(/\s+/).map(Number);
  return [x!, y!];
}

describe('coordinate systems', () => {
  // A point in 渭滨区 and one in each zone's own longitude band.
  const cases: [number, number, number][] = [
    [4524, 107.15, 34.35], [4513, 75.5, 39], [4533, 134.8, 47], [4545, 107.15, 34.35], [4491, 75.2, 39],
    [4501, 134.5, 46], [4506, 99.1, 25], [32648, 107.15, 34.35], [32650, 116.4, 39.9], [3857, 107.15, 34.35],
  ];
  for (const [epsg, lon, lat] of cases) {
    it(`EPSG:${epsg} converts back to lon/lat as GDAL's PROJ does (within 1 mm)`, () => {
      const [x, y] = gdalForward(epsg, lon, lat);
      const crs = crsFromEpsg(epsg)!;
      const g = toLonLat({ type: 'Point', coordinates: [x, y] }, crs);
      const [rlon, rlat] = (g as { coordinates: number[] }).coordinates;
      expect(Math.abs(rlon! - lon)).toBeLessThan(1e-8);
      expect(Math.abs(rlat! - lat)).toBeLessThan(1e-8);
    });
  }

  it('takes 4326 and 4490 as they are, knows names and .prj files, refuses unknown codes', () => {
    expect(crsFromEpsg(4490)!.geographic).toBe(true);
    expect(crsFromEpsg(2000)).toBeNull();
    expect(epsgOfName('urn:ogc:def:crs:EPSG::4524')).toBe(4524);
    expect(epsgOfName('http://www.opengis.net/def/crs/EPSG/0/3857')).toBe(3857);
    expect(epsgOfName('urn:ogc:def:crs:OGC:1.3:CRS84')).toBe(4326);
    expect(crsFromPrj('GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]').geographic).toBe(true);
    const gk = crsFromPrj('PROJCS["CGCS2000_3_Degree_GK_Zone_36",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",36500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",108.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]');
    expect(gk.geographic).toBe(false);
    const [lon, lat] = proj4(gk.definition!, 'EPSG:4326', gdalForward(4524, 107.15, 34.35));
    expect(lon).toBeCloseTo(107.15, 8);
    expect(lat).toBeCloseTo(34.35, 8);
    expect(() => crsFromPrj('PROJCS["nonsense",FOO[]]')).toThrow(/not a coordinate system/);
  });
});

describe('shapefile text encodings', () => {
  it('reads what .cpg files say', () => {
    expect(['UTF-8', 'utf8', '65001'].map(encodingOfCpg)).toEqual(['utf-8', 'utf-8', 'utf-8']);
    expect(['GBK', '936', 'ANSI 936', 'CP936', 'GB2312'].map(encodingOfCpg)).toEqual(['gbk', 'gbk', 'gbk', 'gbk', 'gbk']);
    expect(encodingOfCpg('GB18030')).toBe('gb18030');
    expect(encodingOfCpg('1252')).toBe('windows-1252');
  });

  it('falls back to the language driver id, then to UTF-8 or GBK by the bytes', () => {
    const header = (ldid: number) => Object.assign(new Uint8Array(64), { 29: ldid });
    expect(dbfEncoding(header(0x4d), null).encoding).toBe('gbk');
    const gbk = new Uint8Array([...header(0), 0xce, 0xbc, 0xb1, 0xf5, 0xc7, 0xf8]);
    expect(dbfEncoding(gbk, null).encoding).toBe('gbk');
    const utf8 = new Uint8Array([...header(0), ...new TextEncoder().encode('渭滨区')]);
    expect(dbfEncoding(utf8, null).encoding).toBe('utf-8');
    expect(dbfEncoding(gbk, 'UTF-8').encoding).toBe('utf-8');
    // How it was chosen, for the notice a file without .cpg gets.
    expect([header(0x4d), gbk, utf8].map((d) => dbfEncoding(d, null).source)).toEqual(['ldid', 'gbk', 'utf8']);
    expect(dbfEncoding(gbk, 'UTF-8').source).toBe('cpg');
  });
});
