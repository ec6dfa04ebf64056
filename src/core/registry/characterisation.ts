import { z } from 'zod';
import { CELL_SOURCES, PRODUCT_CLASSES, type ProductClass } from './vocabulary.ts';

/**
 * What was injected, recorded the way the reporting checklists ask (issue 16): MIBO (Murray et
 * al., JBJS 2017;99(10):809–819) for every orthobiologic, PAW and PLRA for platelet-rich plasma,
 * and, for cell products, origin, tissue, processing, culture, counts and viability. One
 * definition per field: the form, the data-quality rules, the export columns, the data
 * dictionary and the FHIR Observations are all read from this table.
 */

/** How PRP platelets were activated before injection (PAW's and PLRA's "A"). */
export const PRP_ACTIVATIONS = ['none', 'calcium', 'thrombin', 'other'] as const;
export type PrpActivation = (typeof PRP_ACTIVATIONS)[number];

/** Whether the cells are the patient's own. */
export const CELL_ORIGINS = ['autologous', 'allogeneic'] as const;

/** Tissue the cells were harvested from: the cell sources, or another tissue. */
export const CELL_TISSUES = [...CELL_SOURCES.map((s) => s.code), 'other'] as const;

/** The words the form and the record show for each choice. */
export const CHOICE_LABELS: Readonly<Record<string, string>> = {
  none: 'None (not activated)',
  calcium: 'Calcium',
  thrombin: 'Thrombin',
  other: 'Other',
  autologous: 'Autologous (the patient’s own)',
  allogeneic: 'Allogeneic (a donor’s)',
  'bone-marrow': 'Bone marrow',
  adipose: 'Adipose tissue',
  'umbilical-cord': 'Umbilical cord',
};

/** Which products a field is recorded for. */
export type FieldGroup = 'prp' | 'cell' | 'injection';

export interface CharacterisationField {
  /** Key in the request body's `characterisation` object and in the stored JSON. */
  key: string;
  group: FieldGroup;
  /** The clinic's words, as the form shows them. */
  label: string;
  kind: 'number' | 'integer' | 'choice' | 'text';
  /** As the form shows it (×10³/µL), and as UCUM for FHIR. */
  unit?: { display: string; ucum: string };
  choices?: readonly string[];
  /** Longest text kept. */
  maxLength?: number;
  /** Column of treatments.csv. */
  column: string;
  /** Data dictionary text. */
  description: string;
  /** A hint under the field in the form. */
  hint?: string;
}

const K_PER_UL = { display: '×10³/µL', ucum: '10*3/uL' };
const PERCENT = { display: '%', ucum: '%' };
const ML = { display: 'mL', ucum: 'mL' };

