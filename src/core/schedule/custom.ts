import { z } from 'zod';
import { addDays } from '../registry/dates.ts';
import { DEFAULT_SCHEDULE, followUpWindow, type TimePoint } from './timepoints.ts';

/** A registry's own windows, per time point (the time points themselves are fixed). */
export const scheduleWindowsSchema = z.strictObject({
  windows: z
    .array(
      z.strictObject({
        timepoint: z.enum(DEFAULT_SCHEDULE.map((t) => t.id) as [string, ...string[]]),
        windowBefore: z.number().int().min(0, 'At least 0 days').max(180, 'At most 180 days'),
        windowAfter: z.number().int().min(0, 'At least 0 days').max(180, 'At most 180 days'),
      }),
    )
    .max(DEFAULT_SCHEDULE.length),
});
export type ScheduleWindows = z.infer<typeof scheduleWindowsSchema>['windows'];

/** The default schedule with a registry's windows applied. */
export function applyWindows(windows: ScheduleWindows): TimePoint[] {
  return DEFAULT_SCHEDULE.map((tp) => {
    const own = windows.find((w) => w.timepoint === tp.id);
    return own
      ? { ...tp, windowBefore: own.windowBefore, windowAfter: own.windowAfter }
      : { ...tp };
  });
}

/**
 * Windows of neighbouring time points must not overlap, or one answer could count for two
 * time points. Checked on a reference treatment date (month lengths vary, so the shortest
 * gaps are found by checking each month of a year). Returns problems by field.
 */
export function overlappingWindows(
  schedule: readonly TimePoint[],
): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  for (let i = 0; i + 1 < schedule.length; i++) {
    const a = schedule[i] as TimePoint;
    const b = schedule[i + 1] as TimePoint;
    for (let month = 0; month < 12; month++) {
      const start = addDays('2026-01-31', month * 30);
      if (followUpWindow(start, a).closes >= followUpWindow(start, b).opens) {
        problems.push({
          field: `windows.${b.id}`,
          message: `The ${b.label} window would overlap the ${a.label} window`,
        });
        break;
      }
    }
  }
  return problems;
}
