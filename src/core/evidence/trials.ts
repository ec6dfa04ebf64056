import type { TwoArmSummary } from '../stats/effects.ts';
import type { CsvProblem, CsvTable } from '../tabular/csv.ts';
import { conversion } from './scales.ts';

/** One arm × outcome × time point of a published trial, with where it was read. */
export interface TrialArm {
  study: string;
  doiOrNct: string;
  arm: string;
  armRole: 'intervention' | 'control';
  product: string;
  cellDose: string;
  nRandomized: number | null;
  nAnalyzed: number | null;
  outcome: string;
  scaleDirection: string;
  timepointMonths: number;
  stat: 'mean_sd' | 'median_iqr' | 'mean_change_ci';
  value: number;
  spreadLowOrSd: number | null;
  spreadHigh: number | null;
  sourceUrl: string;
  sourceLocation: string;
  verified: 'yes' | 'partial' | 'no';
}

/** The columns of shared/evidence/trials-extracted.csv, in order. */
export const TRIAL_COLUMNS = [
  'study',
  'doi_or_nct',
  'arm',
  'arm_role',
  'product',
  'cell_dose',
  'n_randomized',
  'n_analyzed',
  'outcome',
  'scale_direction',
  'timepoint_months',
  'stat',
  'value',
  'spread_low_or_sd',
  'spread_high',
  'source_url',
  'source_location',
  'verified',
] as const;

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** Reads trial arm rows; every bad cell is reported with its row and column. */
export function trialArmsFromTable(table: CsvTable): { arms: TrialArm[]; problems: CsvProblem[] } {
  const problems: CsvProblem[] = [];
  const missing = TRIAL_COLUMNS.filter((c) => !table.header.includes(c));
  if (missing.length > 0) {
    problems.push({
      row: 1,
      column: '',
      message: `The header lacks column(s) ${missing.join(', ')}; the file needs every column of the shipped trials-extracted.csv`,
    });
    return { arms: [], problems };
  }
  const arms: TrialArm[] = [];
  for (const { row, cells } of table.rows) {
    const get = (column: (typeof TRIAL_COLUMNS)[number]) =>
      (cells[table.header.indexOf(column)] ?? '').trim();
    const before = problems.length;
    const required = (column: (typeof TRIAL_COLUMNS)[number]) => {
      const v = get(column);
      if (!v) problems.push({ row, column, message: 'Required' });
      return v;
    };
    const number = (column: (typeof TRIAL_COLUMNS)[number], optional: boolean): number | null => {
      const v = get(column);
      if (!v) {
        if (!optional) problems.push({ row, column, message: 'Required' });
        return null;
      }
      if (!NUMBER.test(v)) {
        problems.push({ row, column, message: `${JSON.stringify(v)} is not a number` });
        return null;
      }
      return Number(v);
    };
    const oneOf = <T extends string>(
      column: (typeof TRIAL_COLUMNS)[number],
      allowed: readonly T[],
    ): T => {
      const v = get(column);
      if (!allowed.includes(v as T))
        problems.push({ row, column, message: `Must be one of ${allowed.join(', ')}` });
      return v as T;
    };
    const count = (column: 'n_randomized' | 'n_analyzed') => {
      const n = number(column, true);
      if (n !== null && (!Number.isInteger(n) || n < 1))
        problems.push({ row, column, message: 'Must be a whole number of at least 1' });
      return n;
    };
    const arm: TrialArm = {
      study: required('study'),
      doiOrNct: get('doi_or_nct'),
      arm: required('arm'),
      armRole: oneOf('arm_role', ['intervention', 'control'] as const),
      product: get('product'),
      cellDose: get('cell_dose'),
      nRandomized: count('n_randomized'),
      nAnalyzed: count('n_analyzed'),
      outcome: required('outcome'),
      scaleDirection: get('scale_direction'),
      timepointMonths: number('timepoint_months', false) ?? 0,
      stat: oneOf('stat', ['mean_sd', 'median_iqr', 'mean_change_ci'] as const),
      value: number('value', false) ?? 0,
      spreadLowOrSd: number('spread_low_or_sd', true),
      spreadHigh: number('spread_high', true),
      sourceUrl: get('source_url'),
      sourceLocation: get('source_location'),
      verified: oneOf('verified', ['yes', 'partial', 'no'] as const),
    };
    if (!arm.sourceUrl && !arm.doiOrNct)
      problems.push({
        row,
        column: 'source_url',
        message: 'Every row needs its source (a URL, DOI or NCT number)',
      });
    // The evidence page shows the source as a link: only web addresses, never `javascript:`.
    if (arm.sourceUrl && !isWebAddress(arm.sourceUrl))
      problems.push({
        row,
        column: 'source_url',
        message: 'Must be a web address starting with https:// or http://',
      });
    if (arm.stat === 'mean_sd' && arm.spreadLowOrSd !== null && !(arm.spreadLowOrSd > 0))
      problems.push({ row, column: 'spread_low_or_sd', message: 'An SD must be positive' });
    if (problems.length === before) arms.push(arm);
  }
  return { arms, problems };
}

