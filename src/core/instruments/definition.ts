import { z } from 'zod';

/**
 * An instrument definition is data: adding a questionnaire means adding a file like
 * `definitions/koos.json`, validated by this schema, not editing the scoring engine.
 */

const responseOption = z.strictObject({ value: z.number().int(), label: z.string().min(1) });

const item = z.strictObject({
  /** The official item code, e.g. KOOS `P1`; answers and CSV columns use it. */
  code: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'Item codes are letters, digits, _'),
  text: z.string().min(1),
  responseSet: z.string().min(1),
});

const section = z.strictObject({
  title: z.string().min(1),
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
]);

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
  /** The LOINC code of this score, only where it was checked in a named source. */
  loinc: z
    .strictObject({
      code: z.string().regex(/^\d{1,7}-\d$/, 'A LOINC code looks like 72102-7'),
      display: z.string().min(1),
      source: z.string().min(1),
    })
    .optional(),
});

export const instrumentDefinitionSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    name: z.string().min(1),
    shortName: z.string().min(1),
    version: z.string().min(1),
    /** Joints the instrument is validated for; `any` for generic instruments. */
    joints: z.array(z.string()).min(1),
    source: z.string().min(1),
    termsOfUse: z.string().min(1),
    instructions: z.string().min(1),
    responseSets: z.record(z.string(), z.array(responseOption).min(2)),
    sections: z.array(section).min(1),
    scales: z.array(scale).min(1),
  })
  .superRefine((def, ctx) => {
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
      if (sc.method.kind === 'single-item' && sc.items.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['scales', si, 'items'],
          message: 'A single-item scale has exactly one item',
        });
      }
    });
  });

export type InstrumentDefinition = z.infer<typeof instrumentDefinitionSchema>;
export type ScaleDefinition = InstrumentDefinition['scales'][number];
export type ItemDefinition = InstrumentDefinition['sections'][number]['items'][number];

/** All items of an instrument in presentation order. */
export function itemsOf(def: InstrumentDefinition): ItemDefinition[] {
  return def.sections.flatMap((s) => s.items);
}
