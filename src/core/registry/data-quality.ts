import { z } from 'zod';
import { invalid } from '../errors.ts';
import {
  type Characterisation,
  type CharacterisationKey,
  fieldByKey,
  groupsFor,
  isCellular,
  isCultureExpanded,
} from './characterisation.ts';
import { PRODUCT_CLASSES } from './vocabulary.ts';

/**
 * Data-quality rules on a treatment (issue 16; REDCap's data-quality module is the model):
 * an impossible value is refused with an error naming the field; an implausible one is saved
 * only with an explicit confirmation, and stays an open query until a clinician verifies it;
 * a missing value the classifications need is an open query too. Rules are data: each range
 * says where it comes from, a paper read for this registry or "clinic setting" (a default
 * a clinic may revise, not a published limit).
 */

export type Severity = 'impossible' | 'implausible' | 'missing';

export interface RangeRule {
  code: string;
  field: CharacterisationKey;
  /** Outside [min, max] is refused; the message says what to fix. */
  impossible: { min: number; max: number; message: string };
  /** Inside the possible range but outside [min, max]: saved only when confirmed. */
  implausible?: { min: number; max: number; message: string };
  source: string;
}

const CLINIC = 'Clinic setting (StemTrack default, not a published limit)';
const PERCENT_DEFINITION = 'A share is 0–100% by definition';

