/**
 * The words a patient reads above each question and on their own progress chart. The
 * instrument files keep each form's own section names and scale names (what a clinician and a
 * CSV use); these map them to our plain headings in the patient's catalogue (core/i18n), so no
 * code ("KOOS", "NRS") reaches the patient's screen.
 */
import type { MessageKey } from '../i18n/en.ts';
import type { Translate } from '../i18n/translate.ts';

/** Instrument id → the form's section title → the heading the patient reads. */
const SECTION_HEADINGS: Record<string, Record<string, MessageKey>> = {
  'nrs-pain': { Pain: 'heading.pain' },
  koos: {
    Symptoms: 'heading.symptoms',
    Stiffness: 'heading.stiffness',
    Pain: 'heading.pain',
    'Function, daily living': 'heading.dailyLiving',
    'Function, sports and recreational activities': 'heading.sport',
    'Quality of life': 'heading.qol',
  },
  'koos-12': {
    Pain: 'heading.pain',
    'Pain during activities': 'heading.painDuringActivities',
    Function: 'heading.dailyLiving',
    'Function, sports and recreational activities': 'heading.sport',
    'Quality of life': 'heading.qol',
  },
  'koos-jr': {
    Stiffness: 'heading.stiffness',
    Pain: 'heading.pain',
    'Function, daily living': 'heading.dailyLiving',
  },
  hoos: {
    Symptoms: 'heading.symptoms',
    Stiffness: 'heading.stiffness',
    Pain: 'heading.pain',
    'Function, daily living': 'heading.dailyLiving',
    'Function, sports and recreational activities': 'heading.sport',
    'Quality of life': 'heading.qol',
  },
  'hoos-jr': {
    Pain: 'heading.pain',
    'Function, daily living': 'heading.dailyLiving',
  },
  'promis-global-10': {
    'In general': 'heading.general',
    'In the past 7 days': 'heading.past7days',
  },
  'patient-global': { 'Global assessment': 'heading.patientGlobal' },
  'satisfaction-work': { Satisfaction: 'heading.satisfaction', Work: 'heading.work' },
};

/** Instrument id → scale id → the title of the patient's own chart of that score. */
const SCALE_TITLES: Record<string, Record<string, MessageKey>> = {
  'nrs-pain': { pain: 'scale.painRating' },
  koos: {
    pain: 'scale.kneePain',
    symptoms: 'scale.kneeSymptoms',
    adl: 'scale.adl',
    sport: 'scale.sport',
    qol: 'scale.qol',
  },
  'koos-12': {
    pain: 'scale.kneePain',
    function: 'scale.adl',
    qol: 'scale.qol',
    summary: 'scale.kneeSummary',
  },
  'koos-jr': { kneeHealth: 'scale.kneeHealth' },
  hoos: {
    pain: 'scale.hipPain',
    symptoms: 'scale.hipSymptoms',
    adl: 'scale.adl',
    sport: 'scale.sport',
    qol: 'scale.qol',
  },
  'hoos-jr': { hipHealth: 'scale.hipHealth' },
  'promis-global-10': { physical: 'scale.physical', mental: 'scale.mental' },
  'patient-global': { global: 'scale.patientGlobal' },
  'satisfaction-work': { satisfaction: 'scale.satisfaction' },
};

/** The instruments and sections that have a patient heading, for the test that none is left out. */
export function sectionsWithHeadings(): { instrumentId: string; sectionTitle: string }[] {
  return Object.entries(SECTION_HEADINGS).flatMap(([instrumentId, sections]) =>
    Object.keys(sections).map((sectionTitle) => ({ instrumentId, sectionTitle })),
  );
}

const JOINT_KEYS: Record<string, MessageKey> = {
  knee: 'joint.knee',
  hip: 'joint.hip',
  shoulder: 'joint.shoulder',
  ankle: 'joint.ankle',
  hand: 'joint.hand',
};

/** The joint as the patient says it: "your right knee"; "your joint" when it has no plain name. */
export function jointPhrase(
  t: Translate,
  joint: string | null | undefined,
  side?: string | null,
): string {
  const key = joint ? JOINT_KEYS[joint] : undefined;
  if (!key) return t('joint.any');
  return t('joint.phrase', { side: side ?? 'none', joint: t(key) });
}

/**
 * The heading above a question, in the patient's language. A licensed instrument without an
 * entry shows its own section title (or its translation file's), never its code.
 */
export function sectionHeading(
  t: Translate,
  instrumentId: string,
  sectionTitle: string,
  joint: string,
  titleInLanguage?: string,
): string {
  const key = SECTION_HEADINGS[instrumentId]?.[sectionTitle];
  return key ? t(key, { joint }) : (titleInLanguage ?? sectionTitle);
}

/** The title of the patient's chart of one score; a licensed instrument's falls back to the scale's name. */
export function scaleTitle(
  t: Translate,
  instrumentId: string,
  scaleId: string,
  scaleName: string,
): string {
  const key = SCALE_TITLES[instrumentId]?.[scaleId];
  return key ? t(key) : scaleName;
}
