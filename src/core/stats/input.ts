import type { CsvProblem, CsvTable } from '../tabular/csv.ts';
import { type EffectMeasure, effectFromArms, StudyDataError } from './effects.ts';
import type { StudyEffect } from './meta.ts';

export const INPUT_MEASURES = ['MD', 'SMD', 'GEN'] as const;
export type InputMeasure = (typeof INPUT_MEASURES)[number];

const GIVEN_COLUMNS = ['study', 'yi', 'vi'] as const;
const ARM_COLUMNS = ['study', 'n1', 'mean1', 'sd1', 'n2', 'mean2', 'sd2'] as const;
/** Optional column naming each study's subgroup (e.g. cell source). */
export const SUBGROUP_COLUMN = 'subgroup';

export interface StudyRow extends StudyEffect {
  subgroup?: string;
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Reads study effects from a table with `study,yi,vi` (given effects, measure GEN) or
 * `study,n1,mean1,sd1,n2,mean2,sd2` (two arms, arm 1 minus arm 2; MD or SMD), plus an
 * optional `subgroup` column. Every bad cell is reported by row and column.
 */
export function studiesFromTable(
  table: CsvTable,
  measure?: InputMeasure,
):
  | { ok: true; measure: InputMeasure; studies: StudyRow[] }
  | { ok: false; problems: CsvProblem[] } {
  const has = (columns: readonly string[]) => columns.every((c) => table.header.includes(c));
  const shape = has(GIVEN_COLUMNS) ? 'given' : has(ARM_COLUMNS) ? 'arms' : undefined;
  if (!shape) {
    return {
      ok: false,
      problems: [
        {
          row: 1,
          column: '',
          message: `The header must be ${GIVEN_COLUMNS.join(',')} or ${ARM_COLUMNS.join(',')} (optionally with ${SUBGROUP_COLUMN})`,
        },
      ],
    };
  }
  const chosen: InputMeasure = measure ?? (shape === 'given' ? 'GEN' : 'MD');
  if ((shape === 'given') !== (chosen === 'GEN')) {
    const message =
      shape === 'given'
        ? `--measure ${chosen} needs arm columns (${ARM_COLUMNS.join(',')}); this file gives yi and vi (use GEN)`
        : `--measure GEN needs yi and vi columns; this file gives arm data (use MD or SMD)`;
    return { ok: false, problems: [{ row: 1, column: '', message }] };
  }
  const columns = shape === 'given' ? GIVEN_COLUMNS : ARM_COLUMNS;
  const known = new Set<string>([...columns, SUBGROUP_COLUMN]);
  const problems: CsvProblem[] = table.header
    .filter((h) => !known.has(h))
    .map((h) => ({ row: 1, column: h, message: 'Unknown column' }));
  const index = (name: string) => table.header.indexOf(name);
  const studies: StudyRow[] = [];
  for (const { row, cells } of table.rows) {
    const text = (name: string) => (cells[index(name)] ?? '').trim();
    const numbers: Record<string, number> = {};
    let rowOk = true;
    const study = text('study');
    if (!study) {
      problems.push({ row, column: 'study', message: 'The study name is empty' });
      rowOk = false;
    }
    for (const column of columns.slice(1)) {
      const raw = text(column);
      if (!NUMBER.test(raw)) {
        problems.push({
          row,
          column,
          message: raw ? `${JSON.stringify(raw)} is not a number` : 'Empty',
        });
        rowOk = false;
      } else numbers[column] = Number(raw);
    }
    if (!rowOk) continue;
    try {
      const effect =
        chosen === 'GEN'
          ? checkedGiven(study, numbers.yi as number, numbers.vi as number)
          : effectFromArms(
              {
                study,
                n1: numbers.n1 as number,
                mean1: numbers.mean1 as number,
                sd1: numbers.sd1 as number,
                n2: numbers.n2 as number,
                mean2: numbers.mean2 as number,
                sd2: numbers.sd2 as number,
              },
              chosen as EffectMeasure,
            );
      const subgroup = index(SUBGROUP_COLUMN) >= 0 ? text(SUBGROUP_COLUMN) : undefined;
      studies.push(subgroup ? { ...effect, subgroup } : effect);
    } catch (error) {
      if (!(error instanceof StudyDataError)) throw error;
      problems.push({ row, column: error.column, message: error.problem });
    }
  }
  if (problems.length === 0 && studies.length === 0)
    problems.push({ row: 2, column: '', message: 'The file has no studies' });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, measure: chosen, studies };
}

function checkedGiven(study: string, yi: number, vi: number): StudyEffect {
  if (!(vi > 0)) throw new StudyDataError(study, 'vi', 'vi must be positive');
  return { study, yi, vi };
}
