/** A cell-level problem in a CSV file; `row` counts lines of the file from 1 (the header). */
export interface CsvProblem {
  row: number;
  column: string;
  message: string;
}

export interface CsvTable {
  header: string[];
  /** Data rows with the file row number each began on. */
  rows: { row: number; cells: string[] }[];
}

/**
 * Reads RFC 4180 CSV: comma-separated, fields optionally in double quotes with "" for a
 * quote, CRLF or LF line ends, a leading byte-order mark ignored, blank lines skipped.
 */
export function parseCsv(text: string): { table: CsvTable; problems: CsvProblem[] } {
  const records: { row: number; cells: string[] }[] = [];
  const problems: CsvProblem[] = [];
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let line = 1;
  let i = 0;
  while (i < src.length) {
    const startLine = line;
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let endOfRecord = false;
    while (i < src.length && !endOfRecord) {
      const ch = src[i] as string;
      if (quoted) {
        if (ch === '"' && src[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (ch === '"') {
          quoted = false;
          i++;
        } else {
          if (ch === '\n') line++;
          cell += ch;
          i++;
        }
      } else if (ch === '"' && cell === '') {
        quoted = true;
        i++;
      } else if (ch === ',') {
        cells.push(cell);
        cell = '';
        i++;
      } else if (ch === '\n' || ch === '\r') {
        i += ch === '\r' && src[i + 1] === '\n' ? 2 : 1;
        line++;
        endOfRecord = true;
      } else {
        cell += ch;
        i++;
      }
    }
    if (quoted) {
      problems.push({ row: startLine, column: '', message: 'A quoted field is never closed' });
      break;
    }
    cells.push(cell);
    if (cells.length === 1 && cells[0] === '') continue; // blank line
    records.push({ row: startLine, cells });
  }
  const [first, ...rest] = records;
  const header = (first?.cells ?? []).map((h) => h.trim());
  for (const r of rest) {
    if (r.cells.length !== header.length) {
      problems.push({
        row: r.row,
        column: '',
        message: `Has ${r.cells.length} fields; the header has ${header.length}`,
      });
    }
  }
  return { table: { header, rows: rest }, problems };
}

/** A plain decimal number, which a spreadsheet reads as a number, never as a formula. */
const PLAIN_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * A cell a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
 * return) gets a leading apostrophe, as OWASP's CSV-injection guidance advises; numbers stay.
 */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
}

function quote(raw: string): string {
  const cell = neutraliseFormula(raw);
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function formatCsv(header: string[], rows: string[][]): string {
  return `${[header, ...rows].map((r) => r.map(quote).join(',')).join('\n')}\n`;
}
