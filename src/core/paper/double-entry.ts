/**
 * Double data entry of a returned paper form (as REDCap's double data entry): two staff members
 * type the same form; every item where they differ is shown with both values and settled
 * before the answers are scored.
 */

import type { InstrumentDefinition } from '../instruments/definition.ts';
import { repeatedItems, type SurveyAnswers } from '../instruments/shared-items.ts';

export interface EntryMismatch {
  instrumentId: string;
  code: string;
  text: string;
  first: number | null;
  second: number | null;
}

const answerOf = (answers: SurveyAnswers, instrumentId: string, code: string) =>
  answers[instrumentId]?.[code] ?? null;

/** The items asked on the form (a shared item once), in the order printed. */
export function formItems(instruments: readonly InstrumentDefinition[]) {
  const repeated = repeatedItems(instruments);
  return instruments.flatMap((def) =>
    def.sections.flatMap((s) =>
      s.items
        .filter((it) => !repeated.get(def.id)?.has(it.code))
        .map((it) => ({ instrumentId: def.id, code: it.code, text: it.text })),
    ),
  );
}

/** Every item two entries of one form disagree on (a blank against a value counts). */
export function entryMismatches(
  instruments: readonly InstrumentDefinition[],
  first: SurveyAnswers,
  second: SurveyAnswers,
): EntryMismatch[] {
  return formItems(instruments).flatMap((item) => {
    const a = answerOf(first, item.instrumentId, item.code);
    const b = answerOf(second, item.instrumentId, item.code);
    return a === b ? [] : [{ ...item, first: a, second: b }];
  });
}

/**
 * The answers to record: the entries' common values, and for each mismatch the value a staff
 * member settled on (from the paper). Returns the mismatches still unsettled instead, if any.
 */
export function settledAnswers(
  instruments: readonly InstrumentDefinition[],
  first: SurveyAnswers,
  second: SurveyAnswers,
  settled: SurveyAnswers,
): { ok: true; answers: SurveyAnswers } | { ok: false; unsettled: EntryMismatch[] } {
  const mismatches = entryMismatches(instruments, first, second);
  const unsettled = mismatches.filter((m) => settled[m.instrumentId]?.[m.code] === undefined);
  if (unsettled.length > 0) return { ok: false, unsettled };
  const answers: SurveyAnswers = {};
  for (const item of formItems(instruments)) {
    const own = answers[item.instrumentId] ?? {};
    const mismatch = mismatches.some(
      (m) => m.instrumentId === item.instrumentId && m.code === item.code,
    );
    own[item.code] = mismatch
      ? (settled[item.instrumentId]?.[item.code] ?? null)
      : answerOf(first, item.instrumentId, item.code);
    answers[item.instrumentId] = own;
  }
  return { ok: true, answers };
}