export const RANGE_RULES: readonly RangeRule[] = [
  {
    code: 'blood-platelets-range',
    field: 'wholeBloodPlateletsK',
    impossible: {
      min: 1,
      max: 2000,
      message: 'Enter the count in thousands per µL (×10³/µL), e.g. 250 for 250,000/µL',
    },
    implausible: {
      min: 100,
      max: 600,
      message: 'Far from a usual whole-blood platelet count: check the value',
    },
    source: CLINIC,
  },
  {
    code: 'product-platelets-range',
    field: 'productPlateletsK',
    impossible: {
      min: 1,
      max: 20000,
      message: 'Enter the count in thousands per µL (×10³/µL), e.g. 1200 for 1,200,000/µL',
    },
    // Woodell-May et al., J Craniofac Surg 2005;16(5) (doi 10.1097/01.scs.0000180007.30115.fa):
    // an analyser counted PRP accurately up to 4,800,000 platelets/µL; above it is unvalidated.
    implausible: {
      min: 1,
      max: 4800,
      message: 'Above 4,800 ×10³/µL, beyond validated PRP counting: check the value and unit',
    },
    source:
      'Impossible: clinic setting. Implausible above 4,800: Woodell-May et al., J Craniofac Surg 2005;16(5)',
  },
  {
    code: 'blood-leukocytes-range',
    field: 'wholeBloodLeukocytesK',
    impossible: { min: 0.1, max: 500, message: 'Enter the count in thousands per µL (×10³/µL)' },
    implausible: {
      min: 2,
      max: 30,
      message: 'Far from a usual whole-blood leukocyte count: check the value',
    },
    source: CLINIC,
  },
  {
    code: 'product-leukocytes-range',
    field: 'productLeukocytesK',
    impossible: { min: 0, max: 500, message: 'Enter the count in thousands per µL (×10³/µL)' },
    // Dejnek et al., World J Orthop 2022;13(6):587–602, Table 3: the most leukocyte-rich of four
    // systems gave 34.19 ± 11.18 ×10⁹/L; 60 is the clinic's margin above it.
    implausible: { min: 0, max: 60, message: 'Unusually many leukocytes for PRP: check the value' },
    source: 'Clinic setting, above the leukocyte-rich PRP in Dejnek et al., World J Orthop 2022',
  },
  ...(
    ['wholeBloodNeutrophilPercent', 'productNeutrophilPercent', 'productHematocritPercent'] as const
  ).map(
    (field): RangeRule => ({
      code: `${field}-percent`,
      field,
      impossible: { min: 0, max: 100, message: 'A percentage from 0 to 100' },
      ...(field === 'productHematocritPercent'
        ? {
            implausible: {
              min: 0,
              max: 60,
              message: 'More red cells than whole blood usually has: check the value',
            },
          }
        : {}),
      source:
        field === 'productHematocritPercent'
          ? `${PERCENT_DEFINITION}; 60%: ${CLINIC}`
          : PERCENT_DEFINITION,
    }),
  ),
  {
    code: 'volume-drawn-range',
    field: 'volumeDrawnMl',
    impossible: { min: 0.1, max: 1000, message: 'Enter the blood drawn in mL' },
    // Dejnek et al. 2022, Table 1: four commercial kits drew 13.5–27 mL.
    implausible: { min: 5, max: 120, message: 'An unusual volume of blood to draw: check it' },
    source:
      'Clinic setting, around the 13.5–27 mL of the kits in Dejnek et al., World J Orthop 2022',
  },
  {
    code: 'volume-harvested-range',
    field: 'volumeHarvestedMl',
    impossible: { min: 0.1, max: 2000, message: 'Enter the volume harvested in mL' },
    implausible: { min: 1, max: 300, message: 'An unusual volume to harvest: check it' },
    source: CLINIC,
  },
  {
    code: 'passages-range',
    field: 'passages',
    impossible: { min: 0, max: 100, message: 'Passages are a whole number from 0' },
    implausible: { min: 0, max: 10, message: 'Many passages in culture: check the value' },
    source: CLINIC,
  },
  {
    code: 'tnc-range',
    field: 'totalNucleatedCellsMillions',
    impossible: {
      min: 0,
      max: 1_000_000,
      message: 'Enter total nucleated cells in millions (e.g. 400 for 4 × 10⁸)',
    },
    implausible: {
      min: 0.1,
      max: 20_000,
      message: 'Unusual total nucleated cells (in millions): check the value and unit',
    },
    source: CLINIC,
  },
  {
    code: 'cfu-f-range',
    field: 'cfuFPerMl',
    impossible: { min: 0, max: 10_000_000, message: 'Enter CFU-F as colonies per mL' },
    implausible: { min: 0, max: 100_000, message: 'Unusually many CFU-F per mL: check it' },
    source: CLINIC,
  },
  {
    code: 'viability-range',
    field: 'viabilityPercent',
    impossible: { min: 0, max: 100, message: 'A percentage from 0 to 100' },
    implausible: {
      min: 50,
      max: 100,
      message: 'Viability below 50%: check the value (a share of 0.95 is entered as 95)',
    },
    source: `${PERCENT_DEFINITION}; below 50%: ${CLINIC}`,
  },
  {
    code: 'series-number-range',
    field: 'seriesNumber',
    impossible: { min: 1, max: 100, message: 'The first injection of a series is number 1' },
    implausible: { min: 1, max: 10, message: 'A long series: check the number' },
    source: CLINIC,
  },
  {
    code: 'series-spacing-range',
    field: 'seriesSpacingDays',
    impossible: { min: 0, max: 3650, message: 'Days since the previous injection, 0 or more' },
    implausible: {
      min: 1,
      max: 365,
      message: 'Unusual spacing for one series: check the days',
    },
    source: CLINIC,
  },
];

export interface Finding {
  rule: string;
  /** Dotted path in the request body: `characterisation.productPlateletsK`, `cellDoseMillions`. */
  field: string;
  severity: Severity;
  message: string;
  /** The value the rule looked at (for the query list and the review's fingerprint). */
  value: unknown;
}

export interface CheckedTreatment {
  productClass: string;
  cellDoseMillions?: number | null | undefined;
  volumeMl: number;
  characterisation: Characterisation;
}

const path = (key: string) => `characterisation.${key}`;
const productLabel = (code: string) => PRODUCT_CLASSES.find((p) => p.code === code)?.label ?? code;

