/** Pure choices behind the patient's survey screens, kept apart from React so they are tested. */

import type { PatientEventKind } from '../../core/registry/event-kinds.ts';

export interface ResponseOption {
  value: number;
  label: string;
}

/** A numeric rating scale: points shown as bare numbers, words only under its two ends. */
export interface NumericScale {
  points: { value: number; label: string }[];
  lowAnchor: string | null;
  highAnchor: string | null;
}

const NUMBER_THEN_WORDS = /^(-?\d+)(?:\s*[–—:-]\s*(.+))?$/;

/**
 * The options as a numeric rating scale when they are a run of consecutive whole numbers, each
 * labelled by its number (the ends may add words, "0 – No pain"): an 11-point NRS is validated
 * as one row of numbers, not as a list. Null for anything else, including a scale with words
 * in the middle, which keeps the list so no words are lost.
 */
export function numericScale(options: readonly ResponseOption[]): NumericScale | null {
  if (options.length < 5) return null;
  const words: (string | null)[] = [];
  for (const [i, o] of options.entries()) {
    const match = NUMBER_THEN_WORDS.exec(o.label.trim());
    if (!match || Number(match[1]) !== o.value) return null;
    if (i > 0 && o.value !== (options[i - 1]?.value ?? Number.NaN) + 1) return null;
    const anchor = match[2]?.trim() || null;
    if (anchor && i > 0 && i < options.length - 1) return null;
    words.push(anchor);
  }
  return {
    points: options.map((o) => ({ value: o.value, label: o.label })),
    lowAnchor: words[0] ?? null,
    highAnchor: words.at(-1) ?? null,
  };
}

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
