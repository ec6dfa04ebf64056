import { describe, expect, it } from 'vitest';
import { BUILT_IN_INSTRUMENTS } from '../instruments/library.ts';
import { scoreResponse } from '../instruments/scoring.ts';
import {
  globalOnRuleScale,
  inPass,
  omeractOarsi,
  pastMcid,
  pastRelativeMcid,
  respondersByTimepoint,
  type ScaleThresholds,
  SURGICAL_WARNING,
  scaleThresholds,
  thresholdShares,
} from './responders.ts';

const thresholds = scaleThresholds(BUILT_IN_INSTRUMENTS);
const of = (instrumentId: string, scale: string) => {
  const t = thresholds.find((x) => x.instrumentId === instrumentId && x.scale === scale);
  if (!t) throw new Error(`no thresholds for ${instrumentId} ${scale}`);
  return t;
};

describe('thresholds from the definition files', () => {
  it('NRS pain: MCID 2 points down and a 30% fall (Farrar 2001), no PASS; not surgical', () => {
    const nrs = of('nrs-pain', 'pain');
    expect(nrs).toMatchObject({
      instrumentId: 'nrs-pain',
      scale: 'pain',
      higherIsBetter: false,
      mcid: 2,
      pass: null,
      relativeMcid: 0.3,
      best: 0,
    });
    expect(nrs.derivedIn.mcid?.population).toMatch(/chronic pain/);
    expect(nrs.derivedIn.relativeMcid?.warning).toBeNull();
  });
  it('warns beside thresholds derived after arthroplasty (KOOS PASS, HOOS MCID and PASS)', () => {
    const koos = of('koos', 'pain');
    expect(koos.derivedIn.mcid?.surgical).toBe(false);
    expect(koos.derivedIn.pass?.warning).toBe(SURGICAL_WARNING);
    const hoos = of('hoos', 'pain');
    expect(hoos.derivedIn.mcid?.warning).toBe(SURGICAL_WARNING);
    expect(hoos.derivedIn.mcid?.population).toMatch(/hip arthroplasty/);
  });
  it('KOOS: an MCID on every subscale, a PASS on all but Sport/Rec', () => {
    expect(['pain', 'symptoms', 'adl', 'sport', 'qol'].map((s) => of('koos', s).mcid)).toEqual([
      15, 12.5, 15.5, 17.5, 12.5,
    ]);
    expect(['pain', 'symptoms', 'adl', 'sport', 'qol'].map((s) => of('koos', s).pass)).toEqual([
      84.5,
      80.5,
      83,
      null,
      66,
    ]);
  });
  it('PROMIS Global-10 has none (no checked source)', () => {
    expect(thresholds.some((t) => t.instrumentId === 'promis-global-10')).toBe(false);
  });
});

describe('past the MCID', () => {
  const nrs = of('nrs-pain', 'pain');
  it('counts a fall in pain of exactly the MCID, not one point less', () => {
    expect(pastMcid(7, 5, nrs)).toBe(true);
    expect(pastMcid(7, 6, nrs)).toBe(false);
    expect(pastMcid(5, 7, nrs)).toBe(false);
  });
  it('on KOOS, item answers landing exactly on the MCID count, one step less does not', () => {
    const koos = BUILT_IN_INSTRUMENTS.find((d) => d.id === 'koos');
    if (!koos) throw new Error('KOOS missing');
    // Four QOL items, 6.25 points a step: two items one step better = 12.5, the QOL MCID.
    const qol = (better: number) =>
      scoreResponse(
        koos,
        Object.fromEntries(['Q1', 'Q2', 'Q3', 'Q4'].map((code, i) => [code, i < better ? 2 : 3])),
      ).qol ?? Number.NaN;
    const t = of('koos', 'qol');
    expect(pastMcid(qol(0), qol(2), t)).toBe(true);
    expect(pastMcid(qol(0), qol(1), t)).toBe(false);
  });
});

