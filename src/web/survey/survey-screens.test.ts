import { describe, expect, it } from 'vitest';
import { instrumentById } from '../../core/instruments/library.ts';
import { asksLaterEvents, monthTicks, nextLabel, numericScale } from './survey-screens.ts';

const run = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ value: from + i, label: String(from + i) }));

describe('numericScale', () => {
  it('reads the pain NRS as 0 to 10 with its two anchors', () => {
    const nrs = instrumentById('nrs-pain').responseSets.zeroToTen ?? [];
    const scale = numericScale(nrs);
    expect(scale?.points.map((p) => p.value)).toEqual(run(0, 10).map((o) => o.value));
    expect(scale?.lowAnchor).toBe('No pain');
    expect(scale?.highAnchor).toBe('Worst pain imaginable');
  });

  it('reads the PROMIS 0–10 pain item the same way', () => {
    const promis = instrumentById('promis-global-10').responseSets.painZeroToTen ?? [];
    expect(numericScale(promis)?.points).toHaveLength(11);
  });

  it('takes a bare run of numbers, without anchors', () => {
    expect(numericScale(run(1, 7))).toEqual({
      points: run(1, 7),
      lowAnchor: null,
      highAnchor: null,
    });
  });

  it('leaves word scales, short runs, gaps and words in the middle as a list', () => {
    expect(numericScale(instrumentById('koos').responseSets.severity ?? [])).toBeNull();
    expect(numericScale(run(0, 3))).toBeNull();
    expect(numericScale([...run(0, 4), { value: 6, label: '6' }])).toBeNull();
    const middle = run(0, 10).map((o) => (o.value === 5 ? { ...o, label: '5 – Moderate' } : o));
    expect(numericScale(middle)).toBeNull();
    expect(numericScale(run(0, 10).map((o) => ({ ...o, label: `${o.value + 1}` })))).toBeNull();
  });
});

describe('the survey buttons and wording', () => {
  it('says Next until the last question, then what the last button does', () => {
    expect(nextLabel(0, 43)).toBe('survey.next');
    expect(nextLabel(41, 43)).toBe('survey.next');
    expect(nextLabel(42, 43)).toBe('survey.reviewAnswers');
  });

  it('asks about events since treatment only after the treatment', () => {
    expect(asksLaterEvents('baseline')).toBe(false);
    expect(asksLaterEvents('w6')).toBe(true);
  });
});

describe('monthTicks', () => {
  it('counts whole months from 0 to past the last point, about six ticks at most', () => {
    expect(monthTicks(42 / (365.25 / 12))).toEqual([0, 1, 2]);
    expect(monthTicks(6)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(monthTicks(12)).toEqual([0, 3, 6, 9, 12]);
    expect(monthTicks(24)).toEqual([0, 6, 12, 18, 24]);
    expect(monthTicks(60)).toEqual([0, 12, 24, 36, 48, 60]);
    expect(monthTicks(0)).toEqual([0, 1]);
    for (const t of monthTicks(100)) expect(Number.isInteger(t)).toBe(true);
  });
});
