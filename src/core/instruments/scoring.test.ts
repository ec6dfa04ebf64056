import { describe, expect, it } from 'vitest';
import { seededRng } from '../demo/random.ts';
import { type InstrumentDefinition, itemsOf } from './definition.ts';
import { BUILT_IN_INSTRUMENTS, instrumentById } from './library.ts';
import { type Answers, checkAnswers, scoreResponse } from './scoring.ts';

const koos = instrumentById('koos');
const nrs = instrumentById('nrs-pain');
const allKoos = (value: number): Answers =>
  Object.fromEntries(itemsOf(koos).map((i) => [i.code, value]));

/**
 * The missing-item rule at its edge, per scale: with `needed` items answered (each 2 of 0–4,
 * so 50) the scale scores; with one fewer it does not.
 */
function itScoresAtTheMissingItemEdge(
  def: InstrumentDefinition,
  neededByScale: Readonly<Record<string, number>>,
): void {
  for (const [scaleId, needed] of Object.entries(neededByScale)) {
    it(`${scaleId}: scores with exactly ${needed} answered items, not with ${needed - 1}`, () => {
      const scale = def.scales.find((s) => s.id === scaleId);
      if (!scale) throw new Error(`no scale ${scaleId}`);
      expect(scale.minAnswered).toBe(needed);
      const keep = (n: number): Answers =>
        Object.fromEntries(scale.items.map((code, i) => [code, i < n ? 2 : null]));
      expect(scoreResponse(def, keep(needed))[scaleId]).toBe(50);
      expect(scoreResponse(def, keep(needed - 1))[scaleId]).toBeNull();
    });
  }
}

/**
 * Random answer sets of a 0–4 questionnaire, some items skipped: every score stays in
 * 0–100, and making one answered item worse lowers every scale scored from it.
 */
function itStaysInRangeAndMonotone(def: InstrumentDefinition, seed: number): void {
  it('stays within 0–100 and never rises when an item gets worse (random answer sets)', () => {
    const rng = seededRng(seed);
    for (let trial = 0; trial < 300; trial++) {
      const answers: Answers = {};
      for (const item of itemsOf(def))
        answers[item.code] = rng.next() < 0.1 ? null : Math.floor(rng.next() * 5);
      const scores = scoreResponse(def, answers);
      for (const v of Object.values(scores)) {
        if (v === null) continue;
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(100);
      }
      const answered = Object.entries(answers).filter(([, v]) => typeof v === 'number' && v < 4);
      const pick = answered[Math.floor(rng.next() * answered.length)];
      if (!pick) continue;
      const [code, value] = pick as [string, number];
      const worse = scoreResponse(def, { ...answers, [code]: value + 1 });
      const scales = def.scales.filter((s) => s.items.includes(code));
      expect(scales.length).toBeGreaterThan(0);
      for (const scale of scales) {
        const before = scores[scale.id];
        const after = worse[scale.id];
        if (typeof before === 'number' && typeof after === 'number')
          expect(after).toBeLessThan(before);
      }
    }
  });
}

describe('KOOS scoring (KOOS Scoring 2012: 100 − mean × 100/4)', () => {
  it('scores no problems as 100 and extreme problems as 0 on every subscale', () => {
    expect(scoreResponse(koos, allKoos(0))).toEqual({
      pain: 100,
      symptoms: 100,
      adl: 100,
      sport: 100,
      qol: 100,
    });
    expect(scoreResponse(koos, allKoos(4))).toEqual({
      pain: 0,
      symptoms: 0,
      adl: 0,
      sport: 0,
      qol: 0,
    });
  });

  it('takes the mean of the answered items of each subscale', () => {
    const answers: Answers = { ...allKoos(1), P1: 4, P2: 3, Q1: 0, Q2: null };
    const scores = scoreResponse(koos, answers);
    // Pain: 4 + 3 + 7 × 1 = 14 over 9 items.
    expect(scores.pain).toBeCloseTo(100 - (14 / 9) * 25, 12);
    // QoL: Q2 missing, so (0 + 1 + 1) / 3.
    expect(scores.qol).toBeCloseTo(100 - (2 / 3) * 25, 12);
    expect(scores.symptoms).toBe(75);
  });

  // KOOS Scoring 2012: at least half of a subscale's items must be answered.
  itScoresAtTheMissingItemEdge(koos, { pain: 5, symptoms: 4, adl: 9, sport: 3, qol: 2 });
  itStaysInRangeAndMonotone(koos, 42);
});

describe('NRS pain', () => {
  it('is the answered value, and not scorable when unanswered', () => {
    expect(scoreResponse(nrs, { NRS: 7 })).toEqual({ pain: 7 });
    expect(scoreResponse(nrs, { NRS: 0 })).toEqual({ pain: 0 });
    expect(scoreResponse(nrs, {})).toEqual({ pain: null });
  });
});