export interface ArmComparison extends TwoArmSummary {
  product: string;
  control: string;
  sources: string[];
  /** Notes a reader must see (partial verification, a split shared control). */
  cautions: string[];
}

export interface Refusal {
  study: string;
  arm: string;
  reason: string;
}

/**
 * Pairs each intervention arm with its trial's control arm at one outcome and time point,
 * converted to `scale`, ready for a mean-difference meta-analysis (intervention − control).
 * When several intervention arms share one control, the control's n is split evenly among
 * them so that no patient counts twice (Cochrane Handbook v6.4, §23.3.4).
 * Arms that cannot be used are returned with the reason.
 */
export function armComparisons(
  arms: readonly TrialArm[],
  query: {
    outcomes: readonly string[];
    timepointMonths: number;
    scale: string;
    interventionProducts?: readonly string[];
  },
): { comparisons: ArmComparison[]; refusals: Refusal[] } {
  const comparisons: ArmComparison[] = [];
  const refusals: Refusal[] = [];
  const relevant = arms.filter(
    (a) => query.outcomes.includes(a.outcome) && a.timepointMonths === query.timepointMonths,
  );
  const studies = [...new Set(relevant.map((a) => a.study))];
  for (const study of studies) {
    const inStudy = relevant.filter((a) => a.study === study);
    const interventions = inStudy.filter(
      (a) =>
        a.armRole === 'intervention' &&
        (!query.interventionProducts || query.interventionProducts.includes(a.product)),
    );
    const controls = inStudy.filter((a) => a.armRole === 'control');
    if (interventions.length === 0) continue;
    if (controls.length !== 1) {
      for (const a of interventions)
        refusals.push({
          study,
          arm: a.arm,
          reason:
            controls.length === 0
              ? 'No control arm at this outcome and time point'
              : 'More than one control arm',
        });
      continue;
    }
    const control = controls[0] as TrialArm;
    for (const arm of interventions) {
      const reason = unusable(arm) ?? unusable(control);
      if (reason) {
        refusals.push({ study, arm: arm.arm, reason });
        continue;
      }
      const toArm = conversion(arm.outcome, query.scale);
      const toControl = conversion(control.outcome, query.scale);
      if (!toArm.ok || !toControl.ok) {
        const failed = [toArm, toControl].find((c) => !c.ok);
        refusals.push({ study, arm: arm.arm, reason: failed && !failed.ok ? failed.reason : '' });
        continue;
      }
      const nArm = (arm.nAnalyzed ?? arm.nRandomized) as number;
      const nControl = Math.floor(
        ((control.nAnalyzed ?? control.nRandomized) as number) / interventions.length,
      );
      const cautions: string[] = [];
      if (interventions.length > 1)
        cautions.push(
          `Control arm shared by ${interventions.length} arms; its n was split (${nControl} each)`,
        );
      if (arm.verified !== 'yes' || control.verified !== 'yes')
        cautions.push(
          'Partly verified against the source; check the full text before relying on it',
        );
      if (arm.nAnalyzed === null || control.nAnalyzed === null)
        cautions.push('Analysed n not reported; randomised n used');
      comparisons.push({
        study: interventions.length > 1 ? `${study}: ${arm.arm}` : study,
        n1: nArm,
        mean1: arm.value * toArm.factor,
        sd1: (arm.spreadLowOrSd as number) * toArm.factor,
        n2: nControl,
        mean2: control.value * toControl.factor,
        sd2: (control.spreadLowOrSd as number) * toControl.factor,
        product: arm.product,
        control: control.arm,
        sources: [
          ...new Set([arm.sourceUrl || arm.doiOrNct, control.sourceUrl || control.doiOrNct]),
        ],
        cautions,
      });
    }
  }
  return { comparisons, refusals };
}

function unusable(a: TrialArm): string | undefined {
  if (a.stat === 'median_iqr')
    return `${a.arm}: reported as median (IQR); converting to mean and SD needs assumptions about the distribution`;
  if (a.stat !== 'mean_sd')
    return `${a.arm}: reported as a within-arm change with CI, not a mean and SD`;
  if (a.spreadLowOrSd === null) return `${a.arm}: no SD reported`;
  if (a.nAnalyzed === null && a.nRandomized === null)
    return `${a.arm}: the arm's number of patients is not reported`;
  return undefined;
}

/** True for an absolute `https:` or `http:` URL; anything else could run as a link. */
export function isWebAddress(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
