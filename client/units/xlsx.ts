import JSZip from 'jszip';
import { stringify } from 'csv-stringify/browser/esm/sync';

/** Column letters of a cell reference (B12 → 1). */
function columnOf(ref: string): number {
  let n = 0;
  for (const ch of ref.replace(/\d+$/, '')) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/**
 * The first worksheet of an Excel workbook (.xlsx) as CSV text, so a spreadsheet goes through the
 * same import (and the same server-side checks) as a CSV file. Values are read as shown in the
 * sheet's cells: shared strings, inline strings and numbers; formulas by their cached value.
 */
export async function xlsxToCsv(data: ArrayBuffer): Promise<string> {
  const zip = await JSZip.loadAsync(data);
  const read = async (path: string) => {
    const file = zip.file(path);
    return file ? new DOMParser().parseFromString(await file.async('string'), 'application/xml') : null;
  };
  const shared = [...((await read('xl/sharedStrings.xml'))?.getElementsByTagName('si') ?? [])]
    .map((si) => [...si.getElementsByTagName('t')].map((t) => t.textContent ?? '').join(''));
  const sheetPath = Object.keys(zip.files).filter((p) => /^xl\/worksheets\/sheet\d+\.xml$/.test(p)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))[0];
  const sheet = sheetPath ? await read(sheetPath) : null;
  if (!sheet) throw new Error('no worksheet');
  const rows: string[][] = [];
  for (const row of sheet.getElementsByTagName('row')) {
    const values: string[] = [];
    for (const c of row.getElementsByTagName('c')) {
      const type = c.getAttribute('t');
      const v = c.getElementsByTagName('v')[0]?.textContent ?? '';
      const text = type === 's' ? shared[Number(v)] ?? ''
        : type === 'inlineStr' ? [...c.getElementsByTagName('t')].map((t) => t.textContent ?? '').join('') : v;
      values[columnOf(c.getAttribute('r') ?? 'A1')] = text;
    }
    if (values.some((v) => v && v.trim())) rows.push(Array.from(values, (v) => v ?? ''));
  }
  return stringify(rows);
}