export const CHARACTERISATION_FIELDS = [
  // Platelet-rich plasma: the composition PAW and PLRA classify, and how it was made.
  {
    key: 'wholeBloodPlateletsK',
    group: 'prp',
    label: 'Whole-blood platelets',
    kind: 'number',
    unit: K_PER_UL,
    column: 'prp_whole_blood_platelets_k_ul',
    description: 'Platelet count of the patient’s whole blood (baseline), ×10³/µL.',
    hint: 'Thousands per µL, e.g. 250',
  },
  {
    key: 'productPlateletsK',
    group: 'prp',
    label: 'Product platelets',
    kind: 'number',
    unit: K_PER_UL,
    column: 'prp_platelets_k_ul',
    description: 'Platelet count of the PRP injected, ×10³/µL.',
    hint: 'Thousands per µL, e.g. 1200 for 1,200,000/µL',
  },
  {
    key: 'wholeBloodLeukocytesK',
    group: 'prp',
    label: 'Whole-blood leukocytes',
    kind: 'number',
    unit: K_PER_UL,
    column: 'prp_whole_blood_leukocytes_k_ul',
    description: 'Leukocyte (white cell) count of the whole blood, ×10³/µL.',
  },
  {
    key: 'wholeBloodNeutrophilPercent',
    group: 'prp',
    label: 'Whole-blood neutrophils',
    kind: 'number',
    unit: PERCENT,
    column: 'prp_whole_blood_neutrophil_pct',
    description: 'Neutrophils as a share of the whole blood’s leukocytes, %.',
    hint: 'Share of the leukocytes',
  },
  {
    key: 'productLeukocytesK',
    group: 'prp',
    label: 'Product leukocytes',
    kind: 'number',
    unit: K_PER_UL,
    column: 'prp_leukocytes_k_ul',
    description: 'Leukocyte count of the PRP injected, ×10³/µL.',
  },
  {
    key: 'productNeutrophilPercent',
    group: 'prp',
    label: 'Product neutrophils',
    kind: 'number',
    unit: PERCENT,
    column: 'prp_neutrophil_pct',
    description: 'Neutrophils as a share of the product’s leukocytes, %.',
    hint: 'Share of the leukocytes',
  },
  {
    key: 'productHematocritPercent',
    group: 'prp',
    label: 'Product red cells (haematocrit)',
    kind: 'number',
    unit: PERCENT,
    column: 'prp_hematocrit_pct',
    description: 'Red cells in the PRP injected, as haematocrit (% of volume).',
  },
  {
    key: 'activation',
    group: 'prp',
    label: 'Activation',
    kind: 'choice',
    choices: PRP_ACTIVATIONS,
    column: 'prp_activation',
    description: 'Exogenous activation before injection: none, calcium, thrombin or other.',
  },
  {
    key: 'anticoagulant',
    group: 'prp',
    label: 'Anticoagulant',
    kind: 'text',
    maxLength: 100,
    column: 'prp_anticoagulant',
    description: 'Anticoagulant of the blood draw (e.g. ACD-A, sodium citrate).',
  },
  {
    key: 'volumeDrawnMl',
    group: 'prp',
    label: 'Blood drawn',
    kind: 'number',
    unit: ML,
    column: 'prp_volume_drawn_ml',
    description: 'Volume of whole blood drawn, mL (the volume injected is volume_ml).',
  },
  {
    key: 'spinProtocol',
    group: 'prp',
    label: 'Spin protocol',
    kind: 'text',
    maxLength: 200,
    column: 'prp_spin_protocol',
    description: 'Centrifugation: number of spins, force and time (e.g. 1 spin, 1500 rpm, 5 min).',
  },
  {
    key: 'prpDevice',
    group: 'prp',
    label: 'PRP device or kit',
    kind: 'text',
    maxLength: 100,
    column: 'prp_device',
    description: 'Commercial system or kit used to prepare the PRP.',
  },
  // Cell products (BMAC, SVF, MFAT, culture-expanded MSC). Cells injected: cell_dose_millions.
  {
    key: 'origin',
    group: 'cell',
    label: 'Origin',
    kind: 'choice',
    choices: CELL_ORIGINS,
    column: 'cell_origin',
    description: 'autologous (the patient’s own cells) or allogeneic (a donor’s).',
  },
  {
    key: 'tissue',
    group: 'cell',
    label: 'Tissue',
    kind: 'choice',
    choices: CELL_TISSUES,
    column: 'cell_tissue',
    description: 'Tissue the cells came from: bone-marrow, adipose, umbilical-cord or other.',
  },
  {
    key: 'harvestSite',
    group: 'cell',
    label: 'Harvest site',
    kind: 'text',
    maxLength: 100,
    column: 'cell_harvest_site',
    description: 'Where the tissue was harvested (e.g. posterior iliac crest, abdomen).',
  },
  {
    key: 'volumeHarvestedMl',
    group: 'cell',
    label: 'Volume harvested',
    kind: 'number',
    unit: ML,
    column: 'cell_volume_harvested_ml',
    description: 'Volume of marrow aspirate or lipoaspirate harvested, mL.',
  },
  {
    key: 'processing',
    group: 'cell',
    label: 'Processing',
    kind: 'text',
    maxLength: 200,
    column: 'cell_processing',
    description: 'How the cells were processed (e.g. centrifugation, enzymatic digestion).',
  },
  {
    key: 'cellDevice',
    group: 'cell',
    label: 'Processing device',
    kind: 'text',
    maxLength: 100,
    column: 'cell_device',
    description: 'Device or kit used to process the cells.',
  },
  {
    key: 'passages',
    group: 'cell',
    label: 'Culture passages',
    kind: 'integer',
    column: 'cell_passages',
    description: 'Passages in culture (culture-expanded MSC only).',
    hint: 'Culture-expanded cells only',
  },
  {
    key: 'totalNucleatedCellsMillions',
    group: 'cell',
    label: 'Total nucleated cells',
    kind: 'number',
    unit: { display: 'million', ucum: '10*6' },
    column: 'cell_total_nucleated_millions',
    description: 'Total nucleated cells in the product, millions.',
  },
  {
    key: 'cfuFPerMl',
    group: 'cell',
    label: 'CFU-F',
    kind: 'number',
    unit: { display: 'colonies/mL', ucum: '{colonies}/mL' },
    column: 'cell_cfu_f_per_ml',
    description: 'Colony-forming units–fibroblast per mL of product.',
  },
  {
    key: 'viabilityPercent',
    group: 'cell',
    label: 'Viability',
    kind: 'number',
    unit: PERCENT,
    column: 'cell_viability_pct',
    description: 'Viable cells, % of cells counted.',
  },
  {
    key: 'phenotypeMarkers',
    group: 'cell',
    label: 'Phenotype markers',
    kind: 'text',
    maxLength: 500,
    column: 'cell_phenotype_markers',
    description: 'Surface markers measured, as reported (e.g. CD73+ 98%, CD45− 1%).',
    hint: 'Only where measured',
  },
  // Every injection.
  {
    key: 'seriesNumber',
    group: 'injection',
    label: 'Injection number in the series',
    kind: 'integer',
    column: 'series_number',
    description: 'This injection’s number in the planned series (1 for the first).',
  },
  {
    key: 'seriesSpacingDays',
    group: 'injection',
    label: 'Days since the previous injection',
    kind: 'integer',
    unit: { display: 'days', ucum: 'd' },
    column: 'series_spacing_days',
    description: 'Days since the previous injection of the series (empty for the first).',
  },
  {
    key: 'coInjected',
    group: 'injection',
    label: 'Co-injected products',
    kind: 'text',
    maxLength: 200,
    column: 'co_injected',
    description: 'Anything injected with it (e.g. local anaesthetic, hyaluronic acid).',
  },
  {
    key: 'postInjectionProtocol',
    group: 'injection',
    label: 'Post-injection protocol',
    kind: 'text',
    maxLength: 500,
    column: 'post_injection_protocol',
    description: 'Rest, weight bearing, bracing, rehabilitation and NSAID advice after it.',
  },
] as const satisfies readonly CharacterisationField[];

