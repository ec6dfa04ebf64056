import { describe, expect, it } from 'vitest';
import reference from '../stats/fixtures/regression.json' with { type: 'json' };
import {
  ASSOCIATION_NOTE,
  compareProducts,
  type DoseResponseJoint,
  doseMeasureOf,
  doseResponse,
  MIN_JOINTS_FOR_CURVE,
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
