/** Pure choices behind the patient's survey screens, kept apart from React so they are tested. */

import type { PatientEventKind } from '../../core/registry/event-kinds.ts';

// The numeric-scale rule lives in core/ so the paper form lays out an NRS the same way.
export {
  type NumericScale,
  numericScale,
  type ResponseOption,
} from '../../core/instruments/numeric-scale.ts';

/** What the primary button on a question does (its message key): the next question, or the review. */
export function nextLabel(index: number, total: number): 'survey.next' | 'survey.reviewAnswers' {
  return index + 1 < total ? 'survey.next' : 'survey.reviewAnswers';
}

/**
 * Whether the review asks about events since treatment (another injection, surgery, back to
 * work): a baseline survey is answered before the treatment, so it has no "since".
 */
export function asksLaterEvents(timepoint: string): boolean {
  return timepoint !== 'baseline';
}

/**
 * Whole months for the chart's axis, from 0 to past the last point, at most about six
 * ticks: the steps a patient counts in (1, 3, 6, 12 months).
 */
export function monthTicks(lastMonths: number): number[] {
  const end = Math.max(1, Math.ceil(lastMonths));
  const step = [1, 3, 6, 12].find((s) => end / s <= 6) ?? 12 * Math.ceil(end / 72);
  const ticks: number[] = [];
  for (let m = 0; m < end + step; m += step) ticks.push(m);
  return ticks;
}

/** Dates of later events the patient ticked, by kind; '' until a date is given. */
export type LaterEventDates = Partial<Record<PatientEventKind, string>>;

/** The events to send: only those with a date. */
export function eventsToSend(value: LaterEventDates): { kind: PatientEventKind; date: string }[] {
  return Object.entries(value)
    .filter(([, date]) => Boolean(date))
    .map(([kind, date]) => ({ kind: kind as PatientEventKind, date: date as string }));
}
