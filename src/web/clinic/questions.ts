import type { InstrumentDefinition } from '../../core/instruments/definition.ts';
import { api } from '../api.ts';

/** What GET /api/instruments/:id gives: the questions as the patient read them. */
export type Questions = Pick<
  InstrumentDefinition,
  'id' | 'name' | 'shortName' | 'sections' | 'responseSets'
> & { scales: { id: string; name: string; shortName: string }[] };

/** Definitions are the same for every response of an instrument: fetched once per page load. */
const questionsCache = new Map<string, Promise<Questions>>();
export function questionsOf(instrumentId: string): Promise<Questions> {
  let pending = questionsCache.get(instrumentId);
  if (!pending) {
    pending = api<Questions>('GET', `/instruments/${encodeURIComponent(instrumentId)}`);
    pending.catch(() => questionsCache.delete(instrumentId));
    questionsCache.set(instrumentId, pending);
  }
  return pending;
}

/** The question's text, or undefined for a code the instrument does not have. */
export function questionText(questions: Questions, code: string): string | undefined {
  for (const section of questions.sections)
    for (const item of section.items) if (item.code === code) return item.text;
  return undefined;
}

/** An answer value in the patient's words ("Moderate"), or "not answered". */
export function answerWords(
  questions: Questions,
  code: string,
  value: number | null | undefined,
): string {
  if (value === null || value === undefined) return 'not answered';
  const item = questions.sections.flatMap((s) => s.items).find((it) => it.code === code);
  const option = questions.responseSets[item?.responseSet ?? '']?.find((o) => o.value === value);
  return option?.label ?? String(value);
}
