import { z } from 'zod';

/**
 * An instrument definition is data: adding a questionnaire means adding a file like
 * `definitions/koos.json`, validated by this schema, not editing the scoring engine.
 */

/** Something about a form or a score that could not be checked: a few words to show, and why. */
const caveat = z.strictObject({ label: z.string().min(1).max(60), detail: z.string().min(1) });

const responseOption = z.strictObject({ value: z.number().int(), label: z.string().min(1) });

/**
 * Whether a LOINC code's last digit is its mod-10 check digit (LOINC Users' Guide: from the
 * right, every other digit doubled, digits summed); catches a mistyped code in a file.
 */
export function hasLoincCheckDigit(code: string): boolean {
  const match = /^(\d{1,7})-(\d)$/.exec(code);
  if (!match) return false;
  const [, body = '', check = ''] = match;
  let sum = 0;
  [...body].reverse().forEach((char, i) => {
    const digit = Number(char) * (i % 2 === 0 ? 2 : 1);
    sum += Math.floor(digit / 10) + (digit % 10);
  });
  return (10 - (sum % 10)) % 10 === Number(check);
}

const loincCode = z
  .string()
  .regex(/^\d{1,7}-\d$/, 'A LOINC code looks like 72102-7')
  .refine(hasLoincCheckDigit, 'The last digit is not this LOINC code’s check digit');

/** A LOINC code for the whole form or one score, only where it was checked in a named source. */
const loincReference = z.strictObject({
  code: loincCode,
  display: z.string().min(1),
  source: z.string().min(1),
});

const item = z.strictObject({
  /** The official item code, e.g. KOOS `P1`; answers and CSV columns use it. */
  code: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'Item codes are letters, digits, _'),
  text: z.string().min(1),
  responseSet: z.string().min(1),
  /** The item's LOINC question code, checked in the source the definition's `loinc` names. */
  loinc: loincCode.optional(),
});

const section = z.strictObject({
  title: z.string().min(1),
  /**
   * The title in the patient's language, set from a translation file when the survey is sent
   * (`title` stays the form's own, which picks the patient's heading).
   */
  titleInLanguage: z.string().min(1).optional(),
  /** Instructions shown above each item of the section (e.g. the recall period). */
  intro: z.string().optional(),
  items: z.array(item).min(1),
});

/** How raw item values become a scale score. */
const scoringMethod = z.discriminatedUnion('kind', [
  /** The single item's value is the score (e.g. NRS pain 0–10). */
  z.strictObject({ kind: z.literal('single-item') }),
  /**
   * Mean of the answered items, rescaled to 0–100 over the item range; `invert` makes
   * 100 the best state when high item values mean worse (KOOS: 100 − mean × 100/4).
   */
  z.strictObject({
    kind: z.literal('mean-rescaled'),
    itemMin: z.number(),
    itemMax: z.number(),
    invert: z.boolean(),
  }),
  /**
   * Sum of the item values (after the guide's recoding) looked up in a published table of
   * raw sums, e.g. PROMIS Global Health v1.2 raw score to T-score. Every item is needed.
   */
  z.strictObject({
    kind: z.literal('summed-table'),
    /** Item code → (answer value → value summed), for items the guide rescores first. */
    recode: z.record(z.string(), z.record(z.string(), z.number())).optional(),
    /** Raw sum → score; keys are the raw sums as written in the guide's table. */
    table: z.record(z.string(), z.number()),
    tableSource: z.string().min(1),
  }),
  /**
   * The mean of other scales of the same instrument, scored only when each of them is (e.g.
   * the KOOS-12 Summary Knee Impact score: the mean of its Pain, Function and QOL scores).
   */
  z.strictObject({
    kind: z.literal('mean-of-scales'),
    scales: z.array(z.string()).min(2),
  }),
]);

/**
 * A published interpretation threshold of a scale, with the population it was derived in: an
 * MCID is a change from baseline, a PASS a score; both in the scale's own units and direction.
 */
const threshold = z.strictObject({
  value: z.number().positive(),
  population: z.string().min(1),
  /**
   * Whether that population was treated surgically (e.g. arthroplasty): a threshold from
   * surgery may not transfer to injections, and the clinic is told so beside the share.
   */
  surgical: z.boolean().optional(),
  /** Citation, and where the figure was read. */
  source: z.string().min(1),
});

const scale = z.strictObject({
  id: z.string().regex(/^[a-z][a-zA-Z0-9]*$/),
  name: z.string().min(1),
  /** Label for tables and charts, as the instrument's own guide abbreviates it (e.g. KOOS `Sport/Rec`). */
  shortName: z.string().min(1),
  items: z.array(z.string()).min(1),
  method: scoringMethod,
  /** Fewest answered items for which the official guide allows a score. */
  minAnswered: z.number().int().min(1),
  /** The official missing-item rule, in words, with its source. */
  missingRule: z.string().min(1),
  range: z.tuple([z.number(), z.number()]),
  higherIsBetter: z.boolean(),
  /** Published thresholds for reading a score or a change; only those with a checked source. */
  interpretation: z
    .strictObject({
      mcid: threshold.optional(),
      pass: threshold.optional(),
      /**
       * A relative MCID: the share of the baseline's distance from the scale's best end that an
       * improvement must reach (e.g. 0.3 for a 30% fall in pain on the NRS, Farrar 2001).
       */
      relativeMcid: threshold.extend({ value: z.number().positive().max(1) }).optional(),
    })
    .optional(),
  loinc: loincReference.optional(),
  /** What about this scale's scoring could not be checked; shown beside its scores wherever they appear. */
  caveat: z.lazy(() => caveat).optional(),
});

