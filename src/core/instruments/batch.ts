import type { CsvProblem, CsvTable } from '../tabular/csv.ts';
import { type InstrumentDefinition, itemsOf } from './definition.ts';
import { type Answers, type Scores, scoreResponse } from './scoring.ts';

export interface ScoredRow {
  id: string;
  answers: Answers;
  scores: Scores;
}

export interface ScoreTableOptions {
  /**
   * Skip columns that are not items of this instrument instead of refusing the file, so a
   * short form (KOOS JR, KOOS-12) can be scored from a file of full KOOS responses.
   */
  ignoreOtherColumns?: boolean;
}

/**
 * Scores a table with an `id` column and one column per official item code (empty = not
 * answered). Every bad cell is reported with its row and column; with any problem no row
 * is scored, so a researcher never gets a half-scored file.
 */
export function scoreTable(
  def: InstrumentDefinition,
  table: CsvTable,
  options: ScoreTableOptions = {},
):
  | { ok: true; rows: ScoredRow[]; ignoredColumns: string[] }
  | { ok: false; problems: CsvProblem[] } {
  const problems: CsvProblem[] = [];
  const items = new Map(itemsOf(def).map((it) => [it.code, it]));
  const idColumn = table.header.indexOf('id');
  if (idColumn === -1)
    problems.push({ row: 1, column: 'id', message: 'The header needs an id column' });
  const ignoredColumns: string[] = [];
  table.header.forEach((name, index) => {
    if (index !== idColumn && !items.has(name)) {
      if (options.ignoreOtherColumns) ignoredColumns.push(name);
      else
        problems.push({
          row: 1,
          column: name,
          message: `${def.shortName} has no item ${name}; columns are id and item codes`,
        });
    }
    if (table.header.indexOf(name) !== index)
      problems.push({ row: 1, column: name, message: 'Column appears twice' });
  });
  if (problems.length > 0) return { ok: false, problems };

  const seen = new Map<string, number>();
  const scored: ScoredRow[] = [];
  for (const { row, cells } of table.rows) {
    const id = (cells[idColumn] ?? '').trim();
    if (!id) problems.push({ row, column: 'id', message: 'The id is empty' });
    const earlier = seen.get(id);
    if (id && earlier !== undefined)
      problems.push({ row, column: 'id', message: `Same id as row ${earlier}` });
    seen.set(id, row);
    const answers: Answers = {};
    table.header.forEach((name, index) => {
      if (index === idColumn) return;
      const item = items.get(name);
      if (!item) return;
      const raw = (cells[index] ?? '').trim();
      if (raw === '') {
        answers[name] = null;
        return;
      }
      // Plain decimal numbers only: Number() would also read '0x1' or '1e0' as 1.
      const value = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
      const options = def.responseSets[item.responseSet] ?? [];
      if (!options.some((o) => o.value === value)) {
        problems.push({
          row,
          column: name,
          message: `${JSON.stringify(raw)} is not one of ${options.map((o) => o.value).join(', ')}`,
        });
        return;
      }
      answers[name] = value;
    });
    scored.push({ id, answers, scores: scoreResponse(def, answers) });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rows: scored, ignoredColumns };
}
