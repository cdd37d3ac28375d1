import { describe, expect, it } from 'vitest';
import { csvCell, exportHeaders, toCsv, toJsonLines } from './export.js';

describe('audit exports', () => {
  it('CSV cells: quoting per RFC 4180, formulas neutralised', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"\nbye')).toBe('"say ""hi""\nbye"');
    for (const evil of ['=HYPERLINK("http://x")', '+1', '-2+3', '@SUM(A1)', '\tx']) expect(csvCell(evil).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
    expect(csvCell(-5)).toBe('-5'); // numbers are data, not text a spreadsheet evaluates
    expect(csvCell(null)).toBe('');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });

  it('documents: a header row, CRLF rows; JSON lines one object per line', () => {
    const rows = [{ a: 'x', b: 1 }, { a: '=cmd', b: null }];
    expect(toCsv(rows, ['a', 'b'])).toBe("a,b\r\nx,1\r\n'=cmd,\r\n");
    expect(toJsonLines(rows)).toBe('{"a":"x","b":1}\n{"a":"=cmd","b":null}\n');
    expect(toJsonLines([])).toBe('');
  });

  it('downloads are attachments with a dated name', () => {
    expect(exportHeaders('csv', 'logs', new Date('2026-01-31T12:00:00.123Z'))).toMatchObject({
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="logs-20260131T120000Z.csv"',
    });
  });
});
