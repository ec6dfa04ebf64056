import { studentTUpperQuantile } from './distributions.ts';

export interface MeanWithCi {
  n: number;
  mean: number;
  sd: number;
  /** 95% CI of the mean on the t distribution with n − 1 df; null when n < 2. */
  ciLower: number | null;
  ciUpper: number | null;
}

/** Mean, sample SD and the 95% t-interval of the mean; null for no values. */
export function meanWithCi(values: readonly number[]): MeanWithCi | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { n, mean, sd: Number.NaN, ciLower: null, ciUpper: null };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const half = studentTUpperQuantile(0.025, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, ciLower: mean - half, ciUpper: mean + half };
}