const definitionShape = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  name: z.string().min(1),
  shortName: z.string().min(1),
  version: z.string().min(1),
  /** Joints the instrument is validated for; `any` for generic instruments. */
  joints: z.array(z.string()).min(1),
  /**
   * Whether new surveys for those joints include it without the clinic choosing it;
   * generic instruments beyond the pain NRS (PROMIS Global-10) are opt-in.
   */
  offeredByDefault: z.boolean().optional(),
  /** `follow-up`: never asked at baseline (e.g. satisfaction with a treatment's result). */
  askedAt: z.enum(['any', 'follow-up']).optional(),
  /** What about the form (e.g. its wording) could not be checked; shown where the clinic sees the form. */
  caveat: z.lazy(() => caveat).optional(),
  source: z.string().min(1),
  termsOfUse: z.string().min(1),
  /** The LOINC panel code of the whole form, e.g. KOOS JR 82324-5. */
  loinc: loincReference.optional(),
  instructions: z.string().min(1),
  responseSets: z.record(z.string(), z.array(responseOption).min(2)),
  sections: z.array(section).min(1),
  scales: z.array(scale).min(1),
});

export const instrumentDefinitionSchema = definitionShape.superRefine((def, ctx) => {
  const codes = new Set<string>();
  def.sections.forEach((s, si) => {
    s.items.forEach((it, ii) => {
      if (codes.has(it.code)) {
        ctx.addIssue({
          code: 'custom',
          path: ['sections', si, 'items', ii, 'code'],
          message: `Item code ${it.code} appears twice`,
        });
      }
      codes.add(it.code);
      if (!def.responseSets[it.responseSet]) {
        ctx.addIssue({
          code: 'custom',
          path: ['sections', si, 'items', ii, 'responseSet'],
          message: `Unknown response set ${it.responseSet}`,
        });
      }
    });
  });
  def.scales.forEach((sc, si) => {
    sc.items.forEach((code, ii) => {
      if (!codes.has(code)) {
        ctx.addIssue({
          code: 'custom',
          path: ['scales', si, 'items', ii],
          message: `Scale ${sc.id} names unknown item ${code}`,
        });
      }
    });
    if (sc.minAnswered > sc.items.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['scales', si, 'minAnswered'],
        message: 'minAnswered exceeds the number of items in the scale',
      });
    }
    if (sc.method.kind === 'summed-table') checkSummedTable(def, sc, si, ctx);
    if (sc.method.kind === 'mean-of-scales')
      for (const [mi, id] of sc.method.scales.entries()) {
        const part = def.scales.findIndex((other) => other.id === id);
        if (part < 0 || part >= si || def.scales[part]?.method.kind === 'mean-of-scales')
          ctx.addIssue({
            code: 'custom',
            path: ['scales', si, 'method', 'scales', mi],
            message: `Scale ${sc.id} averages ${id}, which must be an item-scored scale listed before it`,
          });
      }
    const [low, high] = sc.range;
    const pass = sc.interpretation?.pass?.value;
    if (pass !== undefined && (pass < low || pass > high))
      ctx.addIssue({
        code: 'custom',
        path: ['scales', si, 'interpretation', 'pass', 'value'],
        message: `A PASS of ${pass} lies outside the scale's range ${low}–${high}`,
      });
    const mcid = sc.interpretation?.mcid?.value;
    if (mcid !== undefined && mcid > high - low)
      ctx.addIssue({
        code: 'custom',
        path: ['scales', si, 'interpretation', 'mcid', 'value'],
        message: `An MCID of ${mcid} is larger than the scale's whole range ${low}–${high}`,
      });
    if (sc.method.kind === 'single-item' && sc.items.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['scales', si, 'items'],
        message: 'A single-item scale has exactly one item',
      });
    }
  });
});

type DefinitionDraft = z.infer<typeof definitionShape>;

/**
 * A summed-table scale needs every item (a table of complete sums has no place for a
 * missing one), a recoding for every answer value, and a table row for every possible sum.
 */
function checkSummedTable(
  def: DefinitionDraft,
  scale: DefinitionDraft['scales'][number],
  scaleIndex: number,
  ctx: z.RefinementCtx,
): void {
  if (scale.method.kind !== 'summed-table') return;
  const { recode, table } = scale.method;
  const where = ['scales', scaleIndex];
  if (scale.minAnswered !== scale.items.length)
    ctx.addIssue({
      code: 'custom',
      path: [...where, 'minAnswered'],
      message: 'A summed-table scale needs every item: minAnswered must equal the item count',
    });
  const responseSetOf = new Map(
    def.sections.flatMap((s) => s.items).map((it) => [it.code, it.responseSet]),
  );
  let lowest = 0;
  let highest = 0;
  for (const code of scale.items) {
    const options = def.responseSets[responseSetOf.get(code) ?? ''];
    if (!options) return; // already reported as an unknown item or response set
    const itemRecode = recode?.[code];
    const scored: number[] = [];
    for (const option of options) {
      const value = itemRecode ? itemRecode[String(option.value)] : option.value;
      if (value === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [...where, 'method', 'recode', code],
          message: `No recoded value for answer ${option.value} of ${code}`,
        });
        return;
      }
      scored.push(value);
    }
    lowest += Math.min(...scored);
    highest += Math.max(...scored);
  }
  for (let sum = lowest; sum <= highest; sum++) {
    if (table[String(sum)] === undefined)
      ctx.addIssue({
        code: 'custom',
        path: [...where, 'method', 'table'],
        message: `The table has no row for the raw sum ${sum} (possible sums ${lowest}–${highest})`,
      });
  }
}

export type InstrumentDefinition = z.infer<typeof instrumentDefinitionSchema>;
export type ScaleDefinition = InstrumentDefinition['scales'][number];
export type ItemDefinition = InstrumentDefinition['sections'][number]['items'][number];

export { itemsOf } from './items.ts';
