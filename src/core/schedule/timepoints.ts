import { addDays, addMonths, DAYS_PER_MONTH, type IsoDate } from '../registry/dates.ts';

/**
 * Follow-up time points, counted from the treatment date. Defaults follow the product
 * brief: baseline, 6 weeks, 3, 6, 12, 24 months, then yearly to 5 years; windows ±2 weeks
 * up to 3 months and ±1 month after. Baseline is the 30 days up to and including treatment.
 */
export interface TimePoint {
  id: string;
  label: string;
  offset: { days: number } | { months: number };
  /** Days the window opens before and closes after the target date. */
  windowBefore: number;
  windowAfter: number;
}

const MONTH_WINDOW = 30;
const EARLY_WINDOW = 14;

export const DEFAULT_SCHEDULE: readonly TimePoint[] = [
  { id: 'baseline', label: 'Baseline', offset: { days: 0 }, windowBefore: 30, windowAfter: 0 },
  {
    id: 'w6',
    label: '6 weeks',
    offset: { days: 42 },
    windowBefore: EARLY_WINDOW,
    windowAfter: EARLY_WINDOW,
  },
  {
    id: 'm3',
    label: '3 months',
    offset: { months: 3 },
    windowBefore: EARLY_WINDOW,
    windowAfter: EARLY_WINDOW,
  },
  {
    id: 'm6',
    label: '6 months',
    offset: { months: 6 },
    windowBefore: MONTH_WINDOW,
    windowAfter: MONTH_WINDOW,
  },
  {
    id: 'm12',
    label: '12 months',
    offset: { months: 12 },
    windowBefore: MONTH_WINDOW,
    windowAfter: MONTH_WINDOW,
  },
  {
    id: 'm24',
    label: '24 months',
    offset: { months: 24 },
    windowBefore: MONTH_WINDOW,
    windowAfter: MONTH_WINDOW,
  },
  {
    id: 'm36',
    label: '3 years',
    offset: { months: 36 },
    windowBefore: MONTH_WINDOW,
    windowAfter: MONTH_WINDOW,
  },
  {
    id: 'm48',
    label: '4 years',
    offset: { months: 48 },
    windowBefore: MONTH_WINDOW,
    windowAfter: MONTH_WINDOW,
  },
  {
    id: 'm60',
    label: '5 years',
    offset: { months: 60 },
    windowBefore: MONTH_WINDOW,
    windowAfter: MONTH_WINDOW,
  },
];

export const TIMEPOINT_IDS = DEFAULT_SCHEDULE.map((t) => t.id) as [string, ...string[]];

export function timePointById(id: string): TimePoint | undefined {
  return DEFAULT_SCHEDULE.find((t) => t.id === id);
}

export interface FollowUpWindow {
  target: IsoDate;
  opens: IsoDate;
  closes: IsoDate;
}

/** Months from treatment to the time point's target, on the axis survival times use. */
export function monthsAfterTreatment(tp: TimePoint): number {
  return 'days' in tp.offset ? tp.offset.days / DAYS_PER_MONTH : tp.offset.months;
}

export function followUpWindow(treatmentDate: IsoDate, tp: TimePoint): FollowUpWindow {
  const target =
    'days' in tp.offset
      ? addDays(treatmentDate, tp.offset.days)
      : addMonths(treatmentDate, tp.offset.months);
  return {
    target,
    opens: addDays(target, -tp.windowBefore),
    closes: addDays(target, tp.windowAfter),
  };
}

export function isWithinWindow(date: IsoDate, window: FollowUpWindow): boolean {
  return date >= window.opens && date <= window.closes;
}