export type CharacterisationKey = (typeof CHARACTERISATION_FIELDS)[number]['key'];

/** Values by key; a value is absent or null when not recorded. */
export type Characterisation = Partial<Record<CharacterisationKey, number | string | null>>;

export const fieldByKey = new Map<string, CharacterisationField>(
  CHARACTERISATION_FIELDS.map((f) => [f.key, f]),
);

const CULTURE_EXPANDED: readonly ProductClass[] = ['BM-MSC', 'AD-MSC', 'UC-MSC'];

/** Culture-expanded MSC products: the only ones with culture passages. */
export function isCultureExpanded(productClass: string): boolean {
  return (CULTURE_EXPANDED as readonly string[]).includes(productClass);
}

export function isCellular(productClass: string): boolean {
  return PRODUCT_CLASSES.some((p) => p.code === productClass && p.cellular);
}

/** The field groups recorded for a product class. */
export function groupsFor(productClass: string): FieldGroup[] {
  if (productClass === 'PRP') return ['prp', 'injection'];
  if (isCellular(productClass)) return ['cell', 'injection'];
  return ['injection'];
}

const fieldSchema = (f: CharacterisationField) => {
  const what = f.unit ? `${f.label} (${f.unit.display})` : f.label;
  switch (f.kind) {
    case 'number':
      return z
        .number({ error: `${what} must be a number` })
        .refine(Number.isFinite, `${what} must be a number`);
    case 'integer':
      return z
        .number({ error: `${what} must be a whole number` })
        .int(`${what} must be a whole number`);
    case 'choice':
      return z.enum(f.choices as [string, ...string[]], {
        error: `${f.label} must be one of ${(f.choices ?? []).join(', ')}`,
      });
    default:
      return z
        .string({ error: `${f.label} must be text` })
        .trim()
        .max(f.maxLength ?? 200, `${f.label}: at most ${f.maxLength ?? 200} characters`);
  }
};

