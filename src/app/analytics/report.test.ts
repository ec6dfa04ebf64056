import { describe, expect, it } from 'vitest';
import { BACKGROUND_FOLD, nextFoldStep } from './report.ts';

describe('the background fold sizing its next step', () => {
  const steps = { first: 20, targetMs: 100 };

  it("sizes a step by the last one's pace to take about the target, at most doubling", () => {
    expect(nextFoldStep(40, 50, steps)).toBe(80);
    expect(nextFoldStep(40, 10, steps)).toBe(80);
    expect(nextFoldStep(40, 200, steps)).toBe(20);
  });

  it('keeps a step of one joint once a cost every step pays passes the target, without a floor', () => {
    // 150 ms for a step of any size: the pace says a step of under one joint.
    expect(nextFoldStep(20, 150, steps)).toBe(13);
    expect(nextFoldStep(1, 150, steps)).toBe(1);
  });

  it("never goes below the server's fewest, so such a cost is paid for twenty joints at a time", () => {
    expect(BACKGROUND_FOLD.fewest).toBe(20);
    let step = BACKGROUND_FOLD.first;
    for (let i = 0; i < 10; i++) step = nextFoldStep(step, 150, BACKGROUND_FOLD);
    expect(step).toBe(20);
    // A fast step still grows past it.
    expect(nextFoldStep(20, 10, BACKGROUND_FOLD)).toBe(40);
  });

  it('takes the same again without a target', () => {
    expect(nextFoldStep(7, 5_000, { first: 7 })).toBe(7);
  });
});
