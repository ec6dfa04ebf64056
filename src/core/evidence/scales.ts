/*
 * Outcome scales that trial rows may use, and the conversions between them that are exact
 * (a change of unit or a linear rescaling of the same instrument). Anything else is refused:
 * different instruments (VAS vs NRS, WOMAC vs KOOS) are not interchangeable numbers.
 *
 * WOMAC ranges are those of the Likert LK3.x version: pain 5 items, stiffness 2, function 17,
 * each scored 0–4 (Bellamy N. WOMAC Osteoarthritis Index User Guide; Bellamy et al.,
 * J Rheumatol 1988;15:1833–40), so pain 0–20, function 0–68, total 0–96.
 */
export interface OutcomeScale {
  code: string;
  /** The instrument and subscale; only scales with the same construct convert. */
  construct: string;
  label: string;
  min: number;
  max: number;
  higherIsWorse: boolean;
}

export const OUTCOME_SCALES: readonly OutcomeScale[] = [
  {
    code: 'VAS_0_100',
    construct: 'VAS pain',
    label: 'Pain VAS (0–100 mm)',
    min: 0,
    max: 100,
    higherIsWorse: true,
  },
  {
    code: 'VAS_0_10',
    construct: 'VAS pain',
    label: 'Pain VAS (0–10 cm)',
    min: 0,
    max: 10,
    higherIsWorse: true,
  },
  {
    code: 'NRS_0_10',
    construct: 'NRS pain',
    label: 'Pain NRS (0–10)',
    min: 0,
    max: 10,
    higherIsWorse: true,
  },
  {
    code: 'WOMAC_pain',
    construct: 'WOMAC pain',
    label: 'WOMAC pain (Likert, 0–20)',
    min: 0,
    max: 20,
    higherIsWorse: true,
  },
  {
    code: 'WOMAC_pain_0_100',
    construct: 'WOMAC pain',
    label: 'WOMAC pain (normalised 0–100)',
    min: 0,
    max: 100,
    higherIsWorse: true,
  },
  {
    code: 'WOMAC_function',
    construct: 'WOMAC function',
    label: 'WOMAC function (Likert, 0–68)',
    min: 0,
    max: 68,
    higherIsWorse: true,
  },
  {
    code: 'WOMAC_function_0_100',
    construct: 'WOMAC function',
    label: 'WOMAC function (normalised 0–100)',
    min: 0,
    max: 100,
    higherIsWorse: true,
  },
  {
    code: 'WOMAC_total',
    construct: 'WOMAC total',
    label: 'WOMAC total (Likert, 0–96)',
    min: 0,
    max: 96,
    higherIsWorse: true,
  },
  {
    code: 'WOMAC_total_0_100',
    construct: 'WOMAC total',
    label: 'WOMAC total (normalised 0–100)',
    min: 0,
    max: 100,
    higherIsWorse: true,
  },
  {
    code: 'KOOS_pain',
    construct: 'KOOS pain',
    label: 'KOOS pain (0–100)',
    min: 0,
    max: 100,
    higherIsWorse: false,
  },
];

export function scaleByCode(code: string): OutcomeScale | undefined {
  return OUTCOME_SCALES.find((s) => s.code === code);
}

/** How to turn a value (or a difference, or an SD) on one scale into another; or why not. */
export type Conversion =
  | { ok: true; factor: number; from: OutcomeScale; to: OutcomeScale }
  | { ok: false; reason: string };

export function conversion(fromCode: string, toCode: string): Conversion {
  const from = scaleByCode(fromCode);
  const to = scaleByCode(toCode);
  if (!from) return { ok: false, reason: `Unknown outcome scale '${fromCode}'` };
  if (!to) return { ok: false, reason: `Unknown outcome scale '${toCode}'` };
  if (from.construct !== to.construct)
    return {
      ok: false,
      reason: `No known conversion from ${from.label} to ${to.label}: they are different instruments`,
    };
  // Same instrument, both anchored at 0 and pointing the same way: a pure change of unit.
  return { ok: true, factor: (to.max - to.min) / (from.max - from.min), from, to };
}
