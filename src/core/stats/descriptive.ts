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
  return meanWithCiFromSummary(n, mean, sd);
}

/** The same from a summary (n, mean, sample SD), e.g. as a database aggregates it. */
export function meanWithCiFromSummary(n: number, mean: number, sd: number | null): MeanWithCi {
  if (n < 2 || sd === null) return { n, mean, sd: Number.NaN, ciLower: null, ciUpper: null };
  const half = studentTUpperQuantile(0.025, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, ciLower: mean - half, ciUpper: mean + half };
}

export interface GroupSummary {
  n: number;
  mean: number;
  /** Sample SD; null for a single value. */
  sd: number | null;
}

/** Pools summaries of disjoint groups into the summary of their union (exact). */
export function poolSummaries(parts: readonly GroupSummary[]): GroupSummary | null {
  const n = parts.reduce((sum, p) => sum + p.n, 0);
  if (n === 0) return null;
  const mean = parts.reduce((sum, p) => sum + p.n * p.mean, 0) / n;
  if (n < 2) return { n, mean, sd: null };
  const squares = parts.reduce(
    (sum, p) => sum + (p.n - 1) * (p.sd ?? 0) ** 2 + p.n * (p.mean - mean) ** 2,
    0,
  );
  return { n, mean, sd: Math.sqrt(squares / (n - 1)) };
}