describe('checkAnswers', () => {
  it('accepts every listed response value of every built-in item', () => {
    for (const def of BUILT_IN_INSTRUMENTS) {
      for (const item of itemsOf(def)) {
        for (const option of def.responseSets[item.responseSet] ?? []) {
          expect(checkAnswers(def, { [item.code]: option.value })).toEqual([]);
        }
      }
    }
  });

  it('names each out-of-range value and unknown item', () => {
    expect(checkAnswers(koos, { P1: 7, S1: -1, A1: 1.5, XX: 1, P2: null })).toEqual([
      { field: 'answers.P1', message: 'P1 must be one of 0, 1, 2, 3, 4; got 7' },
      { field: 'answers.S1', message: 'S1 must be one of 0, 1, 2, 3, 4; got -1' },
      { field: 'answers.A1', message: 'A1 must be one of 0, 1, 2, 3, 4; got 1.5' },
      { field: 'answers.XX', message: 'KOOS has no item XX' },
    ]);
    expect(checkAnswers(nrs, { NRS: 11 })).toHaveLength(1);
  });
});

describe('PROMIS Global-10 v1.2 (raw sum → T-score table, Hays et al. 2009)', () => {
  const promis = instrumentById('promis-global-10');
  const best: Answers = {
    Global01: 5,
    Global02: 5,
    Global03: 5,
    Global04: 5,
    Global05: 5,
    Global09r: 5,
    Global06: 5,
    Global10r: 5,
    Global08r: 5,
    Global07r: 0,
  };

  it('gives the top of each table for the best answers and the bottom for the worst', () => {
    expect(scoreResponse(promis, best)).toEqual({ physical: 67.7, mental: 67.6 });
    const worst: Answers = Object.fromEntries(Object.keys(best).map((code) => [code, 1]));
    worst.Global07r = 10;
    expect(scoreResponse(promis, worst)).toEqual({ physical: 16.2, mental: 21.2 });
  });

  it('recodes pain 0–10 into five bands before summing (0 | 1–3 | 4–6 | 7–9 | 10)', () => {
    // Physical raw sum = 5 + 5 + recoded pain + 5, so each band moves the sum by one.
    const physicalWithPain = (pain: number) =>
      scoreResponse(promis, { ...best, Global07r: pain }).physical;
    expect([0, 1, 3, 4, 6, 7, 9, 10].map(physicalWithPain)).toEqual([
      67.7, 61.9, 61.9, 57.7, 57.7, 54.1, 54.1, 50.8,
    ]);
  });

  it('scores a mixed worked example: physical 3 + 4 + pain 5→3 + 4 = 14 → T 44.9', () => {
    const answers: Answers = { ...best, Global03: 3, Global06: 4, Global07r: 5, Global08r: 4 };
    expect(scoreResponse(promis, answers).physical).toBe(44.9);
    // Mental: 2 + 3 + 3 + 2 = 10 → T 38.8.
    const mental = { ...best, Global02: 2, Global04: 3, Global05: 3, Global10r: 2 };
    expect(scoreResponse(promis, mental).mental).toBe(38.8);
  });

  it('needs all four items of a summary: three answered give no score', () => {
    expect(scoreResponse(promis, { ...best, Global08r: null })).toEqual({
      physical: null,
      mental: 67.6,
    });
    // Items outside both summaries (Global01, Global09r) are not needed.
    expect(scoreResponse(promis, { ...best, Global01: null, Global09r: null })).toEqual({
      physical: 67.7,
      mental: 67.6,
    });
  });

  it('never lowers a T-score when one answer gets better (random answer sets)', () => {
    const rng = seededRng(7);
    const items = itemsOf(promis);
    for (let trial = 0; trial < 300; trial++) {
      const answers: Answers = {};
      for (const item of items) {
        const options = promis.responseSets[item.responseSet] ?? [];
        answers[item.code] = options[Math.floor(rng.next() * options.length)]?.value ?? null;
      }
      const before = scoreResponse(promis, answers);
      const item = items[Math.floor(rng.next() * items.length)];
      if (!item) continue;
      const value = answers[item.code] as number;
      // Pain is the one item where a lower answer is better.
      const better = item.code === 'Global07r' ? value - 1 : value + 1;
      const options = promis.responseSets[item.responseSet] ?? [];
      if (!options.some((o) => o.value === better)) continue;
      const after = scoreResponse(promis, { ...answers, [item.code]: better });
      for (const scale of promis.scales) {
        const b = before[scale.id] as number;
        const a = after[scale.id] as number;
        expect(a).toBeGreaterThanOrEqual(b);
        expect(a).toBeGreaterThanOrEqual(scale.range[0]);
        expect(a).toBeLessThanOrEqual(scale.range[1]);
      }
    }
  });
});