describe('past the relative MCID (NRS: pain down by 30%)', () => {
  const t = of('nrs-pain', 'pain');
  it('counts a fall of 30% of the baseline, not less, and never a joint without pain', () => {
    expect(pastRelativeMcid(10, 7, t)).toBe(true);
    expect(pastRelativeMcid(10, 8, t)).toBe(false);
    // 3 → 2 is a 1-point fall, 33%: past the relative criterion though not the 2-point one.
    expect(pastRelativeMcid(3, 2, t)).toBe(true);
    expect(pastMcid(3, 2, t)).toBe(false);
    expect(pastRelativeMcid(0, 0, t)).toBe(false);
  });
});

describe('in the PASS', () => {
  const t: ScaleThresholds = {
    instrumentId: 'koos',
    scale: 'pain',
    higherIsBetter: true,
    mcid: null,
    pass: 84.5,
    relativeMcid: null,
    best: 100,
    derivedIn: { mcid: null, pass: null, relativeMcid: null },
  };
  it('at the threshold counts, just below does not', () => {
    expect(inPass(84.5, t)).toBe(true);
    expect(inPass(84.49, t)).toBe(false);
    expect(inPass(100, t)).toBe(true);
  });
  it('lower-is-better scales turn the comparison round', () => {
    const lower = { ...t, higherIsBetter: false, pass: 3 };
    expect(inPass(3, lower)).toBe(true);
    expect(inPass(3.01, lower)).toBe(false);
  });
});

describe('OMERACT-OARSI without a patient global', () => {
  const d = (baseline: number, followUp: number) => ({ baseline, followUp });
  it('high improvement in pain alone: ≥ 50% and ≥ 20 points, both needed', () => {
    // Baseline 40 → problem 60; 50% of 60 = 30 points.
    expect(omeractOarsi(d(40, 70), d(40, 40))).toBe('responder');
    expect(omeractOarsi(d(40, 69), d(40, 40))).toBe('undetermined');
    // Baseline 70 → problem 30; 50% is 15 points but the absolute 20 still binds.
    expect(omeractOarsi(d(70, 89), d(70, 70))).toBe('undetermined');
    expect(omeractOarsi(d(70, 90), d(70, 70))).toBe('responder');
  });
  it('high improvement in function alone counts the same', () => {
    expect(omeractOarsi(d(40, 40), d(40, 70))).toBe('responder');
  });
  it('moderate improvement (≥ 20% and ≥ 10) in both pain and function: responder', () => {
    // Baseline 50 → problem 50; 20% = 10 points.
    expect(omeractOarsi(d(50, 60), d(50, 60))).toBe('responder');
    expect(omeractOarsi(d(50, 60), d(50, 59))).toBe('undetermined');
    // Baseline 20 → problem 80; 20% = 16 points binds over the absolute 10.
    expect(omeractOarsi(d(20, 35), d(20, 36))).toBe('undetermined');
    expect(omeractOarsi(d(20, 36), d(20, 36))).toBe('responder');
  });
  it('neither domain improved enough: non-responder whatever the global says', () => {
    expect(omeractOarsi(d(50, 59), d(50, 59))).toBe('non-responder');
    expect(omeractOarsi(d(50, 30), d(50, 45))).toBe('non-responder');
    // Nothing left to improve: a perfect baseline cannot respond.
    expect(omeractOarsi(d(100, 100), d(100, 100))).toBe('non-responder');
  });
});

