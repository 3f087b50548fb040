import { csvText } from '../../csv.ts';
import { responsibleText, type ExportSet } from './cells.ts';

/**
 * One row per cell, geometry as WKT in a column GDAL and QGIS recognise by its name. A UTF-8 byte
 * order mark first, or Excel on Chinese Windows reads the names as GBK and garbles them.
 */
export function toCsv(set: ExportSet): Buffer {
  const text = csvText(
    set.cells.map((c) => [c.code, c.name, c.level, c.levelZh, c.levelEn, c.parentCode ?? '', c.areaM2, responsibleText(c.people), c.wkt]),
    { header: true, columns: ['code', 'name', 'level', 'levelName', 'levelNameEn', 'parentCode', 'areaM2', 'responsible', 'WKT'], record_delimiter: 'windows' },
  );
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}
