/** Small dense linear algebra for meta-regression design matrices (k studies × p columns). */
export type Matrix = number[][];

/** Inverse and log-determinant of a small symmetric positive-definite matrix (Gauss–Jordan). */
export function invertWithLogDet(m: Matrix): { inverse: Matrix; logDet: number } {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
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

/** x_i' A x_j for rows i, j of X. */
export function quadratic(xi: number[], a: Matrix, xj: number[]): number {
  let s = 0;
  for (let r = 0; r < xi.length; r++) {
    const ar = a[r] as number[];
    for (let c = 0; c < xj.length; c++)
      s += (xi[r] as number) * (ar[c] as number) * (xj[c] as number);
  }
  return s;
}

/**
 * The projection P = W − W X (X'WX)⁻¹ X' W (with W = diag(w)) as a full k × k matrix, and
 * the log-determinant of X'WX. P y gives weighted residuals; traces of P drive the tau²
 * estimators.
 */
export function residualProjector(x: Matrix, w: number[]): { p: Matrix; logDetXWX: number } {
  const { inverse, logDet } = invertWithLogDet(crossWeighted(x, w));
  const k = x.length;
  const p: Matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++) {
    const wi = w[i] as number;
    const xi = x[i] as number[];
    const row = p[i] as number[];
    for (let j = 0; j < k; j++) {
      const h = wi * (w[j] as number) * quadratic(xi, inverse, x[j] as number[]);
      row[j] = (i === j ? wi : 0) - h;
    }
  }
  return { p, logDetXWX: logDet };
}

export function multiplyVector(m: Matrix, v: number[]): number[] {
  return m.map((row) => row.reduce((s, value, j) => s + value * (v[j] as number), 0));
}

export function dot(a: number[], b: number[]): number {
  return a.reduce((s, value, i) => s + value * (b[i] as number), 0);
}

export function trace(m: Matrix): number {
  return m.reduce((s, row, i) => s + (row[i] as number), 0);
}

/** Sum of squared entries: tr(PP) for symmetric P. */
export function sumOfSquares(m: Matrix): number {
  return m.reduce((s, row) => s + row.reduce((t, value) => t + value * value, 0), 0);
}
