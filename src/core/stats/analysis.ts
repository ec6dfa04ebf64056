import { type DomainError, invalid } from '../errors.ts';
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
 * The most studies one meta-analysis request to the server may pool. The fit, Egger's test,
 * subgroups and both plots run on the server's one event loop: at 2,000 studies they take
 * about 0.2–0.5 s once warm (REML, 2-core machine), short enough to keep `/api/health` and
 * other users' requests moving; a forest plot of more rows is unreadable anyway. The CLI
 * (`stemtrack meta`) has no cap, as it holds up no one else.
 */
export const MAX_META_STUDIES = 2000;

/** Refuses more studies than `MAX_META_STUDIES`, as an `invalid` error on the field `studies`. */
export function tooManyStudies(count: number): DomainError | null {
  if (count <= MAX_META_STUDIES) return null;
  const message = `The CSV has ${count.toLocaleString('en')} studies; at most ${MAX_META_STUDIES.toLocaleString('en')} can be pooled here. Split it (e.g. by subgroup) or run \`stemtrack meta\` on the file.`;
  return invalid(message, [{ field: 'studies', message }]);
}

/** Reads the studies of a CSV (see `studiesFromTable` for the shapes); bad cells by row and column. */
export function readStudiesCsv(
  text: string,
  measure?: InputMeasure,
):
  | { ok: true; measure: InputMeasure; studies: StudyRow[] }
  | { ok: false; problems: CsvProblem[] } {
  const csv = parseCsv(text);
  if (csv.problems.length > 0) return { ok: false, problems: csv.problems };
  return studiesFromTable(csv.table, measure);
}

/** Pools studies already read: data the model cannot fit come back as a problem. */
export function analyseStudies(
  input: { measure: InputMeasure; studies: StudyRow[] },
  options: MetaOptions,
): { ok: true; analysis: StudiesAnalysis } | { ok: false; problems: CsvProblem[] } {
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

/** The whole meta-analysis of a CSV of studies: `readStudiesCsv`, then `analyseStudies`. */
export function analyseStudiesCsv(
  text: string,
  options: MetaOptions & { measure?: InputMeasure },
): { ok: true; analysis: StudiesAnalysis } | { ok: false; problems: CsvProblem[] } {
  const input = readStudiesCsv(text, options.measure);
  if (!input.ok) return input;
  return analyseStudies(input, options);
}
