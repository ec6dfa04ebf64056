import { itemsOf } from '../instruments/definition.ts';
import { instrumentById } from '../instruments/library.ts';
import type { Answers } from '../instruments/scoring.ts';
import { addDays, type IsoDate } from '../registry/dates.ts';
import type { PatientEventKind } from '../registry/events.ts';
import type { EnrolPatientInput, JointEpisodeInput, TreatmentInput } from '../registry/schemas.ts';
import type { ProductClass } from '../registry/vocabulary.ts';
import { DEFAULT_SCHEDULE, followUpWindow } from '../schedule/timepoints.ts';
import { demoProduct } from './product.ts';
import { clamp, normal, pick, pickWeighted, type Rng, seededRng } from './random.ts';

/*
 * A synthetic registry for demonstrations and load tests. Every person in it is invented
 * (registry ids start DEMO-, e-mail addresses are at example.org). The parameters below
 * shape plausible-looking data; they are NOT clinical estimates and must never be read as
 * evidence of what any treatment does.
 */

export interface DemoResponse {
  timepoint: string;
  instrumentId: string;
  answers: Answers;
  submittedOn: IsoDate;
}

export interface DemoPatient {
  siteIndex: number;
  patient: EnrolPatientInput & { registryId: string };
  episode: JointEpisodeInput;
  treatment: TreatmentInput;
  /** The rest of a series begun by `treatment` (PRP), injections 2, 3, … in date order. */
  seriesInjections: TreatmentInput[];
  responses: DemoResponse[];
  /** Reported with a later survey: re-injection, replacement, return to activities or work. */
  laterEvents: { kind: PatientEventKind; date: IsoDate }[];
  adverseEvents: {
    onsetDate: IsoDate;
    description: string;
    grade: number;
    serious: boolean;
    relatedness: string;
  }[];
}

export interface DemoRegistry {
  sites: string[];
  patients: DemoPatient[];
}

export const DEMO_SITES = ['Harbour Orthobiologics Clinic', 'Northside Joint Centre'];

const GIVEN = [
  'Alex',
  'Sam',
  'Jordan',
  'Maria',
  'Li',
  'Aisha',
  'Tom',
  'Eva',
  'Ravi',
  'Noor',
  'Kofi',
  'Ingrid',
  'Mateo',
  'Yuki',
  'Grace',
  'Omar',
  'Hana',
  'Peter',
  'Zoe',
  'Ibrahim',
];
const FAMILY = [
  'Smith',
  'Garcia',
  'Chen',
  'Okafor',
  'Nielsen',
  'Khan',
  'Rossi',
  'Novak',
  'Silva',
  'Haddad',
  'Tanaka',
  'Murphy',
  'Kowalski',
  'Dubois',
  'Patel',
  'Larsen',
];

const PRODUCT_MIX: readonly (readonly [ProductClass, number])[] = [
  ['BMAC', 30],
  ['AD-MSC', 15],
  ['MFAT', 15],
  ['SVF', 10],
  ['BM-MSC', 8],
  ['UC-MSC', 5],
  ['PRP', 12],
  ['HA', 5],
];
/**
 * Cells injected (millions), drawn evenly between the lowest and highest dose of the sources
 * below. Bone-marrow concentrate's comes with its characterisation (demo/product.ts); MFAT has
 * none: no cell count of micro-fragmented fat was found in a source read for StemTrack.
 */
const CELL_DOSE_MILLIONS: Partial<Record<ProductClass, [number, number]>> = {
  // Knee-OA trials of intra-articular BM-MSC used 24 to 100 × 10⁶ cells (a narrative review of
  // 2014–2019 studies, pmc.ncbi.nlm.nih.gov/articles/PMC7669782, abstract read).
  'BM-MSC': [24, 100],
  // Knee-OA trials of AD-MSC: 2.0 × 10⁶ (Pers 2016, lowest) to 1.0 × 10⁸ (Jo 2014, Lee 2019)
  // cells (Yeungnam Univ J Med 2020;37(3):149–158, doi 10.12701/yujm.2020.00157, Table 2 read).
  'AD-MSC': [2, 100],
  // UC-MSC: 1 × 10⁷, 5 × 10⁷ and 1 × 10⁸ cells in 3 mL (ClinicalTrials.gov NCT03357770, the
  // dose-finding arms of its registration, read).
  'UC-MSC': [10, 100],
  // Illustrative, unverified: no range of SVF cells injected was found in a source read here
  // (one knee-OA study gave every patient 2.5 × 10⁷, BMC Musculoskelet Disord 2020,
  // doi 10.1186/s12891-020-03231-3, abstract read; it lies inside this range).
  SVF: [5, 50],
};

