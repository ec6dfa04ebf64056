import type { FieldProblem } from '../errors.ts';
import {
  type InstrumentDefinition,
  type ItemDefinition,
  itemsOf,
  type ScaleDefinition,
} from './definition.ts';

/** Answers keyed by official item code; `null` or absent means the item was not answered. */
export type Answers = Record<string, number | null | undefined>;

/** Scale scores keyed by scale id; `null` where the official missing-item rule forbids a score. */
export type Scores = Record<string, number | null>;

/** Each definition's items by code, worked out once: every submission checks its answers. */
const itemsByCodeOf = new WeakMap<InstrumentDefinition, Map<string, ItemDefinition>>();
function itemsByCode(def: InstrumentDefinition): Map<string, ItemDefinition> {
  let byCode = itemsByCodeOf.get(def);
  if (!byCode) {
    byCode = new Map(itemsOf(def).map((it) => [it.code, it]));
    itemsByCodeOf.set(def, byCode);
  }
  return byCode;
}

/**
 * Checks that every answer names a real item and holds one of that item's response values.
 * Returns one problem per bad answer, with the field `answers.CODE`.
 */
export function checkAnswers(def: InstrumentDefinition, answers: Answers): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const byCode = itemsByCode(def);
  for (const [code, value] of Object.entries(answers)) {
    const item = byCode.get(code);
    if (!item) {
      problems.push({ field: `answers.${code}`, message: `${def.shortName} has no item ${code}` });
      continue;
    }
    if (value === null || value === undefined) continue;
    const options = def.responseSets[item.responseSet] ?? [];
    if (!options.some((o) => o.value === value)) {
      const allowed = options.map((o) => o.value).join(', ');
      problems.push({
        field: `answers.${code}`,
        message: `${code} must be one of ${allowed}; got ${JSON.stringify(value)}`,
      });
    }
  }
  return problems;
}

/**
 * One item-scored scale's score, or null where the missing-item rule allows none. A
 * `mean-of-scales` scale needs the other scales' scores: `scoreResponse` gives them.
 */
export function scoreScale(
  scale: ScaleDefinition,
  answers: Answers,
  scored: Readonly<Record<string, number | null>> = {},
): number | null {
  const method = scale.method;
  if (method.kind === 'mean-of-scales') {
    const parts = method.scales.map((id) => scored[id]);
    return parts.every((v): v is number => typeof v === 'number')
      ? parts.reduce((a, b) => a + b, 0) / parts.length
      : null;
  }
  const values = scale.items
    .map((code) => answers[code])
    .filter((v): v is number => typeof v === 'number');
  if (values.length < scale.minAnswered) return null;
  switch (method.kind) {
    case 'single-item':
      return values[0] ?? null;
    case 'summed-table': {
      let raw = 0;
      for (const code of scale.items) {
        const answer = answers[code];
        if (typeof answer !== 'number') return null;
        const recoded = method.recode?.[code]?.[String(answer)];
        raw += recoded ?? answer;
      }
      return method.table[String(raw)] ?? null;
    }
    case 'mean-rescaled': {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const share = ((mean - method.itemMin) / (method.itemMax - method.itemMin)) * 100;
      return method.invert ? 100 - share : share;
    }
  }
}

/** Scores every scale of the instrument; answers must already have passed `checkAnswers`. */
export function scoreResponse(def: InstrumentDefinition, answers: Answers): Scores {
  const scores: Scores = {};
  // In file order: a mean-of-scales scale comes after the scales it averages (checked on load).
  for (const scale of def.scales) scores[scale.id] = scoreScale(scale, answers, scores);
  return scores;
}
