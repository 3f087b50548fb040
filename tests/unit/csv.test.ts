import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { csvText, neutralizeCell } from '../../server/csv.ts';

describe('CSV cells a spreadsheet would run (OWASP CSV injection)', () => {
  it.each(['=1+1', '+86 138', '-2+3', '@SUM(A1)', '\tcmd', '\rx', '=HYPERLINK("http://x","点我")'])('prefixes %j with an apostrophe', (cell) => {
    expect(neutralizeCell(cell)).toBe(`'${cell}`);
  });

  it('leaves other text and numbers as they are, and keeps other casts', () => {
    expect(neutralizeCell('楼道堆物')).toBe('楼道堆物');
    expect(neutralizeCell('a=b')).toBe('a=b');
    const text = csvText([['=cmd|calc', -107.5, true, '正常']], { cast: { boolean: (b) => (b ? 'yes' : 'no') } });
    expect(parse(text)).toEqual([["'=cmd|calc", '-107.5', 'yes', '正常']]);
  });
});