/** Share of still-engaged patients who answer at each time point (demo drop-out shape). */
const RESPONSE_RATE: Record<string, number> = {
  baseline: 0.97,
  w6: 0.88,
  m3: 0.85,
  m6: 0.8,
  m12: 0.72,
  m24: 0.6,
  m36: 0.55,
  m48: 0.5,
  m60: 0.5,
};

/** Months after treatment for each time point, for the synthetic trajectory. */
const MONTHS: Record<string, number> = {
  baseline: 0,
  w6: 1.4,
  m3: 3,
  m6: 6,
  m12: 12,
  m24: 24,
  m36: 36,
  m48: 48,
  m60: 60,
};

export interface DemoOptions {
  patients: number;
  /** "Today": no follow-up is generated after it. */
  today: IsoDate;
  rng: Rng;
}

export function generateDemoRegistry({ patients, today, rng }: DemoOptions): DemoRegistry {
  const list: DemoPatient[] = [];
  for (let i = 0; i < patients; i++) list.push(demoPatient(i, today, rng));
  return { sites: DEMO_SITES, patients: list };
}

function demoPatient(index: number, today: IsoDate, rng: Rng): DemoPatient {
  const registryId = `DEMO-${String(index + 1).padStart(5, '0')}`;
  const age = Math.round(clamp(normal(rng, 58, 11), 25, 92));
  const treatmentDate = addDays(today, -Math.floor(rng.next() * 365 * 4));
  const dob = addDays(treatmentDate, -Math.round(age * 365.25 + rng.next() * 360));
  const consentDate = addDays(treatmentDate, -Math.floor(rng.next() * 30));
  const joint = pickWeighted(rng, [
    ['knee', 85],
    ['hip', 12],
    ['shoulder', 3],
  ] as const);
  const klGrade = pickWeighted(rng, [
    [1, 10],
    [2, 35],
    [3, 40],
    [4, 15],
  ] as const);
  const productClass = pickWeighted(rng, PRODUCT_MIX);
  const doseRange = CELL_DOSE_MILLIONS[productClass];
  const given = pick(rng, GIVEN);
  const family = pick(rng, FAMILY);

  const patient = {
    registryId,
    givenName: given,
    familyName: family,
    dateOfBirth: dob,
    sex: rng.next() < 0.56 ? ('female' as const) : ('male' as const),
    email: `demo+${registryId.toLowerCase()}@example.org`,
    consentDate,
    consentGiven: true as const,
  };
  const episode: JointEpisodeInput = {
    joint,
    side: rng.next() < 0.5 ? 'left' : 'right',
    klGrade,
    diagnosis: 'Osteoarthritis',
  };
  const treatment: TreatmentInput = {
    treatmentDate,
    productClass,
    cellDoseMillions: doseRange
      ? Math.round(doseRange[0] + rng.next() * (doseRange[1] - doseRange[0]))
      : null,
    volumeMl: productClass === 'HA' ? 2 : Math.round(3 + rng.next() * 7),
    imageGuidance: pickWeighted(rng, [
      ['ultrasound', 70],
      ['fluoroscopy', 10],
      ['none', 20],
    ] as const),
  };

  // Latent severity 0 (no problems) … 1 (extreme), worse with KL grade.
  const baselineSeverity = clamp(normal(rng, 0.42 + 0.04 * (klGrade - 2), 0.13), 0.05, 0.95);
  const peakImprovement = normal(rng, 0.3, 0.25);
  const waning = clamp(normal(rng, 0.01, 0.008), 0, 0.05);
  const engagement = rng.next();
  const instruments = joint === 'knee' ? ['nrs-pain', 'koos'] : ['nrs-pain'];

  const responses: DemoResponse[] = [];
  // Hips answer HOOS from a stream of their own, added after the rest: earlier numbers stay.
  const hipRng = seededRng(0x4005 + index * 7919);
  for (const tp of DEFAULT_SCHEDULE) {
    const window = followUpWindow(treatmentDate, tp);
    if (window.target > today) break;
    const rate = RESPONSE_RATE[tp.id] ?? 0.5;
    if (engagement > rate) break; // lost to follow-up from here on
    if (rng.next() < 0.05 && tp.id !== 'baseline') continue; // an occasional missed visit
    const months = MONTHS[tp.id] ?? 0;
    const rise = Math.min(1, months / 6);
    const improvement =
      tp.id === 'baseline' ? 0 : peakImprovement * rise - waning * Math.max(0, months - 6);
    const severity = clamp(baselineSeverity * (1 - improvement), 0, 1);
    const lateness = Math.round(normal(rng, 0, tp.windowAfter / 2 || 3));
    const submittedOn =
      tp.id === 'baseline'
        ? addDays(treatmentDate, -Math.floor(rng.next() * 7))
        : addDays(window.target, lateness);
    if (submittedOn > today) break;
    for (const instrumentId of instruments) {
      responses.push({
        timepoint: tp.id,
        instrumentId,
        answers: demoAnswers(instrumentId, severity, rng),
        submittedOn,
      });
    }
    if (joint === 'hip')
      responses.push({
        timepoint: tp.id,
        instrumentId: 'hoos',
        answers: demoAnswers('hoos', severity, hipRng),
        submittedOn,
      });
  }
  // The patient global and, yearly, satisfaction and work: a stream of their own. Only the
  // first site asks them, so the other shows what a registry without them sees (lower bounds).
  if (index % 3 !== 0)
    responses.push(...demoGlobalAndSatisfaction(responses, age, seededRng(0x610b + index * 7919)));
  // A separate stream, so adding events left every earlier demo number as it was.
  const eventRng = seededRng(0x5e77 + index * 7919);
  // And another for BMI, added later still. Synthetic: centred on 28 kg/m², not a survey figure.
  const bodyRng = seededRng(0xb0d1 + index * 7919);
  const bmi = Math.round(clamp(normal(bodyRng, 28, 5), 17, 50) * 10) / 10;
  // And one for the product's characterisation (issue 16).
  const product = demoProduct(seededRng(0x9a0d + index * 7919), productClass, treatment.volumeMl);
  const first: TreatmentInput = {
    ...treatment,
    cellDoseMillions: treatment.cellDoseMillions ?? product.cellDoseMillions ?? null,
    bmi,
    volumeMl: product.volumeMl,
    characterisation: product.characterisation,
  };
  return {
    siteIndex: index % 3 === 0 ? 1 : 0,
    patient,
    episode,
    treatment: first,
    // And one for a PRP series.
    seriesInjections: demoSeries(seededRng(0x5e21 + index * 7919), first, today),
    responses,
    laterEvents: demoLaterEvents(eventRng, treatmentDate, responses, peakImprovement, klGrade, age),
    adverseEvents: demoAdverseEvents(eventRng, treatmentDate, today),
  };
}

