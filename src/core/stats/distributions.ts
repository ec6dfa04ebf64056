/*
 * Special functions and the distribution tails the meta-analysis needs, to near double
 * precision: log-gamma (Lanczos, g = 7, n = 9), the regularised incomplete gamma and beta
 * functions (series and Lentz continued fractions, as in Press et al., Numerical Recipes,
 * 3rd ed., §6.2 and §6.4), and from them the normal, chi-square and Student t tails.
 */

const LANCZOS_G = 7;
// Lanczos coefficients for g = 7, n = 9 (Godfrey's published set).
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const EPS = 1e-16;
const TINY = 1e-300;
const MAX_TERMS = 10_000;

/** Regularised lower incomplete gamma P(a, x) by its power series; converges for x < a + 1. */
function gammaSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_TERMS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Regularised upper incomplete gamma Q(a, x) by continued fraction; for x ≥ a + 1. */
function gammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_TERMS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** Q(a, x) = Γ(a, x) / Γ(a), accurate in relative terms even far in the tail. */
export function upperRegularizedGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
}

/** P(X > x) for X ~ chi-square with df degrees of freedom (R's pchisq(x, df, lower.tail = FALSE)). */
export function chiSquareUpperTail(x: number, df: number): number {
  return upperRegularizedGamma(df / 2, x / 2);
}

/** P(Z > z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
  // erfc(u) = Q(1/2, u²) for u ≥ 0, with u = z / √2.
  if (z >= 0) return 0.5 * upperRegularizedGamma(0.5, (z * z) / 2);
  return 1 - normalUpperTail(-z);
}

/** Two-sided p-value of a z statistic. */
export function normalTwoSidedP(z: number): number {
  return 2 * normalUpperTail(Math.abs(z));
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_TERMS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x),
  );
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T > t) for Student's t with df degrees of freedom. */
export function studentTUpperTail(t: number, df: number): number {
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? tail : 1 - tail;
}

/** Solves upperTail(x) = p for a decreasing tail function by bracketing then bisection/Newton-free search. */
function invertUpperTail(upperTail: (x: number) => number, p: number): number {
  let lo = 0;
  let hi = 1;
  while (upperTail(hi) > p) {
    lo = hi;
    hi *= 2;
    if (hi > 1e12) throw new RangeError('quantile out of range');
  }
  // 200 halvings take the bracket below double precision.
  for (let i = 0; i < 200 && hi - lo > 4e-16 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (upperTail(mid) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Upper quantile of the standard normal: z with P(Z > z) = p, for 0 < p ≤ 0.5. */
export function normalUpperQuantile(p: number): number {
  if (!(p > 0 && p <= 0.5)) throw new RangeError(`need 0 < p ≤ 0.5, got ${p}`);
  return invertUpperTail(normalUpperTail, p);
}

/** Upper quantile of Student's t: t with P(T > t) = p, for 0 < p ≤ 0.5. */
export function studentTUpperQuantile(p: number, df: number): number {
  if (!(p > 0 && p <= 0.5)) throw new RangeError(`need 0 < p ≤ 0.5, got ${p}`);
  if (!(df > 0)) throw new RangeError(`need df > 0, got ${df}`);
  // Newton's method on the tail, from the normal quantile: the tail is convex for t > 0 and the
  // normal quantile lies below t's, so each step rises towards the root without passing it. A
  // few tail evaluations instead of bisection's fifty-odd: a report takes some 250 quantiles.
  const logScale = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  let t = normalQuantileStart(p);
  let previous = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 100; i++) {
    const density = Math.exp(logScale - ((df + 1) / 2) * Math.log1p((t * t) / df));
    const step = (studentTUpperTail(t, df) - p) / density;
    if (!Number.isFinite(step)) break;
    // Converged, or at the tail's rounding noise: with a large df the computed tail is a staircase
    // (x = df / (df + t²) moves by whole ulps), so a step may turn back (convexity rules that out
    // for the true tail) or stop shrinking quadratically while tiny.
    const size = Math.abs(step);
    if (size <= 4e-16 * t || step < 0 || (size < 1e-9 * t && size >= previous / 2)) return t;
    t += step;
    previous = size;
  }
  return invertUpperTail((x) => studentTUpperTail(x, df), p);
}

/** The normal upper quantiles asked for, kept: every t quantile starts from one. */
const normalQuantiles = new Map<number, number>();
function normalQuantileStart(p: number): number {
  let z = normalQuantiles.get(p);
  if (z === undefined) {
    z = normalUpperQuantile(p);
    if (normalQuantiles.size < 64) normalQuantiles.set(p, z);
  }
  return z;
}

/** z with P(Z > z) = 0.025: the multiplier of every normal-theory 95% interval. */
export const Z_975 = normalUpperQuantile(0.025);
