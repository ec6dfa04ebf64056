import { z } from 'zod';
import { isoDate } from '../../core/registry/schemas.ts';
import {
  BMI_CLASS_CODES,
  CELL_DOSE_BAND_CODES,
  CELL_SOURCE_CODES,
  JOINTS,
  PRODUCT_CLASS_CODES,
  SEXES,
} from '../../core/registry/vocabulary.ts';
import { parseInput } from '../../core/validation.ts';
import type { CohortFilter } from '../../store/analytics.repo.ts';

const age = z.coerce
  .number({ error: 'Age must be a whole number of years' })
  .int('Age must be a whole number of years')
  .min(0, 'Age cannot be negative')
  .max(130, 'Age above 130 is not plausible');

/** One of a list, with the list in the message: the schema's own wording names no choices. */
const oneOf = <T extends readonly [string, ...string[]]>(what: string, values: T) =>
  z.enum(values, { error: `${what} is one of ${values.join(', ')}` });

const klMessage = 'The Kellgren–Lawrence grade is a whole number from 0 to 4';

const cohortShape = {
  joint: oneOf('The joint', JOINTS).optional(),
  product: oneOf('The product class', PRODUCT_CLASS_CODES).optional(),
  cellSource: oneOf('The cell source', CELL_SOURCE_CODES).optional(),
  dose: oneOf('The cell dose band', CELL_DOSE_BAND_CODES).optional(),
  kl: z.coerce
    .number({ error: klMessage })
    .int(klMessage)
    .min(0, klMessage)
    .max(4, klMessage)
    .optional(),
  ageFrom: age.optional(),
  ageTo: age.optional(),
  sex: oneOf('Sex', SEXES).optional(),
  bmi: oneOf('The BMI class', BMI_CLASS_CODES).optional(),
  treatedFrom: isoDate.optional(),
  treatedTo: isoDate.optional(),
};

/** The cohort filters by name: query-string keys, and `stemtrack report --NAME` options. */
export const COHORT_OPTIONS = Object.keys(cohortShape) as (keyof typeof cohortShape)[];

/** Query-string filters of the outcome reports (dashboard, API and `stemtrack report`). */
export const cohortFilterSchema = z
  .strictObject(cohortShape)
  .refine((f) => f.ageFrom === undefined || f.ageTo === undefined || f.ageFrom <= f.ageTo, {
    message: 'The lower age must not be above the upper age',
    path: ['ageTo'],
  })
  .refine(
    (f) => f.treatedFrom === undefined || f.treatedTo === undefined || f.treatedFrom <= f.treatedTo,
    { message: 'The first treatment date must not be after the last', path: ['treatedTo'] },
  );

/** The cohort a query string (or the CLI's options) asks for; a bad value is a clear 400. */
export function cohortOf(query: unknown): CohortFilter {
  const f = parseInput(cohortFilterSchema, query);
  return {
    ...(f.joint ? { joint: f.joint } : {}),
    ...(f.product ? { productClass: f.product } : {}),
    ...(f.cellSource ? { cellSource: f.cellSource } : {}),
    ...(f.dose ? { doseBand: f.dose } : {}),
    ...(f.kl !== undefined ? { klGrade: f.kl } : {}),
    ...(f.ageFrom !== undefined ? { ageFrom: f.ageFrom } : {}),
    ...(f.ageTo !== undefined ? { ageTo: f.ageTo } : {}),
    ...(f.sex ? { sex: f.sex } : {}),
    ...(f.bmi ? { bmiClass: f.bmi } : {}),
    ...(f.treatedFrom ? { treatedFrom: f.treatedFrom } : {}),
    ...(f.treatedTo ? { treatedTo: f.treatedTo } : {}),
  };
}
