import { describe, expect, it } from 'vitest';
import reference from '../stats/fixtures/regression.json' with { type: 'json' };
import {
  ASSOCIATION_NOTE,
  compareProducts,
  type DoseResponseJoint,
  doseMeasureOf,
  doseResponse,
  firstSeriesDose,
  type Injection,
  MIN_JOINTS_FOR_CURVE,
  SERIES_DOSE_RULE,
} from './dose-response.ts';

type Row = Record<string, string | number>;
const caseOf = (name: string) => {
  const c = reference.cases.find((x) => x.name === name);
  if (!c) throw new Error(name);
  return c;
};

function near(ours: number | undefined, theirs: number) {
  expect(Math.abs((ours ?? Number.NaN) - theirs)).toBeLessThanOrEqual(
    1e-6 * Math.max(1, Math.abs(theirs)),
  );
}

const joint = (over: Partial<DoseResponseJoint>): DoseResponseJoint => ({
  productClass: 'BMAC',
  dose: null,
  injections: 1,
  klGrade: 2,
  sex: 'female',
  age: 60,
  bmi: 27,
  pain: null,
  function: null,
  ...over,
});

describe('dose–response against R lm (fixtures/regression.R)', () => {
  const dose = caseOf('dose');
  const joints = (dose.data as Row[]).map((r) =>
    joint({
      dose: Number(r.dose),
      pain: { baseline: Number(r.baseline), followUp: Number(r.baseline) + Number(r.change) },
    }),
  );

  it('fits change ~ log dose + baseline per product class, with its 95% band at the mean baseline', () => {
    const report = doseResponse(joints, 'm6');
    expect(report.note).toBe(ASSOCIATION_NOTE);
    const curve = report.curves.find((c) => c.productClass === 'BMAC' && c.outcome === 'pain');
    if (curve?.status !== 'fitted') throw new Error('expected a curve');
    const slope = dose.coefficients[1] as (typeof dose.coefficients)[number];
    near(curve.perDoubling.estimate, slope.estimate * Math.LN2);
    near(curve.perDoubling.lower, slope.lower * Math.LN2);
    near(curve.perDoubling.upper, slope.upper * Math.LN2);
    near(curve.perDoubling.p, slope.p);
    near(curve.baseline.estimate, dose.coefficients[2]?.estimate ?? Number.NaN);
    expect(curve.points).toHaveLength(joints.length);
    // R predicted at 5 doses evenly spaced in log dose; the curve's 25 points hold them at every 6th.
    dose.predictions?.forEach((want, k) => {
      const got = curve.curve[k * 6];
      near(Math.log(got?.dose ?? Number.NaN), Number((want.at as Row).logDose));
      near(got?.fit, want.fit);
      near(got?.lower, want.lower);
      near(got?.upper, want.upper);
    });
    // Function was not scored: that curve says so instead of being drawn.
    const fn = report.curves.find((c) => c.productClass === 'BMAC' && c.outcome === 'function');
    expect(fn?.status).toBe('no-dose-recorded');
  });

  it('draws no curve below the minimum number of joints, and says so', () => {
    const few = doseResponse(joints.slice(0, MIN_JOINTS_FOR_CURVE - 1), 'm6');
    const curve = few.curves.find((c) => c.outcome === 'pain');
    expect(curve?.status).toBe('too-few-joints');
    if (curve?.status === 'fitted') throw new Error('no curve expected');
    expect(curve?.message).toContain(`at least ${MIN_JOINTS_FOR_CURVE}`);
  });

  it('reports PRP without a platelet dose as "no dose recorded"; comparators have no dose measure', () => {
    const prp = joints.map((j) => ({ ...j, productClass: 'PRP', dose: null }));
    const curve = doseResponse(prp, 'm6').curves.find((c) => c.outcome === 'pain');
    expect(curve?.status).toBe('no-dose-recorded');
    expect(doseMeasureOf('PRP')?.column).toBe('platelet_dose_billions');
    expect(doseMeasureOf('BMAC')?.column).toBe('cell_dose_millions');
    expect(doseMeasureOf('HA')).toBeNull();
  });
});

