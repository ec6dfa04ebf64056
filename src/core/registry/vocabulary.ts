/** Controlled vocabularies shared by the API, the store and the web app. */

export const ROLES = ['admin', 'clinician', 'researcher'] as const;
export type Role = (typeof ROLES)[number];

/** Where a cellular product's cells come from. */
export const CELL_SOURCES = [
  { code: 'bone-marrow', label: 'Bone marrow' },
  { code: 'adipose', label: 'Adipose tissue' },
  { code: 'umbilical-cord', label: 'Umbilical cord' },
] as const;
export type CellSource = (typeof CELL_SOURCES)[number]['code'];
export const CELL_SOURCE_CODES = CELL_SOURCES.map((c) => c.code) as [CellSource, ...CellSource[]];

/** Product classes for intra-articular orthobiologic and comparator injections (issue 2's list). */
export const PRODUCT_CLASSES = [
  {
    code: 'BM-MSC',
    label: 'Bone-marrow MSC (culture-expanded)',
    cellular: true,
    cellSource: 'bone-marrow',
  },
  {
    code: 'AD-MSC',
    label: 'Adipose-derived MSC (culture-expanded)',
    cellular: true,
    cellSource: 'adipose',
  },
  { code: 'UC-MSC', label: 'Umbilical-cord MSC', cellular: true, cellSource: 'umbilical-cord' },
  {
    code: 'BMAC',
    label: 'Bone-marrow aspirate concentrate',
    cellular: true,
    cellSource: 'bone-marrow',
  },
  { code: 'SVF', label: 'Stromal vascular fraction', cellular: true, cellSource: 'adipose' },
  { code: 'MFAT', label: 'Micro-fragmented adipose tissue', cellular: true, cellSource: 'adipose' },
  { code: 'PRP', label: 'Platelet-rich plasma', cellular: false, cellSource: null },
  { code: 'HA', label: 'Hyaluronic acid', cellular: false, cellSource: null },
  { code: 'CS', label: 'Corticosteroid', cellular: false, cellSource: null },
  { code: 'SALINE', label: 'Saline', cellular: false, cellSource: null },
  { code: 'OTHER', label: 'Other', cellular: false, cellSource: null },
] as const;
export type ProductClass = (typeof PRODUCT_CLASSES)[number]['code'];
export const PRODUCT_CLASS_CODES = PRODUCT_CLASSES.map((p) => p.code) as [
  ProductClass,
  ...ProductClass[],
];

export const JOINTS = ['knee', 'hip', 'shoulder', 'ankle', 'hand', 'other'] as const;
export type Joint = (typeof JOINTS)[number];

export const SIDES = ['left', 'right'] as const;
export type Side = (typeof SIDES)[number];

export const IMAGE_GUIDANCE = ['none', 'ultrasound', 'fluoroscopy'] as const;
export type ImageGuidance = (typeof IMAGE_GUIDANCE)[number];

export const SEXES = ['female', 'male', 'other', 'unknown'] as const;
export type Sex = (typeof SEXES)[number];

/** Kellgren–Lawrence radiographic grade of osteoarthritis (Kellgren & Lawrence 1957, Ann Rheum Dis 16:494). */
export const KL_GRADES = [0, 1, 2, 3, 4] as const;
export type KlGrade = (typeof KL_GRADES)[number];

/**
 * Adverse-event severity grades of the NCI Common Terminology Criteria for Adverse Events
 * (CTCAE) v5.0, 27 Nov 2017: the general grade definitions, 1 to 5.
 */
export const ADVERSE_EVENT_GRADES = [
  { grade: 1, label: 'Grade 1 – mild' },
  { grade: 2, label: 'Grade 2 – moderate' },
  { grade: 3, label: 'Grade 3 – severe or medically significant' },
  { grade: 4, label: 'Grade 4 – life-threatening' },
  { grade: 5, label: 'Grade 5 – death related to the event' },
] as const;

/** The clinician's judgement of whether the treatment caused the event. */
export const RELATEDNESS = ['not-related', 'unlikely', 'possible', 'probable', 'definite'] as const;

/** The product classes whose cells come from a source. */
export function productClassesFrom(source: CellSource): ProductClass[] {
  return PRODUCT_CLASSES.filter((p) => p.cellSource === source).map((p) => p.code);
}

/**
 * Bands of the cell dose per injection, in millions of cells: StemTrack's grouping for
 * cohort filters (lower bound included, upper excluded), not a clinical constant.
 */
export const CELL_DOSE_BANDS = [
  { code: 'lt10', label: 'under 10 million', min: 0, max: 10 },
  { code: '10to50', label: '10 to under 50 million', min: 10, max: 50 },
  { code: '50to100', label: '50 to under 100 million', min: 50, max: 100 },
  { code: 'ge100', label: '100 million or more', min: 100, max: null },
] as const;
export type CellDoseBand = (typeof CELL_DOSE_BANDS)[number]['code'];
export const CELL_DOSE_BAND_CODES = CELL_DOSE_BANDS.map((b) => b.code) as [
  CellDoseBand,
  ...CellDoseBand[],
];

/**
 * Adult BMI classes in kg/m² (WHO. Obesity: preventing and managing the global epidemic.
 * WHO Technical Report Series 894, 2000, Table 2.1): lower bound included, upper excluded.
 */
export const BMI_CLASSES = [
  { code: 'underweight', label: 'Underweight (< 18.5)', min: null, max: 18.5 },
  { code: 'normal', label: 'Normal (18.5–24.9)', min: 18.5, max: 25 },
  { code: 'overweight', label: 'Pre-obese (25–29.9)', min: 25, max: 30 },
  { code: 'obese', label: 'Obese (≥ 30)', min: 30, max: null },
] as const;
export type BmiClass = (typeof BMI_CLASSES)[number]['code'];
export const BMI_CLASS_CODES = BMI_CLASSES.map((b) => b.code) as [BmiClass, ...BmiClass[]];
