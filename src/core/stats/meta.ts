import { brentRoot } from './brent.ts';
import {
  chiSquareUpperTail,
  normalTwoSidedP,
  studentTUpperQuantile,
  Z_975,
} from './distributions.ts';
import {
  crossWeighted,
  dot,
  invertWithLogDet,
  type Matrix,
  multiplyVector,
  projection,
} from './linear.ts';

/*
 * Random-effects meta-analysis, computed the way metafor 3.8 (Viechtbauer 2010, J Stat Softw
 * 36(3)) computes `rma.uni()` and `predict()`, including its iteration rules, so that our
 * figures agree with metafor's to 1e-6: REML by Fisher scoring from the Hedges (HE) start,
 * stopping when tau² changes by at most 1e-5; Paule–Mandel by Brent's method on
 * [0, max(100, 10·mad(yi)²)] with tolerance eps^0.25. Fixtures: src/core/stats/fixtures/.
 */

export const TAU2_METHODS = ['REML', 'DL', 'PM', 'FE'] as const;
export type Tau2Method = (typeof TAU2_METHODS)[number];
export const CI_METHODS = ['z', 'knha'] as const;
export type CiMethod = (typeof CI_METHODS)[number];

/** The result fields `stemtrack meta --format json` writes, in order (issue 4's contract). */
export const META_RESULT_KEYS = [
  'k',
  'estimate',
  'se',
  'ciLower',
  'ciUpper',
  'tau2',
  'i2',
  'q',
  'qPvalue',
  'piLower',
  'piUpper',
] as const;

export interface StudyEffect {
  study: string;
  /** Effect size (e.g. mean difference, arm 1 minus arm 2). */
  yi: number;
  /** Its sampling variance. */
  vi: number;
}

export interface MetaOptions {
  method?: Tau2Method;
  ci?: CiMethod;
}

export interface MetaAnalysis {
  k: number;
  estimate: number;
  se: number;
  ciLower: number;
  ciUpper: number;
  tau2: number;
  /** I² in percent. */
  i2: number;
  /** Cochran's Q and its p-value on k − 1 degrees of freedom. */
  q: number;
  qPvalue: number;
  /** 95% prediction interval for the effect in a new study (equals the CI for FE). */
  piLower: number;
  piUpper: number;
  method: Tau2Method;
  ci: CiMethod;
  /** Each study's share of the total weight, in percent (for forest plots). */
  weights: number[];
}

const REML_THRESHOLD = 1e-5;
const REML_MAX_ITERATIONS = 100;
// R's .Machine$double.eps^0.25, metafor's default `tol`.
const R_TOL = 2 ** -13;

/** The meta-analysis fit for a design matrix X (one row per study). */
interface Fit {
  beta: number[];
  /** Variance–covariance matrix of beta. */
  vb: Matrix;
  tau2: number;
  qe: number;
  qePvalue: number;
  i2: number;
  /** Critical value for 95% intervals: normal, or t on k − p df under knha. */
  crit: number;
  weights: number[];
}

/** The middle value, or the mean of the two middle values of an even count. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** R's mad(): median absolute deviation scaled by 1.4826 (consistency for the normal). */
function mad(values: number[]): number {
  const m = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - m)));
}

