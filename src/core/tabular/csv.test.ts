import { describe, expect, it } from 'vitest';
import { formatCsv, neutraliseFormula, parseCsv } from './csv.ts';

describe('parseCsv (RFC 4180)', () => {
  it('reads a header and rows, numbering rows by file line', () => {
    const { table, problems } = parseCsv('id,P1\r\nA,1\r\nB,\r\n');
    expect(problems).toEqual([]);
    expect(table.header).toEqual(['id', 'P1']);
    expect(table.rows).toEqual([
      { row: 2, cells: ['A', '1'] },
      { row: 3, cells: ['B', ''] },
    ]);
  });

  it('handles quotes, doubled quotes, embedded commas and line breaks, a BOM and blank lines', () => {
    const text = '\uFEFFid,note\n"a,1","say ""hi"""\n\n"multi\nline",x\nlast,y';
    const { table, problems } = parseCsv(text);
    expect(problems).toEqual([]);
    expect(table.header).toEqual(['id', 'note']);
    expect(table.rows).toEqual([
      { row: 2, cells: ['a,1', 'say "hi"'] },
      { row: 4, cells: ['multi\nline', 'x'] },
      { row: 6, cells: ['last', 'y'] },
    ]);
  });

  it('names the row whose field count differs from the header, and an unclosed quote', () => {
    expect(parseCsv('id,P1\nA,1,2\nB,1\n').problems).toEqual([
      { row: 2, column: '', message: 'Has 3 fields; the header has 2' },
    ]);
    expect(parseCsv('id,P1\nA,"1\n').problems[0]).toMatchObject({
      row: 2,
      message: 'A quoted field is never closed',
    });
  });

  it('round-trips what formatCsv writes', () => {
    const rows = [
      ['1', 'plain'],
      ['2', 'comma, "quote"\nand newline'],
    ];
    const { table } = parseCsv(formatCsv(['id', 'text'], rows));
    expect(table.rows.map((r) => r.cells)).toEqual(rows);
  });
});

describe('formatCsv against spreadsheet formulas (OWASP CSV injection)', () => {
  it('neutralises cells a spreadsheet would run, and leaves numbers alone', () => {
    // The cases an outside review got through: a formula, a DDE call, tab- and CR-led cells.
    const attacks = [
      '=HYPERLINK("http://x","y")',
      '+1+cmd|/C calc!A0',
      '-2+3',
      '@SUM(A1)',
      '\t=1',
      '\r=1',
    ];
    const csv = formatCsv(
      ['value'],
      attacks.map((a) => [a]),
    );
    const { table } = parseCsv(csv);
    table.rows.forEach((r, i) => {
      expect(r.cells[0]).toBe(`'${attacks[i]}`);
    });
    for (const number of ['-3', '+4', '-0.5', '1e-7', '-12.25'])
      expect(neutraliseFormula(number)).toBe(number);
    expect(neutraliseFormula('Knee pain')).toBe('Knee pain');
  });
});
