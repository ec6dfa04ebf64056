import type { IsoDate } from '../registry/dates.ts';
import { PRODUCT_CLASSES as PRODUCTS } from '../registry/vocabulary.ts';
import { followUpWindow, timePointById } from '../schedule/timepoints.ts';
import {
  type Coefficient,
  type MeanPrediction,
  ordinaryLeastSquares,
  predictMean,
} from '../stats/regression.ts';
import type { DomainScores } from './responders.ts';

/**
 * Dose–response and product comparisons in the registry: change from baseline in pain and
 * function (the joint's KOOS or HOOS Pain and ADL, 0–100, 100 = no problem) at one time point,
 * by ordinary least squares. An observational registry: joints were not randomised to a
 * product or a dose, so every estimate is an association, never an effect of the product.
 */

export const ASSOCIATION_NOTE =
  'Associations in an observational registry, not effects: joints were not randomised to a product or a dose, so a difference may reflect who was given what (and unmeasured differences between them) rather than what the product did.';

/** Where a product class's dose is recorded: the column's name is the one the treatment form writes. */
export interface DoseMeasure {
  column: 'cell_dose_millions' | 'platelet_dose_billions';
  unit: string;
}
const CELL_DOSE: DoseMeasure = { column: 'cell_dose_millions', unit: 'million cells' };
/** PRP's platelet dose (total platelets injected), recorded with the product's characterisation. */
export const PLATELET_DOSE: DoseMeasure = {
  column: 'platelet_dose_billions',
  unit: 'billion platelets',
};

/** The dose a product class is analysed on: cells for cellular products, platelets for PRP; none otherwise. */
export function doseMeasureOf(productClass: string): DoseMeasure | null {
  if (productClass === 'PRP') return PLATELET_DOSE;
  const product = PRODUCTS.find((p) => p.code === productClass);
  return product?.cellular ? CELL_DOSE : null;
}

/**
 * Fewest joints for which a curve is drawn. Our choice, not a published rule: the model has
 * three coefficients, and 20 joints leave 17 residual degrees of freedom, where the 95% t
 * multiplier (2.11) is within 8% of the normal's 1.96; with fewer, the band is mostly the
 * small sample's width and a curve would be read for more than it holds.
 */
export const MIN_JOINTS_FOR_CURVE = 20;
/** Fewest joints for a product class to enter the adjusted comparison (same reasoning, per group). */
export const MIN_JOINTS_PER_PRODUCT = 10;

export type DoseOutcome = 'pain' | 'function';
export const DOSE_OUTCOMES: readonly { id: DoseOutcome; label: string }[] = [
  { id: 'pain', label: 'Pain (KOOS or HOOS Pain, 0–100)' },
  { id: 'function', label: 'Function (KOOS or HOOS ADL, 0–100)' },
];

/** One injection of a joint, in the order it was given (date, then entry). */
export interface Injection {
  productClass: string;
  date: IsoDate;
  /** Its dose in its product's unit (see `doseMeasureOf`); null when not recorded. */
  dose: number | null;
  /** Its number in its series, as recorded with the product; null when not recorded. */
  seriesNumber: number | null;
}

export interface SeriesDose {
  /** Injections of the joint's first series given by the time point. */
  injections: number;
  /** Their total dose; null when any of them has none recorded. */
  dose: number | null;
}

/** What the dose of a joint is, said wherever a dose–response is shown. */
export const SERIES_DOSE_RULE =
  "A joint's dose is the total of its first series of injections given by the time point: its first injection and the injections after it numbered 2, 3, … in the same series (same product). A series with an injection whose dose is not recorded has no total and draws no point.";

/**
 * The dose a joint is analysed on (`SERIES_DOSE_RULE`): a series of three PRP injections
 * delivers three injections' platelets, and a dose–response on the first alone would put that
 * joint at a third of what it received. Injections after the time point's target date cannot
 * have shaped its score and are left out.
 */
export function firstSeriesDose(injections: readonly Injection[], timepoint: string): SeriesDose {
  const [first, ...later] = injections;
  if (!first) return { injections: 0, dose: null };
  const tp = timePointById(timepoint);
  const until = tp ? followUpWindow(first.date, tp).target : first.date;
  const series = [first];
  for (const next of later) {
    // A new series (number 1 or none), or another product, ends the first one.
    if (next.productClass !== first.productClass || (next.seriesNumber ?? 1) < 2) break;
    if (next.date > until) break;
    series.push(next);
  }
  const doses = series.map((i) => i.dose);
  return {
    injections: series.length,
    dose: doses.every((d) => d !== null) ? doses.reduce((t: number, d) => t + (d ?? 0), 0) : null,
  };
}

