import { describe, expect, it } from 'vitest';
import { crossWeighted, invertWithLogDet, type Matrix, projection } from './linear.ts';

/** P = W − W X (X'WX)⁻¹ X' W entry by entry, as the k × k matrix it summarises. */
function explicitProjector(x: Matrix, w: number[]): Matrix {
  const { inverse } = invertWithLogDet(crossWeighted(x, w));
  return x.map((xi, i) =>
    x.map((xj, j) => {
      let h = 0;
      xi.forEach((a, r) => {
        xj.forEach((b, c) => {
          h += a * ((inverse[r] as number[])[c] as number) * b;
        });
      });
      return (i === j ? (w[i] as number) : 0) - (w[i] as number) * (w[j] as number) * h;
    }),
  );
}

const near = (got: number, want: number) =>
  expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(want)));

describe('projection', () => {
  const cases: { name: string; x: Matrix; w: number[]; y: number[] }[] = [
    {
      name: 'intercept only',
      x: [[1], [1], [1], [1], [1]],
      w: [4, 1.5, 9, 0.2, 2],
      y: [0.3, -0.1, 0.8, 1.2, 0.05],
    },
    {
      name: "Egger's design (intercept and standard error)",
      x: [0.1, 0.25, 0.4, 0.15, 0.3, 0.5].map((se) => [1, se]),
      w: [0.1, 0.25, 0.4, 0.15, 0.3, 0.5].map((se) => 1 / (se * se + 0.02)),
      y: [0.2, 0.5, 0.9, 0.1, 0.4, 1.1],
    },
    {
      name: 'one study weighing a million times the others',
      x: [[1], [1], [1]],
      w: [1e6, 1, 2],
      y: [0.5, 1, -1],
    },
  ];
  for (const c of cases) {
    it(`gives what the full k × k matrix gives: ${c.name}`, () => {
      const p = explicitProjector(c.x, c.w);
      const got = projection(c.x, c.w, c.y);
      const py = p.map((row) => row.reduce((s, v, j) => s + v * (c.y[j] as number), 0));
      got.py.forEach((v, i) => {
        near(v, py[i] as number);
      });
      near(
        got.yPy,
        py.reduce((s, v, i) => s + v * (c.y[i] as number), 0),
      );
      got.diagonal.forEach((v, i) => {
        near(v, (p[i] as number[])[i] as number);
      });
      near(
        got.trace,
        p.reduce((s, row, i) => s + (row[i] as number), 0),
      );
      near(
        got.traceOfSquare,
        p.reduce((s, row) => s + row.reduce((t, v) => t + v * v, 0), 0),
      );
    });
  }
});
