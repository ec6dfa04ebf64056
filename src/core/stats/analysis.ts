import type { CsvProblem } from '../tabular/csv.ts';
import { parseCsv } from '../tabular/csv.ts';
import { type InputMeasure, type StudyRow, studiesFromTable } from './input.ts';
import {
  type EggerTest,
  eggerTest,
  type MetaAnalysis,
  type MetaOptions,
  metaAnalysis,
  type SubgroupAnalysis,
  subgroupAnalysis,
} from './meta.ts';

export interface StudiesAnalysis {
  measure: InputMeasure;
  studies: StudyRow[];
  result: MetaAnalysis;
  /** Egger's test needs at least 3 studies. */
  egger: EggerTest | null;
  /** When every study names one of at least two subgroups. */
  subgroups: SubgroupAnalysis | null;
}

/**
 * The whole meta-analysis of a CSV of studies (see `studiesFromTable` for the shapes): bad
 * cells come back by row and column; data the model cannot fit come back as a problem too.
 */
export function analyseStudiesCsv(
  text: string,
  options: MetaOptions & { measure?: InputMeasure },
): { ok: true; analysis: StudiesAnalysis } | { ok: false; problems: CsvProblem[] } {
  const csv = parseCsv(text);
  if (csv.problems.length > 0) return { ok: false, problems: csv.problems };
  const input = studiesFromTable(csv.table, options.measure);
  if (!input.ok) return input;
  const fitOptions = { method: options.method ?? 'REML', ci: options.ci ?? 'z' } as const;
  try {
    const result = metaAnalysis(input.studies, fitOptions);
    const egger = input.studies.length >= 3 ? eggerTest(input.studies) : null;
    const groups = new Set(input.studies.map((s) => s.subgroup));
    const subgroups =
      groups.size >= 2 && input.studies.every((s) => s.subgroup)
        ? subgroupAnalysis(
            input.studies.map((s) => ({ ...s, subgroup: s.subgroup as string })),
            fitOptions,
          )
        : null;
    return {
      ok: true,
      analysis: { measure: input.measure, studies: input.studies, result, egger, subgroups },
    };
  } catch (error) {
    return {
      ok: false,
      problems: [
        { row: 0, column: '', message: error instanceof Error ? error.message : String(error) },
      ],
    };
  }
}