/** One treated joint: its first treatment, who it belongs to, and its scores. */
export interface DoseResponseJoint {
  productClass: string;
  /** The total dose of its first series (`firstSeriesDose`) in its product's unit; null when not recorded. */
  dose: number | null;
  /** Injections in that series (1 for a single injection). */
  injections: number;
  klGrade: number;
  sex: string;
  age: number | null;
  bmi: number | null;
  pain: DomainScores | null;
  function: DomainScores | null;
}

export interface CurvePoint {
  dose: number;
  fit: number;
  lower: number;
  upper: number;
}

export type DoseCurve =
  | {
      productClass: string;
      outcome: DoseOutcome;
      unit: string;
      status: 'fitted';
      joints: number;
      /** Change per doubling of the dose, at the same baseline score. */
      perDoubling: Coefficient;
      baseline: Coefficient;
      /** The baseline score the curve is drawn at: the mean of the joints'. */
      atBaseline: number;
      curve: CurvePoint[];
      points: { dose: number; change: number }[];
    }
  | {
      productClass: string;
      outcome: DoseOutcome;
      unit: string;
      status: 'too-few-joints' | 'no-dose-recorded' | 'one-dose-only';
      joints: number;
      /** What the clinic reads instead of a curve. */
      message: string;
    };

const change = (d: DomainScores) => d.followUp - d.baseline;
/** Points on the curve: evenly spaced in log dose from the smallest to the largest dose given. */
const CURVE_POINTS = 25;

function doseCurve(
  productClass: string,
  outcome: DoseOutcome,
  joints: readonly DoseResponseJoint[],
): DoseCurve {
  const measure = doseMeasureOf(productClass) as DoseMeasure;
  const scored = joints.filter((j) => j[outcome] !== null);
  const dosed = scored.filter((j) => j.dose !== null && j.dose > 0);
  const base = { productClass, outcome, unit: measure.unit };
  if (dosed.length === 0)
    return {
      ...base,
      status: 'no-dose-recorded',
      joints: scored.length,
      message: `No dose recorded: none of the ${scored.length} scored joints has a dose (in ${measure.unit}) for every injection of its first series.`,
    };
  if (dosed.length < MIN_JOINTS_FOR_CURVE)
    return {
      ...base,
      status: 'too-few-joints',
      joints: dosed.length,
      message: `Too few joints for a curve: ${dosed.length} with a dose and both scores; at least ${MIN_JOINTS_FOR_CURVE} are needed.`,
    };
  const doses = dosed.map((j) => j.dose as number);
  const low = Math.min(...doses);
  const high = Math.max(...doses);
  const y = dosed.map((j) => change(j[outcome] as DomainScores));
  const baselines = dosed.map((j) => (j[outcome] as DomainScores).baseline);
  const fit =
    low === high
      ? null
      : ordinaryLeastSquares(
          dosed.map((j, i) => [1, Math.log(j.dose as number), baselines[i] as number]),
          y,
          ['(Intercept)', 'logDose', 'baseline'],
        );
  if (!fit?.ok)
    return {
      ...base,
      status: 'one-dose-only',
      joints: dosed.length,
      message: `No curve: the ${dosed.length} joints' doses do not vary enough to estimate a slope.`,
    };
  const atBaseline = baselines.reduce((s, b) => s + b, 0) / baselines.length;
  const curve = Array.from({ length: CURVE_POINTS }, (_, k) => {
    const dose = Math.exp(
      Math.log(low) + ((Math.log(high) - Math.log(low)) * k) / (CURVE_POINTS - 1),
    );
    const p: MeanPrediction = predictMean(fit, [1, Math.log(dose), atBaseline]);
    return { dose, fit: p.fit, lower: p.lower, upper: p.upper };
  });
  const slope = fit.coefficients[1] as Coefficient;
  // A change of log dose by ln 2 is a doubling: scale the coefficient and its CI alike.
  const perDoubling = {
    ...slope,
    estimate: slope.estimate * Math.LN2,
    stdError: slope.stdError * Math.LN2,
    lower: slope.lower * Math.LN2,
    upper: slope.upper * Math.LN2,
  };
  return {
    ...base,
    status: 'fitted',
    joints: dosed.length,
    perDoubling,
    baseline: fit.coefficients[2] as Coefficient,
    atBaseline,
    curve,
    points: dosed.map((j, i) => ({ dose: j.dose as number, change: y[i] as number })),
  };
}