function estimateTau2(yi: number[], vi: number[], x: Matrix, method: Tau2Method): number {
  const k = yi.length;
  const p = x[0]?.length ?? 1;
  if (method === 'FE' || k === 1) return 0;
  const mean = yi.reduce((a, b) => a + b, 0) / k;
  const centred = yi.map((y) => y - mean);
  if (method === 'DL') {
    const proj = projection(
      x,
      vi.map((v) => 1 / v),
      centred,
    );
    return Math.max(0, (proj.yPy - (k - p)) / proj.trace);
  }
  if (method === 'PM') {
    const target = k - p;
    const generalisedQ = (tau2: number) =>
      projection(
        x,
        vi.map((v) => 1 / (v + tau2)),
        centred,
      ).yPy - target;
    if (generalisedQ(0) < 0) return 0;
    const upper = Math.max(100, 10 * mad(yi) ** 2);
    if (generalisedQ(upper) > 0)
      throw new RangeError('Paule–Mandel: tau² would exceed its search range; try REML or DL');
    return brentRoot(generalisedQ, 0, upper, R_TOL, REML_MAX_ITERATIONS);
  }
  // REML by Fisher scoring, from the Hedges (HE) estimate.
  const ols = projection(
    x,
    yi.map(() => 1),
    centred,
  );
  const trPV = ols.diagonal.reduce((s, pii, i) => s + pii * (vi[i] as number), 0);
  let tau2 = Math.max(0, (ols.yPy - trPV) / (k - p));
  let change = REML_THRESHOLD + 1;
  let iterations = 0;
  while (change > REML_THRESHOLD) {
    iterations++;
    if (iterations > REML_MAX_ITERATIONS)
      throw new RangeError('REML: Fisher scoring did not converge; try DL or PM');
    const previous = tau2;
    const proj = projection(
      x,
      vi.map((v) => 1 / (v + tau2)),
      centred,
    );
    let adjustment = (dot(proj.py, proj.py) - proj.trace) / proj.traceOfSquare;
    if (Number.isNaN(adjustment)) adjustment = 0;
    while (tau2 + adjustment < 0) adjustment /= 2;
    tau2 += adjustment;
    change = Math.abs(previous - tau2);
  }
  // As metafor does: if tau² = 0 has the higher restricted likelihood, Fisher scoring was stuck.
  if (
    tau2 > REML_THRESHOLD &&
    restrictedLogLik(yi, vi, x, 0) - restrictedLogLik(yi, vi, x, tau2) > R_TOL
  )
    return 0;
  return tau2;
}

function restrictedLogLik(yi: number[], vi: number[], x: Matrix, tau2: number): number {
  const k = yi.length;
  const p = x[0]?.length ?? 1;
  const w = vi.map((v) => 1 / (v + tau2));
  const { yPy: rss, logDetXWX } = projection(x, w, yi);
  const logV = vi.reduce((s, v) => s + Math.log(v + tau2), 0);
  return -0.5 * (k - p) * Math.log(2 * Math.PI) - 0.5 * logV - 0.5 * logDetXWX - 0.5 * rss;
}

function fitModel(yi: number[], vi: number[], x: Matrix, method: Tau2Method, ci: CiMethod): Fit {
  const k = yi.length;
  const p = x[0]?.length ?? 1;
  const tau2 = estimateTau2(yi, vi, x, method);
  const w = vi.map((v) => 1 / (v + tau2));
  const { inverse } = invertWithLogDet(crossWeighted(x, w));
  const xwy = (x[0] ?? []).map((_, c) =>
    x.reduce((s, row, i) => s + (row[c] as number) * (w[i] as number) * (yi[i] as number), 0),
  );
  const beta = multiplyVector(inverse, xwy);
  let vb = inverse;
  let crit = Z_975;
  if (ci === 'knha') {
    const fitted = multiplyVector(x, beta);
    const rss = yi.reduce((s, y, i) => s + (w[i] as number) * (y - (fitted[i] as number)) ** 2, 0);
    const scale = rss <= Number.EPSILON ? 0 : rss / (k - p);
    vb = inverse.map((row) => row.map((value) => value * scale));
    crit = studentTUpperQuantile(0.025, k - p);
  }
  let qe = 0;
  let qePvalue = 1;
  let i2 = 0;
  if (k > p) {
    const mean = yi.reduce((a, b) => a + b, 0) / k;
    const centred = yi.map((y) => y - mean);
    const proj = projection(
      x,
      vi.map((v) => 1 / v),
      centred,
    );
    qe = proj.yPy;
    qePvalue = chiSquareUpperTail(qe, k - p);
    const typicalVariance = (k - p) / proj.trace;
    i2 =
      method === 'FE'
        ? Math.max(0, (100 * (qe - (k - p))) / qe)
        : (100 * tau2) / (typicalVariance + tau2);
  }
  const totalWeight = w.reduce((a, b) => a + b, 0);
  return {
    beta,
    vb,
    tau2,
    qe,
    qePvalue,
    i2,
    crit,
    weights: w.map((wi) => (100 * wi) / totalWeight),
  };
}