/**
 * The shape of `characterisation`: every field optional, null or empty text meaning "not
 * recorded". Ranges and which product a field belongs to are the data-quality rules' job.
 */
export const characterisationSchema = z.strictObject(
  Object.fromEntries(
    CHARACTERISATION_FIELDS.map((f) => [
      f.key,
      fieldSchema(f)
        .nullable()
        .optional()
        .transform((v) => (v === '' ? null : v)),
    ]),
  ) as unknown as Record<CharacterisationKey, z.ZodOptional<z.ZodType<number | string | null>>>,
  { error: 'Unknown characterisation field' },
);

/** Drops the fields not recorded (absent, null or empty), so the stored JSON holds values only. */
export function compactCharacterisation(c: Characterisation): Characterisation {
  return Object.fromEntries(
    Object.entries(c).filter(([, v]) => v !== null && v !== undefined && v !== ''),
  ) as Characterisation;
}

const num = (c: Characterisation, key: CharacterisationKey): number | null => {
  const v = c[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

/**
 * Platelets injected, ×10⁹: the product's count (×10³/µL, i.e. ×10⁶ per mL) times the volume
 * injected (mL), divided by 1000. Unit arithmetic, no constant: 1,000 ×10³/µL × 5 mL = 5 ×10⁹.
 * Null when either is not recorded.
 */
export function plateletDoseBillions(
  productPlateletsK: number | null | undefined,
  volumeInjectedMl: number | null | undefined,
): number | null {
  if (productPlateletsK == null || volumeInjectedMl == null) return null;
  if (!Number.isFinite(productPlateletsK) || !Number.isFinite(volumeInjectedMl)) return null;
  return (productPlateletsK * volumeInjectedMl) / 1000;
}

/** The platelet dose kept with a treatment: PRP with a product count only, else null. */
export function productDose(
  productClass: string,
  c: Characterisation,
  volumeInjectedMl: number,
): number | null {
  if (productClass !== 'PRP') return null;
  return plateletDoseBillions(num(c, 'productPlateletsK'), volumeInjectedMl);
}

/** The product's platelet count over whole blood's; null when either is missing or blood's is 0. */
export function plateletFoldIncrease(c: Characterisation): number | null {
  const product = num(c, 'productPlateletsK');
  const blood = num(c, 'wholeBloodPlateletsK');
  if (product === null || blood === null || blood <= 0) return null;
  return product / blood;
}

/** A derived classification: its code, or why there is none. */
export interface Classification {
  /** e.g. "P3xBβ"; null when a part could not be classified. */
  code: string | null;
  /** The parts that could not be classified, in words. */
  missing: string[];
  /** Where the rule was read: shown beside the code. */
  source: string;
}

/**
 * PAW (DeLong, Russell & Mazzocca, Arthroscopy 2012;28(7):998–1009). The original is paywalled;
 * the cut-offs were read as tabulated in Frontiers in Veterinary Science 2021;8:641818 (Table 1)
 * and Orthop J Sports Med 2017;5(1):2325967116675272 (footnote of Table 6):
 *   P1 ≤ baseline; P2 > baseline to 750 ×10³/µL; P3 > 750 to 1,250; P4 > 1,250.
 *   Activation: "x" when exogenously activated, nothing when not.
 *   White cells: A above whole blood's, B below or equal. Neutrophils: α above, β below.
 * Neither source says how neutrophils exactly equal to whole blood's are classed: left unclassified.
 */
export const PAW_SOURCE =
  'PAW: DeLong et al., Arthroscopy 2012;28:998–1009; cut-offs as tabulated in Front Vet Sci 2021;8:641818 and Orthop J Sports Med 2017;5:2325967116675272';

export function pawClassification(c: Characterisation): Classification {
  const missing: string[] = [];
  const product = num(c, 'productPlateletsK');
  const blood = num(c, 'wholeBloodPlateletsK');
  let p: string | null = null;
  if (product === null || blood === null) missing.push('platelet counts of product and blood');
  else if (product <= blood) p = 'P1';
  else if (product <= 750) p = 'P2';
  else if (product <= 1250) p = 'P3';
  else p = 'P4';

  const activation = c.activation;
  let a: string | null = null;
  if (typeof activation !== 'string') missing.push('activation');
  else a = activation === 'none' ? '' : 'x';

  const wbcProduct = num(c, 'productLeukocytesK');
  const wbcBlood = num(c, 'wholeBloodLeukocytesK');
  let w: string | null = null;
  if (wbcProduct === null || wbcBlood === null)
    missing.push('leukocyte counts of product and blood');
  else w = wbcProduct > wbcBlood ? 'A' : 'B';

  const nProduct = num(c, 'productNeutrophilPercent');
  const nBlood = num(c, 'wholeBloodNeutrophilPercent');
  let n: string | null = null;
  if (wbcProduct === null || wbcBlood === null || nProduct === null || nBlood === null)
    missing.push('neutrophil shares of product and blood');
  else {
    const productNeutrophils = (wbcProduct * nProduct) / 100;
    const bloodNeutrophils = (wbcBlood * nBlood) / 100;
    if (productNeutrophils > bloodNeutrophils) n = 'α';
    else if (productNeutrophils < bloodNeutrophils) n = 'β';
    else missing.push('neutrophils equal to whole blood’s (the rule does not say)');
  }
  const code = p !== null && a !== null && w !== null && n !== null ? `${p}${a}${w}${n}` : null;
  return { code, missing, source: PAW_SOURCE };
}

/**
 * PLRA (Mautner et al., PM&R 2015;7(4 Suppl):S53–S59). The original is paywalled; the rule was
 * read as tabulated in Frontiers in Veterinary Science 2021;8:641818 (Table 1):
 *   P: the platelet count per µL, as a number.
 *   L: + when neutrophils are more than 1% of the leukocytes, − when less than 1%.
 *   R: + when red cells are more than 1% (haematocrit), − when less than 1%.
 *   A: + when exogenously activated, − when not.
 * Exactly 1% is not classed by the source: left unclassified.
 */
export const PLRA_SOURCE =
  'PLRA: Mautner et al., PM&R 2015;7:S53–S59; rule as tabulated in Front Vet Sci 2021;8:641818';

const PLRA_CUT_PERCENT = 1;

export function plraClassification(c: Characterisation): Classification {
  const missing: string[] = [];
  const product = num(c, 'productPlateletsK');
  const p = product === null ? null : `${Math.round(product * 1000).toLocaleString('en-US')}/µL`;
  if (p === null) missing.push('product platelet count');

  const sign = (v: number | null, what: string): string | null => {
    if (v === null) {
      missing.push(what);
      return null;
    }
    if (v > PLRA_CUT_PERCENT) return '+';
    if (v < PLRA_CUT_PERCENT) return '−';
    missing.push(`${what} exactly 1% (the rule does not say)`);
    return null;
  };
  const l = sign(num(c, 'productNeutrophilPercent'), 'product neutrophil share');
  const r = sign(num(c, 'productHematocritPercent'), 'product haematocrit');
  const activation = c.activation;
  let a: string | null = null;
  if (typeof activation !== 'string') missing.push('activation');
  else a = activation === 'none' ? '−' : '+';
  const code =
    p !== null && l !== null && r !== null && a !== null ? `P ${p}, L${l}, R${r}, A${a}` : null;
  return { code, missing, source: PLRA_SOURCE };
}

/** Everything derived from a treatment's characterisation, for the page, export and FHIR. */
export interface DerivedProduct {
  plateletDoseBillions: number | null;
  plateletFoldIncrease: number | null;
  paw: Classification | null;
  plra: Classification | null;
}

export function deriveProduct(
  productClass: string,
  c: Characterisation,
  volumeInjectedMl: number,
): DerivedProduct {
  if (productClass !== 'PRP')
    return { plateletDoseBillions: null, plateletFoldIncrease: null, paw: null, plra: null };
  return {
    plateletDoseBillions: productDose(productClass, c, volumeInjectedMl),
    plateletFoldIncrease: plateletFoldIncrease(c),
    paw: pawClassification(c),
    plra: plraClassification(c),
  };
}