/** The values the classifications and dose need, per product: missing ones are open queries. */
export const EXPECTED_FIELDS: Readonly<Record<'prp' | 'cell', readonly CharacterisationKey[]>> = {
  // PAW and PLRA need these (see characterisation.ts); the platelet dose needs the product count.
  prp: [
    'wholeBloodPlateletsK',
    'productPlateletsK',
    'wholeBloodLeukocytesK',
    'productLeukocytesK',
    'productNeutrophilPercent',
    'productHematocritPercent',
    'activation',
  ],
  // Clinic setting: origin and tissue say what the cells are; cells injected is the dose.
  cell: ['origin', 'tissue'],
};

/**
 * Every finding of the rules on one treatment, in the table's order. Pure: the caller decides
 * (refuse, ask for confirmation, list as a query).
 */
export function checkTreatment(t: CheckedTreatment): Finding[] {
  const out: Finding[] = [];
  const c = t.characterisation;
  const groups = groupsFor(t.productClass);
  const product = productLabel(t.productClass);

  // A field of another product (a PRP count on a cell product, passages on PRP) is refused.
  for (const [key, value] of Object.entries(c)) {
    if (value === null || value === undefined) continue;
    const field = fieldByKey.get(key);
    if (field && !groups.includes(field.group))
      out.push({
        rule: 'field-not-for-product',
        field: path(key),
        severity: 'impossible',
        message: `${field.label} is not recorded for ${product}`,
        value,
      });
  }
  // A cell dose on a product without cells.
  if (t.cellDoseMillions != null && !isCellular(t.productClass))
    out.push({
      rule: 'dose-on-non-cellular',
      field: 'cellDoseMillions',
      severity: 'impossible',
      message: `${product} has no cells: leave the cell dose empty`,
      value: t.cellDoseMillions,
    });

  for (const rule of RANGE_RULES) {
    const value = c[rule.field];
    if (typeof value !== 'number') continue;
    const field = fieldByKey.get(rule.field);
    const label = field?.unit ? `${field.label} (${field.unit.display})` : (field?.label ?? '');
    if (value < rule.impossible.min || value > rule.impossible.max)
      out.push({
        rule: rule.code,
        field: path(rule.field),
        severity: 'impossible',
        message: `${label} ${value} is not possible: ${rule.impossible.message}`,
        value,
      });
    else if (rule.implausible && (value < rule.implausible.min || value > rule.implausible.max))
      out.push({
        rule: rule.code,
        field: path(rule.field),
        severity: 'implausible',
        message: `${label} ${value}: ${rule.implausible.message}`,
        value,
      });
  }

  const n = (key: CharacterisationKey) => (typeof c[key] === 'number' ? (c[key] as number) : null);
  const productPlatelets = n('productPlateletsK');
  const bloodPlatelets = n('wholeBloodPlateletsK');
  // PRP is a concentrate by definition: fewer platelets than the blood it came from is an error
  // (most often a unit slip between the two counts).
  if (
    t.productClass === 'PRP' &&
    productPlatelets !== null &&
    bloodPlatelets !== null &&
    productPlatelets < bloodPlatelets
  )
    out.push({
      rule: 'prp-below-whole-blood',
      field: path('productPlateletsK'),
      severity: 'impossible',
      message: `Product platelets (${productPlatelets}) below whole blood’s (${bloodPlatelets}): a platelet-rich product cannot have fewer; check both counts are ×10³/µL`,
      value: productPlatelets,
    });
  const drawn = n('volumeDrawnMl');
  if (t.productClass === 'PRP' && drawn !== null && t.volumeMl > drawn)
    out.push({
      rule: 'prp-injected-over-drawn',
      field: 'volumeMl',
      severity: 'implausible',
      message: `More injected (${t.volumeMl} mL) than blood drawn (${drawn} mL): check both volumes`,
      value: t.volumeMl,
    });
  if (n('passages') !== null && !isCultureExpanded(t.productClass) && groups.includes('cell'))
    out.push({
      rule: 'passages-not-cultured',
      field: path('passages'),
      severity: 'impossible',
      message: `${product} is not culture-expanded: it has no passages`,
      value: c.passages,
    });
  const source = PRODUCT_CLASSES.find((p) => p.code === t.productClass)?.cellSource ?? null;
  if (typeof c.tissue === 'string' && source !== null && c.tissue !== source)
    out.push({
      rule: 'tissue-not-product',
      field: path('tissue'),
      severity: 'impossible',
      message: `${product} comes from ${source.replace('-', ' ')}, not ${c.tissue.replace('-', ' ')}`,
      value: c.tissue,
    });
  const tnc = n('totalNucleatedCellsMillions');
  if (tnc !== null && t.cellDoseMillions != null && t.cellDoseMillions > tnc)
    out.push({
      rule: 'cells-injected-over-total',
      field: 'cellDoseMillions',
      severity: 'implausible',
      message: `More cells injected (${t.cellDoseMillions} million) than the product’s total nucleated cells (${tnc} million)`,
      value: t.cellDoseMillions,
    });
  if (n('seriesNumber') === 1 && n('seriesSpacingDays') !== null)
    out.push({
      rule: 'first-injection-spacing',
      field: path('seriesSpacingDays'),
      severity: 'impossible',
      message: 'The first injection of a series has no previous one: leave the days empty',
      value: c.seriesSpacingDays,
    });

  const expected =
    t.productClass === 'PRP'
      ? EXPECTED_FIELDS.prp
      : groups.includes('cell')
        ? EXPECTED_FIELDS.cell
        : [];
  for (const key of expected)
    if (c[key] === undefined || c[key] === null)
      out.push({
        rule: 'missing-characterisation',
        field: path(key),
        severity: 'missing',
        message: `${fieldByKey.get(key)?.label ?? key} not recorded`,
        value: null,
      });
  if (groups.includes('cell') && t.cellDoseMillions == null)
    out.push({
      rule: 'missing-characterisation',
      field: 'cellDoseMillions',
      severity: 'missing',
      message: 'Cells injected not recorded',
      value: null,
    });
  return out;
}