function checkEffects(effects: readonly StudyEffect[], minimum: number): void {
  if (effects.length < minimum)
    throw new RangeError(
      `A meta-analysis needs at least ${minimum} studies; got ${effects.length}`,
    );
  for (const e of effects) {
    if (!Number.isFinite(e.yi)) throw new RangeError(`${e.study}: the effect size is not a number`);
    if (!(e.vi > 0) || !Number.isFinite(e.vi))
      throw new RangeError(`${e.study}: the sampling variance must be a positive number`);
  }
}

/** Pools study effects: common-effect (FE) or random-effects with the chosen tau² estimator. */
export function metaAnalysis(
  effects: readonly StudyEffect[],
  options: MetaOptions = {},
): MetaAnalysis {
  const method = options.method ?? 'REML';
  const ci = options.ci ?? 'z';
  checkEffects(effects, ci === 'knha' ? 2 : 1);
  const yi = effects.map((e) => e.yi);
  const vi = effects.map((e) => e.vi);
  const x = effects.map(() => [1]);
  const f = fitModel(yi, vi, x, method, ci);
  const estimate = f.beta[0] as number;
  const se = Math.sqrt(f.vb[0]?.[0] as number);
  const half = f.crit * se;
  // metafor's predict(): the CI for a common-effect model, else ± crit·√(se² + tau²).
  const piHalf = method === 'FE' ? half : f.crit * Math.sqrt(se * se + f.tau2);
  return {
    k: effects.length,
    estimate,
    se,
    ciLower: estimate - half,
    ciUpper: estimate + half,
    tau2: f.tau2,
    i2: f.i2,
    q: f.qe,
    qPvalue: f.qePvalue,
    piLower: estimate - piHalf,
    piUpper: estimate + piHalf,
    method,
    ci,
    weights: f.weights,
  };
}

export interface EggerTest {
  /** Coefficient of the standard error in the meta-regression yi ~ sei. */
  slope: number;
  z: number;
  p: number;
}

/**
 * Egger's regression test for funnel-plot asymmetry as metafor's `regtest()` runs it by
 * default: a mixed-effects meta-regression of yi on sqrt(vi) (REML), z test of the slope.
 */
export function eggerTest(effects: readonly StudyEffect[], method: Tau2Method = 'REML'): EggerTest {
  checkEffects(effects, 3);
  const yi = effects.map((e) => e.yi);
  const vi = effects.map((e) => e.vi);
  const x = vi.map((v) => [1, Math.sqrt(v)]);
  const f = fitModel(yi, vi, x, method, 'z');
  const slope = f.beta[1] as number;
  const z = slope / Math.sqrt(f.vb[1]?.[1] as number);
  return { slope, z, p: normalTwoSidedP(z) };
}

export interface SubgroupAnalysis {
  groups: { name: string; result: MetaAnalysis }[];
  /** Test of subgroup differences: Cochran's Q between subgroup estimates. */
  qBetween: number;
  df: number;
  pBetween: number;
}

/**
 * Separate random-effects meta-analyses per subgroup (own tau² each), then Cochran's Q across
 * the subgroup estimates weighted by 1/se², on (groups − 1) df, the test of subgroup
 * differences of the Cochrane Handbook (§10.11.3.1).
 */
export function subgroupAnalysis(
  effects: readonly (StudyEffect & { subgroup: string })[],
  options: MetaOptions = {},
): SubgroupAnalysis {
  // One pass into subgroups (in order of first appearance), not one filter per subgroup.
  const bySubgroup = new Map<string, StudyEffect[]>();
  for (const e of effects) {
    const members = bySubgroup.get(e.subgroup);
    if (members) members.push(e);
    else bySubgroup.set(e.subgroup, [e]);
  }
  if (bySubgroup.size < 2) throw new RangeError('A subgroup analysis needs at least two subgroups');
  const groups = [...bySubgroup].map(([name, members]) => ({
    name,
    result: metaAnalysis(members, options),
  }));
  const between = metaAnalysis(
    groups.map((g) => ({ study: g.name, yi: g.result.estimate, vi: g.result.se ** 2 })),
    { method: 'FE' },
  );
  return { groups, qBetween: between.q, df: groups.length - 1, pBetween: between.qPvalue };
}
