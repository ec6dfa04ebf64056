import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clopperPearson, type KaplanMeierStep, kaplanMeier, numbersAtRisk } from './survival.ts';

/** R 4.2.2 + survival 3.5.3 results written by fixtures/survival.R. */
const reference = JSON.parse(
  readFileSync(new URL('./fixtures/survival.json', import.meta.url), 'utf8'),
) as {
  kaplanMeier: { name: string; time: number[]; status: number[]; steps: KaplanMeierStep[] }[];
  clopperPearson: { x: number; n: number; lower: number; upper: number }[];
};

const close = (got: number | null, want: number | null) => {
  if (want === null) return expect(got).toBeNull();
  expect(got).not.toBeNull();
  expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
};

describe('Kaplan–Meier agrees with R survival::survfit', () => {
  for (const c of reference.kaplanMeier) {
    it(c.name, () => {
      const steps = kaplanMeier(c.time.map((time, i) => ({ time, event: c.status[i] === 1 })));
      expect(steps.map((s) => [s.time, s.nRisk, s.nEvent, s.nCensor])).toEqual(
        c.steps.map((s) => [s.time, s.nRisk, s.nEvent, s.nCensor]),
      );
      steps.forEach((s, i) => {
        const want = c.steps[i] as KaplanMeierStep;
        close(s.surv, want.surv);
        close(s.stdErr, want.stdErr);
        close(s.lower, want.lower);
        close(s.upper, want.upper);
      });
    });
  }

  it('counts numbers at risk for a risk table', () => {
    const obs = [
      { time: 2, event: true },
      { time: 5, event: false },
      { time: 5, event: true },
      { time: 9, event: false },
    ];
    expect(numbersAtRisk(obs, [0, 2, 3, 5, 6, 10])).toEqual([4, 4, 3, 3, 1, 0]);
  });
});

describe('Clopper–Pearson agrees with R binom.test', () => {
  for (const c of reference.clopperPearson) {
    it(`${c.x}/${c.n}`, () => {
      const ci = clopperPearson(c.x, c.n);
      close(ci.lower, c.lower);
      close(ci.upper, c.upper);
    });
  }
  it('refuses impossible counts', () => {
    expect(() => clopperPearson(5, 3)).toThrow(RangeError);
  });
});

describe('Kaplan–Meier over counted observations', () => {
  it('gives what the same joints one by one give', () => {
    const counted = [
      { time: 3, event: true, count: 2 },
      { time: 5, event: false, count: 3 },
      { time: 3, event: false, count: 1 },
      { time: 8, event: true, count: 1 },
    ];
    const oneByOne = counted.flatMap((o) =>
      Array.from({ length: o.count }, () => ({ time: o.time, event: o.event })),
    );
    expect(kaplanMeier(counted)).toEqual(kaplanMeier(oneByOne));
    expect(numbersAtRisk(counted, [0, 4, 6, 9])).toEqual(numbersAtRisk(oneByOne, [0, 4, 6, 9]));
  });
});
