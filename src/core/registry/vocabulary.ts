/** Controlled vocabularies shared by the API, the store and the web app. */

export const ROLES = ['admin', 'clinician', 'researcher'] as const;
export type Role = (typeof ROLES)[number];

/** Product classes for intra-articular orthobiologic and comparator injections (issue 2's list). */
export const PRODUCT_CLASSES = [
  { code: 'BM-MSC', label: 'Bone-marrow MSC (culture-expanded)', cellular: true },
  { code: 'AD-MSC', label: 'Adipose-derived MSC (culture-expanded)', cellular: true },
  { code: 'UC-MSC', label: 'Umbilical-cord MSC', cellular: true },
  { code: 'BMAC', label: 'Bone-marrow aspirate concentrate', cellular: true },
  { code: 'SVF', label: 'Stromal vascular fraction', cellular: true },
  { code: 'MFAT', label: 'Micro-fragmented adipose tissue', cellular: true },
  { code: 'PRP', label: 'Platelet-rich plasma', cellular: false },
  { code: 'HA', label: 'Hyaluronic acid', cellular: false },
  { code: 'CS', label: 'Corticosteroid', cellular: false },
  { code: 'SALINE', label: 'Saline', cellular: false },
  { code: 'OTHER', label: 'Other', cellular: false },
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
