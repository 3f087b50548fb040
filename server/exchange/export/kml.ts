import type { Position } from 'geojson';
import { responsibleText, type ExportCell, type ExportSet } from './cells.ts';

/** Text as XML character data: markup escaped, and characters XML 1.0 forbids dropped. */
export function xmlText(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const coords = (ring: Position[]) => ring.map((p) => `${p[0]},${p[1]}`).join(' ');

function polygon(rings: Position[][]): string {
  const [outer, ...holes] = rings;
  if (!outer) return '';
  return `<Polygon><outerBoundaryIs><LinearRing><coordinates>${coords(outer)}</coordinates></LinearRing></outerBoundaryIs>`
    + holes.map((h) => `<innerBoundaryIs><LinearRing><coordinates>${coords(h)}</coordinates></LinearRing></innerBoundaryIs>`).join('')
    + '</Polygon>';
}

function placemark(c: ExportCell): string {
  const data: [string, string | number | null][] = [
    ['code', c.code], ['level', c.level], ['levelName', c.levelZh], ['parentCode', c.parentCode],
    ['areaM2', c.areaM2], ['responsible', responsibleText(c.people)],
  ];
  return `<Placemark id="cell-${xmlText(c.code)}"><name>${xmlText(c.name)}</name><styleUrl>#level${c.level}</styleUrl>`
    + `<ExtendedData>${data.map(([k, v]) => `<Data name="${k}"><value>${xmlText(String(v ?? ''))}</value></Data>`).join('')}</ExtendedData>`
    + `<MultiGeometry>${c.geometry.coordinates.map(polygon).join('')}</MultiGeometry></Placemark>`;
}

// Outline colours per level (KML colours are aabbggrr): thicker and darker for larger cells.
const LEVEL_STYLE = ['ff1400dc', 'ff0078f0', 'ff00b4f0', 'ff50b414', 'ffb48200'];

/**
 * KML 2.2 for Google Earth and the map apps field staff use: one folder per level, the cell name as
 * the placemark name, its code, level, parent code, area and responsible people as data.
 */
export function toKml(set: ExportSet, title: string): Buffer {
  const levels = [...new Set(set.cells.map((c) => c.level))];
  const styles = levels.map((l) => `<Style id="level${l}"><LineStyle><color>${LEVEL_STYLE[(l - 1) % LEVEL_STYLE.length]}</color>`
    + `<width>${Math.max(1, 5 - l)}</width></LineStyle><PolyStyle><fill>0</fill></PolyStyle></Style>`).join('');
  const folders = levels.map((l) => {
    const cells = set.cells.filter((c) => c.level === l);
    return `<Folder><name>${xmlText(cells[0]!.levelZh)}</name>${cells.map(placemark).join('\n')}</Folder>`;
  }).join('\n');
  return Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
    + `<name>${xmlText(title)}</name>${styles}\n${folders}\n</Document></kml>\n`, 'utf8');
}