describe("a series of injections: the joint's dose is its first series' total", () => {
  const injection = (over: Partial<Injection>): Injection => ({
    productClass: 'PRP',
    date: '2026-01-10',
    dose: 2,
    seriesNumber: 1,
    ...over,
  });

  it('adds the injections numbered 2, 3, … after the first, by the time point', () => {
    const series = [
      injection({ dose: 2 }),
      injection({ date: '2026-01-24', dose: 3, seriesNumber: 2 }),
      injection({ date: '2026-02-07', dose: 4, seriesNumber: 3 }),
    ];
    expect(firstSeriesDose(series, 'm6')).toEqual({ injections: 3, dose: 9 });
    // Six weeks after 2026-01-10 is 2026-02-21: all three were given by then.
    expect(firstSeriesDose(series, 'w6')).toEqual({ injections: 3, dose: 9 });
    const late = [...series, injection({ date: '2026-08-01', dose: 5, seriesNumber: 4 })];
    expect(firstSeriesDose(late, 'm6')).toEqual({ injections: 3, dose: 9 });
    expect(firstSeriesDose(late, 'm12')).toEqual({ injections: 4, dose: 14 });
  });

  it('ends the series at a new series or another product, and has no total with a dose missing', () => {
    const single = injection({ dose: 2.5 });
    expect(firstSeriesDose([single], 'm6')).toEqual({ injections: 1, dose: 2.5 });
    expect(
      firstSeriesDose([single, injection({ date: '2026-03-01', seriesNumber: 1, dose: 9 })], 'm6'),
    ).toEqual({ injections: 1, dose: 2.5 });
    // Unnumbered injections start their own series: only a recorded 2, 3, … continues one.
    expect(
      firstSeriesDose([single, injection({ date: '2026-02-01', seriesNumber: null })], 'm6'),
    ).toEqual({ injections: 1, dose: 2.5 });
    expect(
      firstSeriesDose(
        [single, injection({ date: '2026-02-01', productClass: 'HA', seriesNumber: 2 })],
        'm6',
      ),
    ).toEqual({ injections: 1, dose: 2.5 });
    expect(
      firstSeriesDose(
        [single, injection({ date: '2026-02-01', seriesNumber: 2, dose: null })],
        'm6',
      ),
    ).toEqual({ injections: 2, dose: null });
    expect(firstSeriesDose([], 'm6')).toEqual({ injections: 0, dose: null });
  });

  it("fits the series' totals as R does (fixtures/regression.R, case 'series')", () => {
    const series = caseOf('series') as ReturnType<typeof caseOf> & {
      injections: { joint: number; date: string; product: string; series: number; dose?: number }[];
    };
    const joints = (series.data as Row[]).map((r) => {
      const injections = series.injections
        .filter((i) => i.joint === Number(r.joint))
        .map((i) => ({
          productClass: i.product,
          date: i.date,
          dose: i.dose ?? null,
          seriesNumber: i.series,
        }));
      const total = firstSeriesDose(injections, 'm6');
      // R's own totals of the same rows, by the same rule.
      near(total.dose ?? Number.NaN, Number(r.dose));
      expect(total.injections).toBe(Number(r.injections));
      return joint({
        productClass: 'PRP',
        ...total,
        pain: { baseline: Number(r.baseline), followUp: Number(r.baseline) + Number(r.change) },
      });
    });
    // Some joints had a series, and some rows were left out of their joint's total.
    expect(joints.filter((j) => j.injections > 1).length).toBeGreaterThan(10);
    expect(series.injections.length).toBeGreaterThan(joints.reduce((t, j) => t + j.injections, 0));
    const report = doseResponse(joints, 'm6');
    expect(report.dosing).toEqual({
      rule: SERIES_DOSE_RULE,
      seriesJoints: joints.filter((j) => j.injections > 1).length,
    });
    const curve = report.curves.find((c) => c.productClass === 'PRP' && c.outcome === 'pain');
    if (curve?.status !== 'fitted') throw new Error('expected a curve');
    const [intercept, slope, baseline] = series.coefficients;
    expect(intercept?.term).toBe('(Intercept)');
    near(curve.perDoubling.estimate, (slope?.estimate ?? Number.NaN) * Math.LN2);
    near(curve.perDoubling.lower, (slope?.lower ?? Number.NaN) * Math.LN2);
    near(curve.perDoubling.upper, (slope?.upper ?? Number.NaN) * Math.LN2);
    near(curve.perDoubling.p, slope?.p ?? Number.NaN);
    near(curve.baseline.estimate, baseline?.estimate ?? Number.NaN);
    // With each joint's first injection alone the fit would differ: the total is what is used.
    const firstOnly = joints.map((j, i) => ({
      ...j,
      dose: series.injections.find((x) => x.joint === i + 1)?.dose ?? null,
    }));
    const other = doseResponse(firstOnly, 'm6').curves.find((c) => c.outcome === 'pain');
    if (other?.status !== 'fitted') throw new Error('expected a curve');
    expect(Math.abs(other.perDoubling.estimate - curve.perDoubling.estimate)).toBeGreaterThan(0.01);
  });
});

describe('adjusted product comparison against R lm', () => {
  const products = caseOf('products');
  const joints = (products.data as Row[]).map((r) =>
    joint({
      productClass: String(r.product),
      klGrade: Number(r.kl),
      sex: String(r.sex),
      age: Number(r.age),
      bmi: Number(r.bmi),
      function: {
        baseline: Number(r.baseline),
        followUp: Number(r.baseline) + Number(r.change),
      },
    }),
  );

  it('matches every coefficient of change ~ product + baseline + KL + age + sex + BMI', () => {
    const result = compareProducts(joints, 'function');
    expect(result.status).toBe('fitted');
    expect(result.joints).toBe(products.n);
    const ours = [...result.differences, ...result.covariates];
    const names: Record<string, string> = {
      kl: 'KL grade',
      bmi: 'BMI',
      sexmale: 'sex male',
      baseline: 'baseline',
      age: 'age',
    };
    products.coefficients.slice(1).forEach((want, i) => {
      const got = ours[i];
      expect(got?.term).toBe(names[want.term] ?? want.term.replace(/^product/, 'product '));
      for (const key of ['estimate', 'stdError', 'p', 'lower', 'upper'] as const)
        near(got?.[key], want[key]);
    });
  });

  it('needs two product classes with enough joints', () => {
    const one = joints.map((j) => ({ ...j, productClass: 'BMAC' }));
    const result = compareProducts(one, 'function');
    expect(result.status).toBe('too-few-joints');
    expect(result.message).toMatch(/Too few joints/);
  });
});