describe('KOOS-12 (Gandek 2019; koos.nu scoring: summated ratings, person-mean imputation)', () => {
  const koos12 = instrumentById('koos-12');
  const all = (value: number): Answers =>
    Object.fromEntries(itemsOf(koos12).map((i) => [i.code, value]));

  it('holds the twelve KOOS items the paper names, under their KOOS codes', () => {
    expect(Object.fromEntries(koos12.scales.map((s) => [s.id, s.items]))).toEqual({
      pain: ['P1', 'P8', 'P5', 'P6'],
      function: ['A4', 'A3', 'A7', 'SP4'],
      qol: ['Q1', 'Q2', 'Q3', 'Q4'],
      summary: ['P1', 'P8', 'P5', 'P6', 'A4', 'A3', 'A7', 'SP4', 'Q1', 'Q2', 'Q3', 'Q4'],
    });
    // Same wording as the full KOOS it is taken from.
    for (const item of itemsOf(koos12))
      expect(item.text).toBe(itemsOf(koos).find((k) => k.code === item.code)?.text);
  });

  it('scores 100 for no problems and 0 for extreme ones; the summary is the mean of the three', () => {
    expect(scoreResponse(koos12, all(0))).toEqual({
      pain: 100,
      function: 100,
      qol: 100,
      summary: 100,
    });
    expect(scoreResponse(koos12, all(4))).toEqual({ pain: 0, function: 0, qol: 0, summary: 0 });
    const mixed = scoreResponse(koos12, {
      ...all(2),
      ...{ P1: 1, P8: 2, P5: 1, P6: 0 }, // sum 4 of 16 → 75
      ...{ Q1: 4, Q2: 4, Q3: 4, Q4: 4 }, // → 0
    });
    expect(mixed.pain).toBe(75);
    expect(mixed.function).toBe(50);
    expect(mixed.qol).toBe(0);
    expect(mixed.summary).toBeCloseTo(125 / 3, 12);
  });

  it('imputes the person’s own mean for a missing item, with at least 2 of 4 answered', () => {
    const two = scoreResponse(koos12, { ...all(0), P1: 1, P8: 3, P5: null, P6: null });
    // Sum with the two missing items imputed as the mean (2): 1 + 3 + 2 + 2 = 8 of 16 → 50.
    expect(two.pain).toBe(50);
    const one = scoreResponse(koos12, { ...all(0), P1: 1, P8: null, P5: null, P6: null });
    expect(one.pain).toBeNull();
    expect(one.summary).toBeNull();
    expect(one.function).toBe(100);
  });

  it('gives the full KOOS QOL score from the same four answers', () => {
    const answers = { ...allKoos(1), Q1: 0, Q2: 3, Q3: 2, Q4: 4 };
    expect(scoreResponse(koos12, answers).qol).toBe(scoreResponse(koos, answers).qol);
  });

  itScoresAtTheMissingItemEdge(koos12, { pain: 2, function: 2, qol: 2 });
  itStaysInRangeAndMonotone(koos12, 12);
});

describe('HOOS (HOOS Scoring 2013: 100 − mean × 100/4, at least half of each subscale)', () => {
  const hoos = instrumentById('hoos');
  const all = (value: number): Answers =>
    Object.fromEntries(itemsOf(hoos).map((i) => [i.code, value]));

  it('has 40 items in five subscales: Pain 10, Symptoms 5, ADL 17, Sport/Rec 4, QOL 4', () => {
    expect(itemsOf(hoos)).toHaveLength(40);
    expect(hoos.scales.map((s) => [s.id, s.items.length, s.minAnswered])).toEqual([
      ['pain', 10, 5],
      ['symptoms', 5, 3],
      ['adl', 17, 9],
      ['sport', 4, 2],
      ['qol', 4, 2],
    ]);
    expect(scoreResponse(hoos, all(0))).toEqual({
      pain: 100,
      symptoms: 100,
      adl: 100,
      sport: 100,
      qol: 100,
    });
    expect(scoreResponse(hoos, all(4))).toEqual({ pain: 0, symptoms: 0, adl: 0, sport: 0, qol: 0 });
  });

  it('scores the answer pattern of a published platform test as it expects (50, 48, 51, 63, 38)', () => {
    // The Ratchet PRO platform's HOOS test clicks these answers and expects the rounded scores.
    const answers: Answers = {
      ...Object.fromEntries(['S1', 'S2', 'S3', 'S4', 'S5'].map((c, i) => [c, i])),
      ...Object.fromEntries([3, 2, 1, 0, 1, 2, 3, 4, 3, 2].map((v, i) => [`P${i + 1}`, v])),
      ...Object.fromEntries(
        [1, 0, 1, 2, 3, 4, 3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1].map((v, i) => [`A${i + 1}`, v]),
      ),
      ...Object.fromEntries([0, 1, 2, 3].map((v, i) => [`SP${i + 1}`, v])),
      ...Object.fromEntries([4, 3, 2, 1].map((v, i) => [`Q${i + 1}`, v])),
    };
    const scores = scoreResponse(hoos, answers);
    expect(scores.symptoms).toBe(50);
    expect(scores.pain).toBeCloseTo(47.5, 12);
    expect(scores.adl).toBeCloseTo(100 - (33 / 17) * 25, 12);
    expect(scores.sport).toBe(62.5);
    expect(scores.qol).toBe(37.5);
    expect(Object.values(scores).map((v) => Math.round(v ?? Number.NaN))).toEqual([
      48, 50, 51, 63, 38,
    ]);
  });

  // HOOS Scoring 2013: Pain 5, Symptoms 3, ADL 9, Sport/Rec 2, QOL 2 answered items.
  itScoresAtTheMissingItemEdge(hoos, { pain: 5, symptoms: 3, adl: 9, sport: 2, qol: 2 });
  itStaysInRangeAndMonotone(hoos, 7);
});

