/** Small dense linear algebra for meta-regression design matrices (k studies × p columns). */
export type Matrix = number[][];

/** Inverse and log-determinant of a small symmetric positive-definite matrix (Gauss–Jordan). */
export function invertWithLogDet(m: Matrix): { inverse: Matrix; logDet: number } {
  const n = m.length;
  // Plain loops: Array.from and spreads cost more than the elimination at REML's 9 × 9.
  const a: number[][] = [];
  for (let i = 0; i < n; i++) {
    const source = m[i] as number[];
    const row = new Array<number>(2 * n);
    for (let j = 0; j < n; j++) {
      row[j] = source[j] as number;
      row[n + j] = i === j ? 1 : 0;
    }
    a.push(row);
  }
  let logDet = 0;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++)
      if (Math.abs(a[r]?.[col] ?? 0) > Math.abs(a[pivot]?.[col] ?? 0)) pivot = r;
    const pivotRow = a[pivot] as number[];
    const value = pivotRow[col] as number;
    if (value === 0 || !Number.isFinite(value)) throw new RangeError('singular matrix');
    [a[col], a[pivot]] = [pivotRow, a[col] as number[]];
    logDet += Math.log(Math.abs(value));
    const row = a[col] as number[];
    for (let j = 0; j < 2 * n; j++) row[j] = (row[j] as number) / value;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const other = a[r] as number[];
      const factor = other[col] as number;
      if (factor === 0) continue;
      for (let j = 0; j < 2 * n; j++) other[j] = (other[j] as number) - factor * (row[j] as number);
    }
  }
  return { inverse: a.map((row) => row.slice(n)), logDet };
}

/** X'WX for a diagonal weight vector w. */
export function crossWeighted(x: Matrix, w: number[]): Matrix {
  const p = x[0]?.length ?? 0;
  const out: Matrix = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  x.forEach((row, i) => {
    const wi = w[i] as number;
    for (let a = 0; a < p; a++)
      for (let b = 0; b < p; b++)
        (out[a] as number[])[b] =
          ((out[a] as number[])[b] as number) + wi * (row[a] as number) * (row[b] as number);
  });
  return out;
}

/**
 * The projection P = W − W X (X'WX)⁻¹ X' W (with W = diag(w)) that drives the tau²
 * estimators, summarised without forming its k × k entries, so a meta-analysis costs
 * O(k p²) rather than O(k²): P y, y'P y, the diagonal and trace of P, tr(PP) and log|X'WX|.
 */
export interface Projection {
  /** P y: the weighted residuals w_i·e_i, e = y − Xβ̂ the weighted least-squares residuals. */
  py: number[];
  /** y'P y = Σ w_i e_i² (never negative). */
  yPy: number;
  /** P_ii = w_i (1 − w_i h_i), with h_i = x_i'(X'WX)⁻¹x_i. */
  diagonal: number[];
  trace: number;
  /** tr(PP) = Σ_ij P_ij² (P is symmetric). */
  traceOfSquare: number;
  logDetXWX: number;
}

export function projection(x: Matrix, w: readonly number[], y: readonly number[]): Projection {
  const { inverse, logDet } = invertWithLogDet(crossWeighted(x, w as number[]));
  const k = x.length;
  const p = inverse.length;
  const xwy = new Array<number>(p).fill(0);
  for (let i = 0; i < k; i++) {
    const row = x[i] as number[];
    const wy = (w[i] as number) * (y[i] as number);
    for (let a = 0; a < p; a++) xwy[a] = (xwy[a] as number) + (row[a] as number) * wy;
  }
  const beta = multiplyVector(inverse, xwy);
  const py = new Array<number>(k);
  const diagonal = new Array<number>(k);
  let yPy = 0;
  let traceP = 0;
  let diagonalSquares = 0;
  let offDiagonalHalf = 0;
  // Σ_{j<i} w_j² x_j x_j', so that Σ_{i≠j} P_ij² = 2 Σ_i w_i² u_i' (Σ_{j<i} w_j² x_j x_j') u_i
  // with u_i = (X'WX)⁻¹x_i: a sum of non-negative terms, so no cancellation.
  const before: Matrix = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const u = new Array<number>(p).fill(0);
  for (let i = 0; i < k; i++) {
    const xi = x[i] as number[];
    const wi = w[i] as number;
    let fitted = 0;
    let leverage = 0;
    for (let a = 0; a < p; a++) {
      const row = inverse[a] as number[];
      let ua = 0;
      for (let b = 0; b < p; b++) ua += (row[b] as number) * (xi[b] as number);
      u[a] = ua;
      leverage += (xi[a] as number) * ua;
      fitted += (xi[a] as number) * (beta[a] as number);
    }
    let spread = 0;
    for (let a = 0; a < p; a++) {
      const row = before[a] as number[];
      for (let b = 0; b < p; b++)
        spread += (u[a] as number) * (row[b] as number) * (u[b] as number);
    }
    const e = (y[i] as number) - fitted;
    const pii = wi * (1 - wi * leverage);
    py[i] = wi * e;
    yPy += wi * e * e;
    diagonal[i] = pii;
    traceP += pii;
    diagonalSquares += pii * pii;
    offDiagonalHalf += wi * wi * spread;
    const wi2 = wi * wi;
    for (let a = 0; a < p; a++) {
      const row = before[a] as number[];
      for (let b = 0; b < p; b++)
        row[b] = (row[b] as number) + wi2 * (xi[a] as number) * (xi[b] as number);
    }
  }
  return {
    py,
    yPy,
    diagonal,
    trace: traceP,
    traceOfSquare: diagonalSquares + 2 * offDiagonalHalf,
    logDetXWX: logDet,
  };
}

export function multiplyVector(m: Matrix, v: number[]): number[] {
  return m.map((row) => row.reduce((s, value, j) => s + value * (v[j] as number), 0));
}

export function dot(a: number[], b: number[]): number {
  return a.reduce((s, value, i) => s + value * (b[i] as number), 0);
}