describe('OMERACT-OARSI with the patient global', () => {
  const d = (baseline: number, followUp: number) => ({ baseline, followUp });
  it('reads the 0–10 global (10 worst) on the rule’s 0–100 scale', () => {
    expect(globalOnRuleScale(0)).toBe(100);
    expect(globalOnRuleScale(10)).toBe(0);
    expect(globalOnRuleScale(6)).toBe(40);
  });
  it('decides the joints where exactly one of pain and function improved', () => {
    // Global 6 → 4 on 0–10 is 40 → 60 on the rule's scale: ≥ 10 points and ≥ 20% of 60.
    const improved = d(globalOnRuleScale(6), globalOnRuleScale(4));
    const same = d(globalOnRuleScale(6), globalOnRuleScale(6));
    expect(omeractOarsi(d(50, 60), d(50, 55), improved)).toBe('responder');
    expect(omeractOarsi(d(50, 60), d(50, 55), same)).toBe('non-responder');
    // Global 2 → 1 is 80 → 90: 10 points, and 20% of the 20 left: improved.
    expect(omeractOarsi(d(50, 50), d(50, 60), d(80, 90))).toBe('responder');
    // Global 9 → 8 is 10 → 20: 10 points but less than 20% of 90: not improved.
    expect(omeractOarsi(d(50, 50), d(50, 60), d(10, 20))).toBe('non-responder');
  });
  it('changes nothing where pain and function alone decide', () => {
    const worse = d(80, 20);
    expect(omeractOarsi(d(40, 70), d(40, 40), worse)).toBe('responder');
    expect(omeractOarsi(d(50, 59), d(50, 59), d(0, 100))).toBe('non-responder');
  });
});

describe('pooling over sites', () => {
  it('adds counts across sites and gives Clopper–Pearson intervals', () => {
    const t = of('nrs-pain', 'pain');
    const shares = thresholdShares(
      [
        {
          siteId: 'a',
          instrumentId: 'nrs-pain',
          scale: 'pain',
          timepoint: 'm3',
          paired: 10,
          pastMcid: 4,
          pastRelative: 5,
          scored: 12,
          inPass: 0,
        },
        {
          siteId: 'b',
          instrumentId: 'nrs-pain',
          scale: 'pain',
          timepoint: 'm3',
          paired: 10,
          pastMcid: 6,
          pastRelative: 7,
          scored: 10,
          inPass: 0,
        },
      ],
      [t],
      ['baseline', 'm3', 'm6'],
    );
    expect(shares).toHaveLength(1);
    expect(shares[0]?.pastMcid?.count).toBe(10);
    expect(shares[0]?.pastMcid?.n).toBe(20);
    expect(shares[0]?.pastMcid?.share).toBe(0.5);
    expect(shares[0]?.pastRelative?.count).toBe(12);
    // R: binom.test(10, 20)$conf.int = 0.2719578 0.7280422
    expect(shares[0]?.pastMcid?.lower).toBeCloseTo(0.2719578, 6);
    expect(shares[0]?.pastMcid?.upper).toBeCloseTo(0.7280422, 6);
    expect(shares[0]?.inPass).toBeNull();
  });
  it('responders: lower bound and upper bound with the undetermined', () => {
    const [m6] = respondersByTimepoint(
      [
        { siteId: 'a', timepoint: 'm6', joints: 8, responders: 3, undetermined: 2, withGlobal: 0 },
        { siteId: 'b', timepoint: 'm6', joints: 12, responders: 7, undetermined: 1, withGlobal: 4 },
      ],
      ['baseline', 'm3', 'm6'],
    );
    expect(m6?.joints).toBe(20);
    expect(m6?.responders.count).toBe(10);
    expect(m6?.undetermined).toBe(3);
    expect(m6?.upperBound.count).toBe(13);
    expect(m6?.withGlobal).toBe(4);
    expect(m6?.exact).toBe(false);
  });
  it('responders: exact when the patient global classed every joint', () => {
    const [m6] = respondersByTimepoint(
      [{ siteId: 'a', timepoint: 'm6', joints: 5, responders: 2, undetermined: 0, withGlobal: 5 }],
      ['baseline', 'm6'],
    );
    expect(m6?.exact).toBe(true);
    expect(m6?.upperBound.count).toBe(m6?.responders.count);
  });
});
