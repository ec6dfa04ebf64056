import { studentTUpperQuantile, studentTUpperTail } from './distributions.ts';
import type { Matrix } from './linear.ts';

/**
 * Ordinary least squares with covariates, as R's `lm` fits it: coefficients by a Householder
 * QR decomposition of the design (not the normal equations, whose squared condition number
 * would cost digits when ages and BMIs sit beside 0/1 columns), t-based SEs and 95% CIs, and
 * the 95% confidence band of the fitted mean (`predict(interval = "confidence")`).
 */

export interface Coefficient {
  term: string;
  estimate: number;
  stdError: number;
  t: number;
  /** Two-sided p for the coefficient being 0 (Student's t on the residual df). */
  p: number;
  /** 95% CI. */
  lower: number;
  upper: number;
}

export interface OlsFit {
  n: number;
  /** Residual degrees of freedom, n − p. */
  df: number;
  coefficients: Coefficient[];
  /** Estimated covariance of the coefficients, σ̂² (X'X)⁻¹. */
  covariance: Matrix;
  /** Residual standard error. */
  sigma: number;
  rSquared: number;
}

/** Why no fit: too few rows for the columns, or a column that the others determine. */
export type OlsFailure = { ok: false; reason: 'too-few-rows' | 'collinear' };

/** Relative size under which a column counts as determined by the others (R's lm uses 1e-7). */
const RANK_TOLERANCE = 1e-7;

export function ordinaryLeastSquares(
  x: readonly (readonly number[])[],
  y: readonly number[],
  terms: readonly string[],
): ({ ok: true } & OlsFit) | OlsFailure {
  const n = y.length;
  const p = terms.length;
  if (n <= p) return { ok: false, reason: 'too-few-rows' };
  // Column-major copy, reduced in place to R (upper triangle); qty holds Q'y.
  const a = Array.from({ length: p }, (_, j) => x.map((row) => row[j] as number));
  const qty = [...y];
  for (let k = 0; k < p; k++) {
    const col = a[k] as number[];
    let norm = 0;
    for (let i = k; i < n; i++) norm += (col[i] as number) ** 2;
    norm = Math.sqrt(norm);
    const original = Math.sqrt(x.reduce((s, row) => s + (row[k] as number) ** 2, 0));
    if (norm <= RANK_TOLERANCE * Math.max(original, 1e-300))
      return { ok: false, reason: 'collinear' };
    const alpha = (col[k] as number) > 0 ? -norm : norm;
    const v = col.slice(k);
    v[0] = (v[0] as number) - alpha;
    const vv = v.reduce((s, value) => s + value * value, 0);
    const reflect = (target: number[]) => {
      let d = 0;
      for (let i = k; i < n; i++) d += (v[i - k] as number) * (target[i] as number);
      const f = (2 * d) / vv;
      for (let i = k; i < n; i++) target[i] = (target[i] as number) - f * (v[i - k] as number);
    };
    for (let j = k; j < p; j++) reflect(a[j] as number[]);
    reflect(qty);
  }
  const r = (i: number, j: number) => (a[j] as number[])[i] as number;
  // β = R⁻¹ (Q'y)[0..p), by back substitution.
  const beta = new Array<number>(p).fill(0);
  for (let i = p - 1; i >= 0; i--) {
    let s = qty[i] as number;
    for (let j = i + 1; j < p; j++) s -= r(i, j) * (beta[j] as number);
    beta[i] = s / r(i, i);
  }
  let rss = 0;
  for (let i = p; i < n; i++) rss += (qty[i] as number) ** 2;
  const df = n - p;
  const sigma = Math.sqrt(rss / df);
  // (X'X)⁻¹ = R⁻¹ R⁻ᵀ; R⁻¹ by back substitution on the identity.
  const rInv: Matrix = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let c = 0; c < p; c++)
    for (let i = c; i >= 0; i--) {
      let s = i === c ? 1 : 0;
      for (let j = i + 1; j <= c; j++) s -= r(i, j) * ((rInv[j] as number[])[c] as number);
      (rInv[i] as number[])[c] = s / r(i, i);
    }
  const covariance: Matrix = Array.from({ length: p }, (_, i) =>
    Array.from({ length: p }, (_, j) => {
      let s = 0;
      for (let k = Math.max(i, j); k < p; k++)
        s += ((rInv[i] as number[])[k] as number) * ((rInv[j] as number[])[k] as number);
      return s * sigma * sigma;
    }),
  );
  const tCrit = studentTUpperQuantile(0.025, df);
  const coefficients = terms.map((term, j) => {
    const estimate = beta[j] as number;
    const stdError = Math.sqrt((covariance[j] as number[])[j] as number);
    const t = estimate / stdError;
    return {
      term,
      estimate,
      stdError,
      t,
      p: 2 * studentTUpperTail(Math.abs(t), df),
      lower: estimate - tCrit * stdError,
      upper: estimate + tCrit * stdError,
    };
  });
  const mean = y.reduce((s, v) => s + v, 0) / n;
  const total = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  return {
    ok: true,
    n,
    df,
    coefficients,
    covariance,
    sigma,
    rSquared: total > 0 ? 1 - rss / total : 0,
  };
}

export interface MeanPrediction {
  fit: number;
  stdError: number;
  /** 95% confidence band of the fitted mean at this point. */
  lower: number;
  upper: number;
}

/** The fitted mean at a row of the design and its 95% confidence interval (not a prediction interval). */
export function predictMean(fit: OlsFit, row: readonly number[]): MeanPrediction {
  const value = fit.coefficients.reduce((s, c, j) => s + c.estimate * (row[j] as number), 0);
  let variance = 0;
  fit.covariance.forEach((covRow, i) => {
    covRow.forEach((c, j) => {
      variance += (row[i] as number) * c * (row[j] as number);
    });
  });
  const stdError = Math.sqrt(Math.max(variance, 0));
  const tCrit = studentTUpperQuantile(0.025, fit.df);
  return { fit: value, stdError, lower: value - tCrit * stdError, upper: value + tCrit * stdError };
}
