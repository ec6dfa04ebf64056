import { type InstrumentDefinition, itemsOf } from '../instruments/definition.ts';
import { type ShareWithCi, shareWithCi } from './responders.ts';

/**
 * Work status (ICHOM hip & knee OA set) is kept as the patient's answer, not scored: the
 * question and its item in the satisfaction and work questionnaire.
 */
export const WORK_STATUS = { instrumentId: 'satisfaction-work', item: 'WORK' } as const;

/** Joints of a cohort that gave one answer to the work-status question at one time point. */
export interface WorkStatusCount {
  timepoint: string;
  /** The answer's value on the form. */
  answer: number;
  joints: number;
}

export interface WorkStatusAnswerShare {
  /** The answer's value on the form; null for answers no longer on it. */
  answer: number | null;
  /** The answer's words as the patient read them (never a code). */
  label: string;
  share: ShareWithCi;
}

export interface WorkStatusAtTimepoint {
  timepoint: string;
  /** Joints that answered the question at this time point (each with its first answer). */
  n: number;
  /** Every answer of the form in its order, with those given to no other. */
  answers: WorkStatusAnswerShare[];
}

/** Words for an answer no longer on the form (a licensed definition may change the list). */
export const UNLISTED_ANSWER = 'An answer not on the current form';

/**
 * Counts and shares (exact 95% CIs) of each work-status answer per time point, in schedule
 * order. Every answer on the form is listed, even with no joints, so tables line up.
 */
export function workStatusByTimepoint(
  counts: readonly WorkStatusCount[],
  definition: InstrumentDefinition,
  timepointOrder: readonly string[],
): WorkStatusAtTimepoint[] {
  const item = itemsOf(definition).find((i) => i.code === WORK_STATUS.item);
  const options = item ? (definition.responseSets[item.responseSet] ?? []) : [];
  return timepointOrder.flatMap((timepoint) => {
    const at = counts.filter((c) => c.timepoint === timepoint && c.joints > 0);
    const n = at.reduce((s, c) => s + c.joints, 0);
    if (n === 0) return [];
    const jointsWith = (answer: number) =>
      at.filter((c) => c.answer === answer).reduce((s, c) => s + c.joints, 0);
    const listed = new Set(options.map((o) => o.value));
    const unlisted = at.filter((c) => !listed.has(c.answer)).reduce((s, c) => s + c.joints, 0);
    const answers: WorkStatusAnswerShare[] = options.map((o) => ({
      answer: o.value,
      label: o.label,
      share: shareWithCi(jointsWith(o.value), n) as ShareWithCi,
    }));
    if (unlisted > 0)
      answers.push({
        answer: null,
        label: UNLISTED_ANSWER,
        share: shareWithCi(unlisted, n) as ShareWithCi,
      });
    return [{ timepoint, n, answers }];
  });
}
