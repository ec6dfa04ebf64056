/** How a response set is laid out: a numeric rating scale is one row of numbers (web and paper). */

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
