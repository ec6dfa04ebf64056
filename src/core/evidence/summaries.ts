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

/** Published outcome codes in words a patient or clinician reads. */
const OUTCOME_WORDS: Record<string, string> = {
  VAS_0_100: 'pain on a 0–100 visual analogue scale (VAS)',
  VAS_0_10: 'pain on a 0–10 visual analogue scale (VAS)',
  WOMAC_pain: 'WOMAC pain',
  WOMAC_function: 'WOMAC function',
  WOMAC_total: 'WOMAC total score',
  pain: 'pain',
};

export function outcomeInWords(outcome: string): string {
  return OUTCOME_WORDS[outcome] ?? outcome.replace(/_/g, ' ');
}

/**
 * Whether a summary's sign is the other way round from StemTrack's one convention (negative =
 * less pain). Effect sizes of a response "vs baseline" are reported as improvement (baseline
 * minus follow-up, over the SD), so positive there is less pain (Zhang et al., Ann Rheum Dis
 * 2008;67:1716–23, "effect size" of the placebo response).
 */
export function improvementIsPositive(s: PublishedSummary): boolean {
  return /effect size/i.test(s.measure) && /vs baseline/i.test(s.comparison);
}

/**
 * The summary in StemTrack's sign convention, negative = less pain: an improvement-positive
 * effect size is negated (its interval's ends swap), every other summary is as published.
 */
export function lessPainNegative(s: PublishedSummary): PublishedSummary {
  if (!improvementIsPositive(s)) return s;
  const flip = (x: number | null) => (x === null ? null : x === 0 ? 0 : -x);
  return { ...s, estimate: flip(s.estimate), ciLower: flip(s.ciUpper), ciUpper: flip(s.ciLower) };
}
