import { digestToken } from '../src/app/follow-up/tokens.ts';
import { instrumentById } from '../src/core/instruments/library.ts';
import { type Answers, scoreResponse } from '../src/core/instruments/scoring.ts';
import { toIsoDate } from '../src/core/registry/dates.ts';
import type { TokenSubmission } from '../src/store/surveys.repo.ts';
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
