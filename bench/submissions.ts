import { digestToken } from '../src/app/follow-up/tokens.ts';
import { instrumentById } from '../src/core/instruments/library.ts';
import { type Answers, scoreResponse } from '../src/core/instruments/scoring.ts';
import { toIsoDate } from '../src/core/registry/dates.ts';
import type { Queryable } from '../src/store/db.ts';
import { submitByTokenDigests, type TokenSubmission } from '../src/store/surveys.repo.ts';
import { KNEE_BASELINE_ANSWERS } from '../src/testing/survey-links.ts';

const instruments = Object.keys(KNEE_BASELINE_ANSWERS);
const responses = Object.entries(KNEE_BASELINE_ANSWERS).map(([instrumentId, answers]) => ({
  instrumentId,
  answers: answers as Answers,
  scores: scoreResponse(instrumentById(instrumentId), answers as Answers),
}));

/**
 * Whole knee baseline surveys, checked and scored as the server would, one per link of `tokens`
 * in turn, each submitted now; the next call takes the next link.
 */
export function submissionsTo(tokens: readonly string[]): () => TokenSubmission {
  let next = 0;
  return () => {
    const now = new Date();
    return {
      tokenDigest: digestToken(tokens[next++] ?? ''),
      submittedAt: now,
      today: toIsoDate(now),
      instruments,
      responses,
      mode: 'web-email',
    };
  };
}

/** `statements` submission statements of `size` surveys each, one at a time; each must store all. */
export async function submitStatements(
  db: Queryable,
  next: () => TokenSubmission,
  size: number,
  statements: number,
): Promise<void> {
  for (let s = 0; s < statements; s++) {
    const outcomes = await submitByTokenDigests(db, Array.from({ length: size }, next));
    if (outcomes.some((o) => !o.stored)) throw new Error('A submission was not stored');
  }
}