export interface ProductComparison {
  outcome: DoseOutcome;
  status: 'fitted' | 'too-few-joints';
  /** Joints in the model (complete cases of product classes with enough joints). */
  joints: number;
  /** Scored joints left out: no age or BMI, or a product class with too few joints. */
  excluded: number;
  reference: string | null;
  /** Per product class against the reference, adjusted for the covariates; empty unless fitted. */
  differences: Coefficient[];
  covariates: Coefficient[];
  message: string | null;
}

/**
 * Mean change of each product class against the most used one (the reference), adjusted for
 * baseline score, KL grade (linear), age, sex and BMI: one linear model over complete cases.
 */
export function compareProducts(
  joints: readonly DoseResponseJoint[],
  outcome: DoseOutcome,
): ProductComparison {
  const scored = joints.filter((j) => j[outcome] !== null);
  const complete = scored.filter((j) => j.age !== null && j.bmi !== null);
  const counts = new Map<string, number>();
  for (const j of complete) counts.set(j.productClass, (counts.get(j.productClass) ?? 0) + 1);
  const products = [...counts.entries()]
    .filter(([, n]) => n >= MIN_JOINTS_PER_PRODUCT)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code]) => code);
  const used = complete.filter((j) => products.includes(j.productClass));
  const none = {
    outcome,
    status: 'too-few-joints' as const,
    joints: used.length,
    excluded: scored.length - used.length,
    reference: products[0] ?? null,
    differences: [],
    covariates: [],
  };
  if (products.length < 2)
    return {
      ...none,
      message: `Too few joints to compare products: fewer than two product classes have ${MIN_JOINTS_PER_PRODUCT} joints with both scores, age and BMI.`,
    };
  const [reference, ...rest] = products as [string, ...string[]];
  // The others in alphabetical order, as R lists a factor's levels.
  const others = rest.sort((a, b) => a.localeCompare(b));
  const sexes = [...new Set(used.map((j) => j.sex))].sort((a, b) =>
    a === 'female' ? -1 : b === 'female' ? 1 : a.localeCompare(b),
  );
  const sexTerms = sexes.slice(1);
  const terms = [
    '(Intercept)',
    ...others.map((p) => `product ${p}`),
    'baseline',
    'KL grade',
    'age',
    ...sexTerms.map((s) => `sex ${s}`),
    'BMI',
  ];
  const x = used.map((j) => {
    const d = j[outcome] as DomainScores;
    return [
      1,
      ...others.map((p) => (j.productClass === p ? 1 : 0)),
      d.baseline,
      j.klGrade,
      j.age as number,
      ...sexTerms.map((s) => (j.sex === s ? 1 : 0)),
      j.bmi as number,
    ];
  });
  const fit = ordinaryLeastSquares(
    x,
    used.map((j) => change(j[outcome] as DomainScores)),
    terms,
  );
  if (!fit.ok)
    return {
      ...none,
      message:
        fit.reason === 'collinear'
          ? 'No comparison: a covariate is the same for every joint or determined by the others.'
          : 'Too few joints for the number of covariates.',
    };
  return {
    outcome,
    status: 'fitted',
    joints: used.length,
    excluded: scored.length - used.length,
    reference,
    differences: fit.coefficients.slice(1, 1 + others.length),
    covariates: fit.coefficients.slice(1 + others.length),
    message: null,
  };
}

export interface DoseResponseReport {
  timepoint: string;
  note: string;
  /** Which dose is used (`SERIES_DOSE_RULE`), and how many joints had a series of more than one. */
  dosing: { rule: string; seriesJoints: number };
  minJointsForCurve: number;
  curves: DoseCurve[];
  comparisons: ProductComparison[];
}

/** Curves per product class with a dose measure and outcome, and the adjusted product comparisons. */
export function doseResponse(
  joints: readonly DoseResponseJoint[],
  timepoint: string,
): DoseResponseReport {
  const classes = PRODUCTS.map((p) => p.code).filter(
    (code) => doseMeasureOf(code) !== null && joints.some((j) => j.productClass === code),
  );
  const curves = classes.flatMap((code) =>
    DOSE_OUTCOMES.map((o) =>
      doseCurve(
        code,
        o.id,
        joints.filter((j) => j.productClass === code),
      ),
    ),
  );
  return {
    timepoint,
    note: ASSOCIATION_NOTE,
    dosing: { rule: SERIES_DOSE_RULE, seriesJoints: joints.filter((j) => j.injections > 1).length },
    minJointsForCurve: MIN_JOINTS_FOR_CURVE,
    curves,
    comparisons: DOSE_OUTCOMES.map((o) => compareProducts(joints, o.id)),
  };
}