/**
 * On save: impossible values are refused, naming each field; implausible ones are refused
 * unless `confirmed`, with a problem on `confirmImplausible` the form shows as the checkbox to
 * tick. Returns the implausible findings that were confirmed (for the audit row).
 */
export function enforceOnSave(findings: readonly Finding[], confirmed: boolean): Finding[] {
  const impossible = findings.filter((f) => f.severity === 'impossible');
  if (impossible.length > 0)
    throw invalid(
      `Please correct: ${impossible.map((f) => f.message).join('; ')}`,
      impossible.map((f) => ({ field: f.field, message: f.message })),
    );
  const implausible = findings.filter((f) => f.severity === 'implausible');
  if (implausible.length > 0 && !confirmed)
    throw invalid(
      `Please check: ${implausible.map((f) => f.message).join('; ')}. If the values are right, confirm them and save again.`,
      [
        ...implausible.map((f) => ({ field: f.field, message: f.message })),
        {
          field: 'confirmImplausible',
          message: 'Tick to confirm the unusual values above are right',
        },
      ],
    );
  return implausible;
}

/** A finding's identity for a review: the rule, the field and the value it saw. */
export function findingKey(f: Pick<Finding, 'rule' | 'field' | 'value'>): string {
  return `${f.rule}|${f.field}|${JSON.stringify(f.value ?? null)}`;
}

/** A clinician's verification of one open query, by its treatment, rule and field. */
export const dataQualityReviewSchema = z.strictObject({
  treatmentId: z.uuid({ error: 'The treatment id is not valid' }),
  rule: z.string({ error: 'Say which rule' }).trim().min(1, 'Say which rule').max(100),
  field: z.string({ error: 'Say which field' }).trim().min(1, 'Say which field').max(100),
});