/**
 * PRP as a series of one, three or five injections a week apart: the arms of a knee-OA trial
 * (J Orthop Surg Res 2024, doi 10.1186/s13018-024-04736-6, abstract read); three weekly
 * injections were also the PRP arm of Bennell et al., JAMA 2021 (PMC8611484, read). Equal
 * shares of the three are the demo's choice, illustrative. Each later injection repeats the
 * first's preparation; none is dated after `today`.
 */
const PRP_SERIES_LENGTHS = [1, 3, 5] as const;
const PRP_SERIES_SPACING_DAYS = 7;
function demoSeries(rng: Rng, first: TreatmentInput, today: IsoDate): TreatmentInput[] {
  if (first.productClass !== 'PRP') return [];
  const length = pick(rng, PRP_SERIES_LENGTHS);
  const later: TreatmentInput[] = [];
  for (let n = 2; n <= length; n++) {
    const treatmentDate = addDays(first.treatmentDate, PRP_SERIES_SPACING_DAYS * (n - 1));
    if (treatmentDate > today) break;
    later.push({
      ...first,
      treatmentDate,
      characterisation: {
        ...first.characterisation,
        seriesNumber: n,
        seriesSpacingDays: PRP_SERIES_SPACING_DAYS,
      },
    });
  }
  return later;
}

/**
 * Synthetic later events, dated no later than the last answered survey (where the patient
 * would have reported them). Invented for the demo; they describe no real cohort.
 */
