import { describe, expect, it } from 'vitest';
import { addMonths, ageOn, daysBetween, isIsoDate } from '../registry/dates.ts';
import { DEFAULT_SCHEDULE, followUpWindow, isWithinWindow, timePointById } from './timepoints.ts';

const tp = (id: string) => {
  const t = timePointById(id);
  if (!t) throw new Error(`no time point ${id}`);
  return t;
};

describe('follow-up windows', () => {
  it('has the product brief’s default time points in order', () => {
    expect(DEFAULT_SCHEDULE.map((t) => t.id)).toEqual([
      'baseline',
      'w6',
      'm3',
      'm6',
      'm12',
      'm24',
      'm36',
      'm48',
      'm60',
    ]);
  });

  it('puts 6 weeks at day 42 ±14 days and 12 months at the anniversary ±30 days', () => {
    expect(followUpWindow('2026-03-02', tp('w6'))).toEqual({
      target: '2026-04-13',
      opens: '2026-03-30',
      closes: '2026-04-27',
    });
    expect(followUpWindow('2026-03-02', tp('m12'))).toEqual({
      target: '2027-03-02',
      opens: '2027-01-31',
      closes: '2027-04-01',
    });
  });

  it('opens baseline 30 days before treatment and closes it on the treatment day', () => {
    const w = followUpWindow('2026-03-02', tp('baseline'));
    expect(w).toEqual({ target: '2026-03-02', opens: '2026-01-31', closes: '2026-03-02' });
    expect(isWithinWindow('2026-03-02', w)).toBe(true);
    expect(isWithinWindow('2026-03-03', w)).toBe(false);
  });

  it('clamps month arithmetic to the end of shorter months', () => {
    expect(followUpWindow('2026-11-30', tp('m3')).target).toBe('2027-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2023-12-15', 60)).toBe('2028-12-15');
  });
});

describe('dates', () => {
  it('accepts only real calendar dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2023-2-1')).toBe(false);
    expect(isIsoDate('2023-13-01')).toBe(false);
  });

  it('counts days and whole years of age', () => {
    expect(daysBetween('2026-01-01', '2026-03-01')).toBe(59);
    expect(ageOn('1961-05-20', '2026-05-19')).toBe(64);
    expect(ageOn('1961-05-20', '2026-05-20')).toBe(65);
  });
});
