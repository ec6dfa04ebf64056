/**
 * The words a patient reads above each question and on their own progress chart. The
 * instrument files keep each form's own section names and scale names (what a clinician and a
 * CSV use); these are our plain headings beside them, so no code ("KOOS", "NRS") reaches the
 * patient's screen. `{joint}` becomes the joint the survey is about, e.g. "your right knee".
 */

/** Instrument id → the form's section title → the heading the patient reads. */
const SECTION_HEADINGS: Record<string, Record<string, string>> = {
  'nrs-pain': { Pain: 'Pain in {joint}' },
  koos: {
    Symptoms: 'Symptoms in {joint}',
    Stiffness: 'Stiffness in {joint}',
    Pain: 'Pain in {joint}',
    'Function, daily living': 'Everyday activities',
    'Function, sports and recreational activities': 'Sport and more active pastimes',
    'Quality of life': 'How {joint} affects your life',
  },
  'koos-12': {
    Pain: 'Pain in {joint}',
    'Pain during activities': 'Pain in {joint} during activities',
    Function: 'Everyday activities',
    'Function, sports and recreational activities': 'Sport and more active pastimes',
    'Quality of life': 'How {joint} affects your life',
  },
  'koos-jr': {
    Stiffness: 'Stiffness in {joint}',
    Pain: 'Pain in {joint}',
    'Function, daily living': 'Everyday activities',
  },
  hoos: {
    Symptoms: 'Symptoms in {joint}',
    Stiffness: 'Stiffness in {joint}',
    Pain: 'Pain in {joint}',
    'Function, daily living': 'Everyday activities',
    'Function, sports and recreational activities': 'Sport and more active pastimes',
    'Quality of life': 'How {joint} affects your life',
  },
  'hoos-jr': {
    Pain: 'Pain in {joint}',
    'Function, daily living': 'Everyday activities',
  },
  'promis-global-10': {
    'In general': 'Your health in general',
    'In the past 7 days': 'Your past 7 days',
  },
  'patient-global': { 'Global assessment': 'How you are doing overall' },
  'satisfaction-work': { Satisfaction: 'The result of your treatment', Work: 'Your work' },
};

/** Instrument id → scale id → the title of the patient's own chart of that score. */
const SCALE_TITLES: Record<string, Record<string, string>> = {
  'nrs-pain': { pain: 'Pain rating' },
  koos: {
    pain: 'Knee pain',
    symptoms: 'Knee symptoms',
    adl: 'Everyday activities',
    sport: 'Sport and active pastimes',
    qol: 'Quality of life',
  },
  'koos-12': {
    pain: 'Knee pain',
    function: 'Everyday activities',
    qol: 'Quality of life',
    summary: 'Overall knee score',
  },
  'koos-jr': { kneeHealth: 'Knee health' },
  hoos: {
    pain: 'Hip pain',
    symptoms: 'Hip symptoms',
    adl: 'Everyday activities',
    sport: 'Sport and active pastimes',
    qol: 'Quality of life',
  },
  'hoos-jr': { hipHealth: 'Hip health' },
  'promis-global-10': { physical: 'Physical health', mental: 'Mental health' },
  'patient-global': { global: 'How you are doing overall' },
  'satisfaction-work': { satisfaction: 'Satisfaction with the result' },
};

/** The instruments and sections that have a patient heading, for the test that none is left out. */
export function sectionsWithHeadings(): { instrumentId: string; sectionTitle: string }[] {
  return Object.entries(SECTION_HEADINGS).flatMap(([instrumentId, sections]) =>
    Object.keys(sections).map((sectionTitle) => ({ instrumentId, sectionTitle })),
  );
}

/** The joint as the patient says it: "your right knee"; "your joint" when it has no plain name. */
export function jointPhrase(joint: string | null | undefined, side?: string | null): string {
  if (!joint || joint === 'other') return 'your joint';
  return side === 'left' || side === 'right' ? `your ${side} ${joint}` : `your ${joint}`;
}

function withJoint(template: string, joint: string): string {
  return template.replaceAll('{joint}', joint);
}

function sentenceStart(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The heading above a question. A licensed instrument without an entry shows its own section
 * title, never its code.
 */
export function sectionHeading(instrumentId: string, sectionTitle: string, joint: string): string {
  const template = SECTION_HEADINGS[instrumentId]?.[sectionTitle];
  return template ? sentenceStart(withJoint(template, joint)) : sectionTitle;
}

/** The title of the patient's chart of one score; a licensed instrument's falls back to the scale's name. */
export function scaleTitle(instrumentId: string, scaleId: string, scaleName: string): string {
  return SCALE_TITLES[instrumentId]?.[scaleId] ?? scaleName;
}