function demoLaterEvents(
  rng: Rng,
  treatmentDate: IsoDate,
  responses: DemoResponse[],
  peakImprovement: number,
  klGrade: number,
  age: number,
): DemoPatient['laterEvents'] {
  const lastContact = responses.reduce<IsoDate | null>(
    (last, r) => (last === null || r.submittedOn > last ? r.submittedOn : last),
    null,
  );
  if (!lastContact || lastContact <= treatmentDate) return [];
  const events: DemoPatient['laterEvents'] = [];
  const at = (days: number) => addDays(treatmentDate, Math.round(days));
  const add = (kind: PatientEventKind, date: IsoDate) => {
    if (date <= lastContact) events.push({ kind, date });
  };
  if (peakImprovement > 0.1) add('returned-to-activities', at(10 + rng.next() * 110));
  if (age < 66 && rng.next() < 0.6) add('returned-to-work', at(5 + rng.next() * 80));
  if (rng.next() < 0.1) add('reinjection', at(120 + rng.next() * 600));
  if (klGrade >= 3 && rng.next() < 0.08) add('arthroplasty', at(180 + rng.next() * 900));
  return events;
}

/** Synthetic adverse events for the demo registry: mostly short flares, rarely serious. */
function demoAdverseEvents(
  rng: Rng,
  treatmentDate: IsoDate,
  today: IsoDate,
): DemoPatient['adverseEvents'] {
  const roll = rng.next();
  const onset = addDays(treatmentDate, 1 + Math.floor(rng.next() * 3));
  if (onset > today) return [];
  if (roll < 0.004)
    return [
      {
        onsetDate: onset,
        description: 'Septic arthritis, admitted for washout (synthetic demo event)',
        grade: 3,
        serious: true,
        relatedness: 'probable',
      },
    ];
  if (roll < 0.03)
    return [
      {
        onsetDate: onset,
        description: 'Knee effusion, aspirated (synthetic demo event)',
        grade: 2,
        serious: false,
        relatedness: 'possible',
      },
    ];
  if (roll < 0.1)
    return [
      {
        onsetDate: onset,
        description: 'Post-injection pain flare for three days (synthetic demo event)',
        grade: 1,
        serious: false,
        relatedness: 'probable',
      },
    ];
  return [];
}

/** Sport items run harder than the rest, as in knee OA cohorts; values stay on the item scale. */
const ITEM_SHIFT: Record<string, number> = { SP: 0.15, Q: 0.08, S: -0.05, A: 0 };

function demoAnswers(instrumentId: string, severity: number, rng: Rng): Answers {
  const def = instrumentById(instrumentId);
  const answers: Answers = {};
  for (const item of itemsOf(def)) {
    const options = def.responseSets[item.responseSet] ?? [];
    const max = Math.max(...options.map((o) => o.value));
    if (instrumentId === 'koos' && rng.next() < 0.015) continue; // a skipped item
    const prefix = item.code.replace(/\d+$/, '');
    const shifted = severity + (ITEM_SHIFT[prefix] ?? 0) + normal(rng, 0, 0.12);
    answers[item.code] = Math.round(clamp(shifted, 0, 1) * max);
  }
  return answers;
}

/**
 * Synthetic answers to the patient global at every visit (near the pain rating of the same
 * visit) and, yearly from 12 months as ICHOM recommends measuring its set (Rolfson et al.
 * 2016, abstract), satisfaction (higher the more the pain rating fell) and work status (retired
 * from 66). Invented for the demo; they describe no real cohort.
 */
const YEARLY = new Set(['m12', 'm24', 'm36', 'm48', 'm60']);
function demoGlobalAndSatisfaction(
  responses: readonly DemoResponse[],
  age: number,
  rng: Rng,
): DemoResponse[] {
  const pain = responses.filter((r) => r.instrumentId === 'nrs-pain');
  const baseline = pain.find((r) => r.timepoint === 'baseline')?.answers.NRS;
  const working = age < 66 ? (rng.next() < 0.7 ? 1 : 2) : 5;
  return pain.flatMap((r) => {
    const nrs = r.answers.NRS ?? 5;
    const global = Math.round(clamp(nrs + normal(rng, 0, 1.2), 0, 10));
    const asked = { timepoint: r.timepoint, submittedOn: r.submittedOn };
    const out: DemoResponse[] = [
      { ...asked, instrumentId: 'patient-global', answers: { PGA: global } },
    ];
    if (YEARLY.has(r.timepoint) && typeof baseline === 'number') {
      const fall = baseline - nrs;
      const satisfaction = Math.round(clamp(3 + fall / 2 + normal(rng, 0, 0.7), 1, 5));
      out.push({
        ...asked,
        instrumentId: 'satisfaction-work',
        answers: { SAT: satisfaction, WORK: working === 5 || rng.next() > 0.05 ? working : 3 },
      });
    }
    return out;
  });
}
