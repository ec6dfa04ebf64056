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

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

/** The index of the first comma or line end at or after `from` (or the end of the text). */
function fieldEnd(src: string, from: number): number {
  let k = from;
  for (; k < src.length; k++) {
    const c = src.charCodeAt(k);
    if (c === COMMA || c === CR || c === LF) break;
  }
  return k;
}

function countLineFeeds(src: string, from: number, to: number): number {
  let count = 0;
  for (let k = src.indexOf('\n', from); k >= 0 && k < to; k = src.indexOf('\n', k + 1)) count++;
  return count;
}

/**
 * Reads RFC 4180 CSV: comma-separated, fields optionally in double quotes with "" for a
 * quote, CRLF or LF line ends, a leading byte-order mark ignored, blank lines skipped.
 */
export function parseCsv(text: string): { table: CsvTable; problems: CsvProblem[] } {
  const records: { row: number; cells: string[] }[] = [];
  const problems: CsvProblem[] = [];
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const n = src.length;
  // Cells are sliced out of the text, never built a character at a time: a string grown by
  // `+=` per character keeps a node per character, and a 16 MB file then needs 800 MB.
  let line = 1;
  let i = 0;
  file: while (i < n) {
    const startLine = line;
    const cells: string[] = [];
    for (;;) {
      let cell = '';
      if (src.charCodeAt(i) === QUOTE) {
        let segment = i + 1;
        let j = segment;
        for (;;) {
          const q = src.indexOf('"', j);
          if (q < 0) {
            problems.push({
              row: startLine,
              column: '',
              message: 'A quoted field is never closed',
            });
            break file;
          }
          if (src.charCodeAt(q + 1) === QUOTE) {
            cell += src.slice(segment, q + 1);
            j = q + 2;
            segment = j;
            continue;
          }
          cell += src.slice(segment, q);
          line += countLineFeeds(src, i, q);
          i = q + 1;
          break;
        }
      }
      // Unquoted text, or what follows a closing quote, runs to a comma or a line end.
      const end = fieldEnd(src, i);
      if (end > i) cell += src.slice(i, end);
      i = end;
      cells.push(cell);
      const ch = src.charCodeAt(i);
      if (ch === COMMA) {
        i++;
        continue;
      }
      if (ch === CR || ch === LF) {
        i += ch === CR && src.charCodeAt(i + 1) === LF ? 2 : 1;
        line++;
      }
      break;
    }
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