/**
 * The JR forms: the raw sum of every item looked up in the HSS interval table. `rows` are
 * table rows read in a source other than the file's own copy (see its tableSource).
 */
function itScoresAJointReplacementForm(
  id: string,
  parentId: string,
  codes: readonly string[],
  rows: Readonly<Record<number, number>>,
): void {
  const def = instrumentById(id);
  const parent = instrumentById(parentId);
  const scaleId = def.scales[0]?.id ?? '';
  const withSum = (sum: number): Answers =>
    Object.fromEntries(codes.map((code, i) => [code, Math.min(4, Math.max(0, sum - 4 * i))]));

  it(`holds ${codes.length} ${parent.shortName} items under their codes and wording, each with its LOINC code`, () => {
    expect(itemsOf(def).map((i) => i.code)).toEqual(codes);
    for (const item of itemsOf(def)) {
      expect(item.text).toBe(itemsOf(parent).find((p) => p.code === item.code)?.text);
      expect(item.loinc).toMatch(/^\d+-\d$/);
    }
    expect(def.loinc?.code).toMatch(/^\d+-\d$/);
  });

  it('scores 100 for no problems and 0 for extreme ones, and the raw sums other sources give', () => {
    expect(scoreResponse(def, withSum(0))[scaleId]).toBe(100);
    expect(scoreResponse(def, withSum(4 * codes.length))[scaleId]).toBe(0);
    for (const [sum, score] of Object.entries(rows))
      expect(scoreResponse(def, withSum(Number(sum)))[scaleId]).toBe(score);
  });

  it('has a table that falls with every point of raw sum', () => {
    const scale = def.scales[0];
    if (scale?.method.kind !== 'summed-table') throw new Error('not a summed-table scale');
    const table = scale.method.table;
    for (let sum = 1; sum <= 4 * codes.length; sum++)
      expect(table[String(sum)]).toBeLessThan(table[String(sum - 1)] ?? Number.NaN);
  });

  it(`scores with all ${codes.length} items answered, not with one missing`, () => {
    const answers = withSum(2 * codes.length);
    expect(scoreResponse(def, answers)[scaleId]).toEqual(expect.any(Number));
    for (const code of codes)
      expect(scoreResponse(def, { ...answers, [code]: null })[scaleId]).toBeNull();
  });

  it(`gives the same score from a full ${parent.shortName} response`, () => {
    const full: Answers = Object.fromEntries(itemsOf(parent).map((i, n) => [i.code, n % 5]));
    const sum = codes.reduce((total, code) => total + (full[code] ?? 0), 0);
    const scale = def.scales[0];
    if (scale?.method.kind !== 'summed-table') throw new Error('not a summed-table scale');
    expect(scoreResponse(def, full)[scaleId]).toBe(scale.method.table[String(sum)]);
  });

  itStaysInRangeAndMonotone(def, codes.length);
}

describe('KOOS JR (Lyman 2016; raw sum 0–28 → HSS interval score)', () => {
  itScoresAJointReplacementForm('koos-jr', 'koos', ['S6', 'P2', 'P3', 'P6', 'P9', 'A3', 'A5'], {
    7: 68.284,
    14: 52.465,
    15: 50.012,
  });
});

describe('HOOS JR (Lyman 2016; raw sum 0–24 → HSS interval score)', () => {
  itScoresAJointReplacementForm('hoos-jr', 'hoos', ['P5', 'P10', 'A3', 'A5', 'A12', 'A14'], {
    6: 70.426,
    11: 55.985,
  });
});
