import type { InstrumentDefinition } from './definition.ts';
import { itemsOf } from './items.ts';

/** Answers of one survey, keyed by instrument id and then item code. */
export type SurveyAnswers = Record<string, Record<string, number | null | undefined>>;

/**
 * Items a survey need not ask twice: a short form's item that an earlier instrument of the
 * same survey asks word for word, with the same answers (KOOS JR's P2 when KOOS is asked).
 * Maps instrument id → item code → the id of the instrument whose answer it takes.
 */
export function repeatedItems(
  instruments: readonly InstrumentDefinition[],
): ReadonlyMap<string, ReadonlyMap<string, string>> {
  // Every submission asks this of its survey's few instrument sets: kept per set of the very
  // definitions (a replaced licensed definition is a new object, so it is worked out again).
  const key = instruments.map((d) => d.id).join('\n');
  const kept = repeatedBySurvey.get(key);
  if (kept?.definitions.every((d, i) => d === instruments[i])) return kept.repeated;
  const repeated = findRepeatedItems(instruments);
  if (repeatedBySurvey.size >= 256) repeatedBySurvey.clear();
  repeatedBySurvey.set(key, { definitions: [...instruments], repeated });
  return repeated;
}

const repeatedBySurvey = new Map<
  string,
  {
    definitions: InstrumentDefinition[];
    repeated: ReadonlyMap<string, ReadonlyMap<string, string>>;
  }
>();

function findRepeatedItems(
  instruments: readonly InstrumentDefinition[],
): Map<string, Map<string, string>> {
  const asked = new Map<string, { instrumentId: string; fingerprint: string }>();
  const repeated = new Map<string, Map<string, string>>();
  for (const def of instruments) {
    for (const item of itemsOf(def)) {
      const options = def.responseSets[item.responseSet] ?? [];
      const fingerprint = JSON.stringify([item.text, options.map((o) => [o.value, o.label])]);
      const earlier = asked.get(item.code);
      if (earlier && earlier.instrumentId !== def.id && earlier.fingerprint === fingerprint) {
        const ofThis = repeated.get(def.id) ?? new Map<string, string>();
        ofThis.set(item.code, earlier.instrumentId);
        repeated.set(def.id, ofThis);
      } else if (!earlier) {
        asked.set(item.code, { instrumentId: def.id, fingerprint });
      }
    }
  }
  return repeated;
}

/** The answers with every repeated item filled from the instrument that asked it. */
export function withRepeatedAnswers(
  instruments: readonly InstrumentDefinition[],
  answers: SurveyAnswers,
): SurveyAnswers {
  const filled: SurveyAnswers = { ...answers };
  for (const [instrumentId, items] of repeatedItems(instruments)) {
    const own = { ...(filled[instrumentId] ?? {}) };
    for (const [code, source] of items) own[code] = answers[source]?.[code] ?? null;
    filled[instrumentId] = own;
  }
  return filled;
}

/** The ids of the other instruments that ask every item of `def` word for word (KOOS for KOOS JR). */
export function askedWithin(
  def: InstrumentDefinition,
  others: readonly InstrumentDefinition[],
): string[] {
  const count = itemsOf(def).length;
  return others
    .filter(
      (other) => other.id !== def.id && repeatedItems([other, def]).get(def.id)?.size === count,
    )
    .map((other) => other.id);
}
