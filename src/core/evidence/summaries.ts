import type { CsvProblem, CsvTable } from '../tabular/csv.ts';

/** A pooled result from a published meta-analysis, or a published placebo-response estimate. */
export interface PublishedSummary {
  source: string;
  doiOrId: string;
  what: string;
  population: string;
  comparison: string;
  outcome: string;
  timepointMonths: number | null;
  measure: string;
  estimate: number | null;
  ciLower: number | null;
  ciUpper: number | null;
  kStudies: number | null;
  nPatients: number | null;
  verifiedFrom: string;
}

const COLUMNS = [
  'source',
  'doi_or_id',
  'what',
  'population',
  'comparison',
  'outcome',
  'timepoint_months',
  'measure',
  'estimate',
  'ci_lower',
  'ci_upper',
  'k_studies',
  'n_patients',
  'verified_from',
] as const;

/** Reads shared/evidence/published-summaries.csv rows, naming each bad cell. */
export function publishedSummariesFromTable(table: CsvTable): {
  summaries: PublishedSummary[];
  problems: CsvProblem[];
} {
  const problems: CsvProblem[] = [];
  const missing = COLUMNS.filter((c) => !table.header.includes(c));
  if (missing.length > 0)
    return {
      summaries: [],
      problems: [{ row: 1, column: missing.join(', '), message: 'Missing column(s)' }],
    };
  const summaries: PublishedSummary[] = [];
  for (const { row, cells } of table.rows) {
    const get = (c: (typeof COLUMNS)[number]) => (cells[table.header.indexOf(c)] ?? '').trim();
    const before = problems.length;
    const num = (c: (typeof COLUMNS)[number]) => {
      const v = get(c);
      if (!v) return null;
      const n = Number(v);
      if (!Number.isFinite(n))
        problems.push({ row, column: c, message: `${JSON.stringify(v)} is not a number` });
      return n;
    };
    const s: PublishedSummary = {
      source: get('source'),
      doiOrId: get('doi_or_id'),
      what: get('what'),
      population: get('population'),
      comparison: get('comparison'),
      outcome: get('outcome'),
      timepointMonths: num('timepoint_months'),
      measure: get('measure'),
      estimate: num('estimate'),
      ciLower: num('ci_lower'),
      ciUpper: num('ci_upper'),
      kStudies: num('k_studies'),
      nPatients: num('n_patients'),
      verifiedFrom: get('verified_from'),
    };
    if (!s.source) problems.push({ row, column: 'source', message: 'Every row needs its source' });
    if (problems.length === before) summaries.push(s);
  }
  return { summaries, problems };
}
