import { createHmac } from 'node:crypto';
import {
  type ExportedResponse,
  toQuestionnaireResponse,
  toScoreObservations,
} from '../fhir/instruments.ts';
import { productObservations } from '../fhir/product.ts';
import type { InstrumentDefinition } from '../instruments/definition.ts';
import { instrumentById, isKnownInstrument } from '../instruments/library.ts';
import type { Answers } from '../instruments/scoring.ts';
import {
  CHARACTERISATION_FIELDS,
  type Characterisation,
  deriveProduct,
} from '../registry/characterisation.ts';
import { addDays, ageOn, daysBetween, type IsoDate, toIsoDate } from '../registry/dates.ts';
import { TIMEPOINT_IDS } from '../schedule/timepoints.ts';
import { formatCsv } from '../tabular/csv.ts';

/**
 * Research exports of a registry: a tidy long CSV (one row per patient × time point × score)
 * with its data dictionary, and a FHIR R4 Bundle. De-identified unless asked otherwise.
 */

export type ExportMode = 'deidentified' | 'identified';

export interface ExportInput {
  siteName: string;
  /** The registry's secret from which study ids and date shifts derive. */
  pseudonymKey: string;
  patients: {
    id: string;
    registryId: string;
    givenName: string;
    familyName: string;
    dateOfBirth: IsoDate;
    sex: string;
  }[];
  treatments: {
    id: string;
    patientId: string;
    episodeId: string;
    joint: string;
    side: string;
    klGrade: number;
    treatmentDate: IsoDate;
    productClass: string;
    cellDoseMillions: number | null;
    bmi: number | null;
    volumeMl: number;
    imageGuidance: string;
    /** The product as recorded (issue 16); absent or {} when not characterised. */
    characterisation?: Characterisation;
  }[];
  responses: {
    id: string;
    patientId: string;
    episodeId: string;
    instrumentId: string;
    timepoint: string;
    submittedAt: Date;
    answers: Answers;
    scores: Record<string, number | null>;
  }[];
  /** Per treated joint: the last day the patient was heard from, as the durability curves use it. */
  lastContacts: { episodeId: string; lastContact: IsoDate | null }[];
  /** Later events (joint replacement, re-injection, return to activities or work). */
  laterEvents: {
    patientId: string;
    episodeId: string;
    kind: string;
    eventDate: IsoDate;
    reportedOn: IsoDate;
  }[];
  adverseEvents: {
    id: string;
    patientId: string;
    episodeId: string;
    treatmentId: string;
    onsetDate: IsoDate;
    grade: number;
    serious: boolean;
    relatedness: string;
    description: string;
  }[];
}

/**
 * Ages above 89 are reported as one group, as the HIPAA Safe Harbor method requires
 * (45 CFR §164.514(b)(2)(i)(C)).
 */
export const OLDEST_REPORTED_AGE = 89;
/** Each patient's dates move by the same whole number of days, 1 to this many, either way. */
export const MAX_DATE_SHIFT_DAYS = 180;

function keyed(key: string, purpose: string, patientId: string): Buffer {
  return createHmac('sha256', key).update(`${purpose}:${patientId}`).digest();
}

/** A stable pseudonym: the same patient gets the same study id in every export of the registry. */
export function studyIdFor(key: string, patientId: string): string {
  return `S-${keyed(key, 'study-id', patientId).toString('hex').slice(0, 12)}`;
}

const PSEUDONYM_PREFIX = { joint: 'J', treatment: 'T', response: 'R' } as const;

/**
 * A stable pseudonym for a joint, treatment or answered questionnaire, keyed like the study id,
 * so that no internal id (which the app shows) links an export row back to the registry.
 */
export function pseudonymFor(key: string, kind: keyof typeof PSEUDONYM_PREFIX, id: string): string {
  return `${PSEUDONYM_PREFIX[kind]}-${keyed(key, `${kind}-id`, id).toString('hex').slice(0, 12)}`;
}

const DAY_MS = 86_400_000;

/** The patient's date shift: never 0, within ±MAX_DATE_SHIFT_DAYS, stable across exports. */
export function dateShiftFor(key: string, patientId: string): number {
  const n = keyed(key, 'date-shift', patientId).readUInt32BE(0) % (2 * MAX_DATE_SHIFT_DAYS);
  return n < MAX_DATE_SHIFT_DAYS ? n - MAX_DATE_SHIFT_DAYS : n - MAX_DATE_SHIFT_DAYS + 1;
}

export function reportedAge(age: number): string {
  return age > OLDEST_REPORTED_AGE ? `${OLDEST_REPORTED_AGE + 1}+` : String(age);
}

/** One column of an export file: its name, type and meaning, for the data dictionary. */
interface ExportColumn {
  name: string;
  type: string;
  description: string;
  /** Only in identified exports (admins). */
  identifying?: true;
}

const SHIFTED =
  'De-identified: shifted by the patient’s own offset (1–180 days, either way), so intervals between a patient’s dates are kept.';

const PATIENT_COLUMNS: ExportColumn[] = [
  {
    name: 'registry_id',
    type: 'text',
    description: 'The clinic’s patient id.',
    identifying: true,
  },
  { name: 'given_name', type: 'text', description: 'Given name.', identifying: true },
  { name: 'family_name', type: 'text', description: 'Family name.', identifying: true },
  {
    name: 'date_of_birth',
    type: 'date (YYYY-MM-DD)',
    description: 'Date of birth.',
    identifying: true,
  },
  {
    name: 'study_id',
    type: 'text',
    description:
      'Pseudonym of the patient, stable across exports of this registry (keyed hash of the internal id; not reversible without the registry’s key).',
  },
  {
    name: 'joint_id',
    type: 'text',
    description:
      'Pseudonym of the treated joint (one patient may have several), keyed like study_id; links the files.',
  },
];

const TIMEPOINT_LIST = TIMEPOINT_IDS.join(', ');

/** Every file of an export with its columns, in the order the files are written. */
/** The product's characterisation (issue 16): derived values, then every recorded field. */
const PRODUCT_COLUMNS: ExportColumn[] = [
  {
    name: 'platelet_dose_billions',
    type: 'number or empty',
    description:
      'PRP: platelets injected, ×10⁹ (prp_platelets_k_ul × volume_ml / 1000); empty without a count.',
  },
  {
    name: 'prp_fold_increase',
    type: 'number or empty',
    description: 'PRP: product platelet count over whole blood’s.',
  },
  {
    name: 'paw',
    type: 'text or empty',
    description:
      'PRP: PAW class (DeLong et al., Arthroscopy 2012): P1–P4, x if activated, A/B white cells, α/β neutrophils; cut-offs as tabulated in Front Vet Sci 2021;8:641818. Empty when a value it needs is missing.',
  },
  {
    name: 'plra',
    type: 'text or empty',
    description:
      'PRP: PLRA class (Mautner et al., PM&R 2015): platelets/µL, L±, R±, A±; rule as tabulated in Front Vet Sci 2021;8:641818. Empty when a value it needs is missing or exactly 1%.',
  },
  ...CHARACTERISATION_FIELDS.map((f) => ({
    name: f.column,
    type:
      f.kind === 'number'
        ? 'number or empty'
        : f.kind === 'integer'
          ? 'integer or empty'
          : f.kind === 'choice'
            ? `${(f.choices ?? []).join(', ')} or empty`
            : 'text or empty',
    description: `${f.description}${f.group === 'prp' ? ' (PRP only.)' : f.group === 'cell' ? ' (Cell products only.)' : ''}${f.kind === 'text' ? ' Free text: in identified exports only.' : ''}`,
    // Free text may name a person, as notes may: de-identified exports leave it out.
    ...(f.kind === 'text' ? { identifying: true as const } : {}),
  })),
];

/** The product columns of one treatment's row. */
function productColumns(t: ExportTreatment): Record<string, string> {
  const c = t.characterisation ?? {};
  const derived = deriveProduct(t.productClass, c, t.volumeMl);
  return {
    platelet_dose_billions: text(derived.plateletDoseBillions),
    prp_fold_increase: text(
      derived.plateletFoldIncrease === null
        ? null
        : Math.round(derived.plateletFoldIncrease * 100) / 100,
    ),
    paw: derived.paw?.code ?? '',
    plra: derived.plra?.code ?? '',
    ...Object.fromEntries(
      CHARACTERISATION_FIELDS.map((f) => {
        const v = c[f.key];
        return [f.column, v === undefined || v === null ? '' : String(v)];
      }),
    ),
  };
}

export const EXPORT_TABLES = {
  'scores.csv': {
    about: 'One row per patient × joint × time point × scale score.',
    columns: [
      ...PATIENT_COLUMNS,
      {
        name: 'response_id',
        type: 'text',
        description: 'Pseudonym of the answered questionnaire (one per instrument and survey).',
      },
      {
        name: 'joint',
        type: 'text',
        description: 'Treated joint (knee, hip, shoulder, ankle, hand, other).',
      },
      { name: 'side', type: 'text', description: 'left or right.' },
      {
        name: 'kl_grade',
        type: 'integer 0–4',
        description: 'Kellgren–Lawrence radiographic grade at baseline.',
      },
      { name: 'sex', type: 'text', description: 'Sex as recorded at enrolment.' },
      {
        name: 'age_at_treatment',
        type: 'integer or "90+"',
        description:
          'Exact age in whole years on the date of the first treatment of the joint; in de-identified exports ages over 89 are grouped as "90+" (HIPAA Safe Harbor, 45 CFR §164.514(b)(2)(i)(C)).',
      },
      {
        name: 'product_class',
        type: 'text',
        description:
          'Product of the first treatment of the joint (StemTrack product-class code; every treatment is in treatments.csv).',
      },
      {
        name: 'cell_dose_millions',
        type: 'number or empty',
        description: 'Cells injected at the first treatment, in millions, when counted.',
      },
      {
        name: 'bmi',
        type: 'number or empty',
        description:
          'Body-mass index (kg/m²) recorded with the first treatment of the joint, when known.',
      },
      {
        name: 'treatment_date',
        type: 'date (YYYY-MM-DD)',
        description: `First treatment of the joint. ${SHIFTED}`,
      },
      {
        name: 'timepoint',
        type: 'text',
        description: `Follow-up time point of the survey (${TIMEPOINT_LIST}).`,
      },
      {
        name: 'response_date',
        type: 'date (YYYY-MM-DD)',
        description: 'Day (UTC) the patient submitted the survey; shifted like treatment_date.',
      },
      {
        name: 'submitted_at',
        type: 'date-time (ISO 8601, UTC)',
        description:
          'Instant the patient submitted, shifted by whole days like treatment_date. The dashboards use a joint’s earliest answer at each time point.',
      },
      {
        name: 'days_since_treatment',
        type: 'integer',
        description: 'response_date − treatment_date in days (negative for a baseline before it).',
      },
      {
        name: 'instrument',
        type: 'text',
        description: 'Questionnaire id (e.g. koos, nrs-pain); see scales.csv.',
      },
      {
        name: 'scale',
        type: 'text',
        description:
          'Scale or subscale id within the instrument; its range, direction and thresholds are in scales.csv.',
      },
      {
        name: 'score',
        type: 'number or empty',
        description:
          'The scale score, unrounded; empty where the instrument’s missing-item rule forbids a score.',
      },
    ],
  },
  'joints.csv': {
    about: 'One row per treated joint: the origin and censoring of the time-to-event analyses.',
    columns: [
      ...PATIENT_COLUMNS,
      { name: 'joint', type: 'text', description: 'Treated joint.' },
      { name: 'side', type: 'text', description: 'left or right.' },
      {
        name: 'kl_grade',
        type: 'integer 0–4',
        description: 'Kellgren–Lawrence grade at baseline.',
      },
      { name: 'sex', type: 'text', description: 'Sex as recorded at enrolment.' },
      {
        name: 'age_at_treatment',
        type: 'integer or "90+"',
        description:
          'Exact age in whole years at the first treatment of the joint (over 89 as "90+" when de-identified).',
      },
      {
        name: 'first_treatment_date',
        type: 'date (YYYY-MM-DD)',
        description: `First treatment of the joint: time zero of every curve. ${SHIFTED}`,
      },
      {
        name: 'treatments',
        type: 'integer',
        description: 'Treatments of the joint recorded (rows in treatments.csv).',
      },
      {
        name: 'last_contact_date',
        type: 'date (YYYY-MM-DD) or empty',
        description:
          'Last day the patient was heard from about this joint (the later of its last answer and its last event report): where a curve censors a joint without the event. Shifted.',
      },
      {
        name: 'days_to_last_contact',
        type: 'integer or empty',
        description: 'last_contact_date − first_treatment_date in days.',
      },
    ],
  },
  'treatments.csv': {
    about: 'One row per injection, every one of a joint’s series.',
    columns: [
      ...PATIENT_COLUMNS,
      {
        name: 'treatment_id',
        type: 'text',
        description: 'Pseudonym of the treatment; adverse-events.csv refers to it.',
      },
      {
        name: 'number_in_series',
        type: 'integer',
        description: '1 for the joint’s first treatment, 2 for the next, …',
      },
      {
        name: 'treatment_date',
        type: 'date (YYYY-MM-DD)',
        description: `Day of the injection. ${SHIFTED}`,
      },
      {
        name: 'days_since_first_treatment',
        type: 'integer',
        description: 'treatment_date − the joint’s first treatment date.',
      },
      {
        name: 'age_at_treatment',
        type: 'integer or "90+"',
        description:
          'Exact age in whole years on treatment_date (over 89 as "90+" when de-identified).',
      },
      { name: 'product_class', type: 'text', description: 'StemTrack product-class code.' },
      {
        name: 'cell_dose_millions',
        type: 'number or empty',
        description: 'Cells injected, in millions, when counted.',
      },
      {
        name: 'bmi',
        type: 'number or empty',
        description: 'Body-mass index (kg/m²) recorded with the treatment.',
      },
      { name: 'volume_ml', type: 'number', description: 'Volume injected (mL).' },
      { name: 'image_guidance', type: 'text', description: 'none, ultrasound or fluoroscopy.' },
      ...PRODUCT_COLUMNS,
    ],
  },
  'later-events.csv': {
    about: 'Joint replacement, re-injection and return to activities or work, as reported.',
    columns: [
      ...PATIENT_COLUMNS,
      {
        name: 'kind',
        type: 'text',
        description: 'arthroplasty, reinjection, returned-to-activities or returned-to-work.',
      },
      { name: 'event_date', type: 'date (YYYY-MM-DD)', description: `Day it happened. ${SHIFTED}` },
      {
        name: 'days_since_treatment',
        type: 'integer',
        description: 'event_date − the joint’s first treatment date.',
      },
      {
        name: 'reported_date',
        type: 'date (YYYY-MM-DD)',
        description: 'Day it was reported (counts as contact); shifted.',
      },
    ],
  },
  'adverse-events.csv': {
    about: 'Adverse events, each with the treatment it followed.',
    columns: [
      ...PATIENT_COLUMNS,
      {
        name: 'treatment_id',
        type: 'text',
        description: 'The treatment it followed (treatments.csv).',
      },
      { name: 'onset_date', type: 'date (YYYY-MM-DD)', description: `Onset. ${SHIFTED}` },
      {
        name: 'days_since_treatment',
        type: 'integer',
        description: 'onset_date − that treatment’s date.',
      },
      { name: 'grade', type: 'integer 1–5', description: 'CTCAE grade.' },
      {
        name: 'serious',
        type: 'true or false',
        description: 'Serious by the ICH E2A criteria, as the clinician recorded.',
      },
      {
        name: 'relatedness',
        type: 'text',
        description:
          'not-related, unlikely, possible, probable or definite; the safety report counts possible, probable and definite as related.',
      },
      {
        name: 'description',
        type: 'text',
        description: 'The clinician’s free text, which may identify: identified exports only.',
        identifying: true,
      },
    ],
  },
} as const satisfies Record<string, { about: string; columns: ExportColumn[] }>;

export type ExportTableName = keyof typeof EXPORT_TABLES;

function columnsFor(table: ExportTableName, mode: ExportMode): ExportColumn[] {
  const columns: readonly ExportColumn[] = EXPORT_TABLES[table].columns;
  return columns.filter((c) => mode === 'identified' || !c.identifying);
}

/** What each column of each file holds, and scales.csv's columns, for the data dictionary. */
export function dataDictionaryCsv(mode: ExportMode): string {
  const rows: string[][] = [];
  for (const table of Object.keys(EXPORT_TABLES) as ExportTableName[])
    for (const c of columnsFor(table, mode)) rows.push([table, c.name, c.type, c.description]);
  for (const c of SCALE_COLUMNS) rows.push(['scales.csv', c.name, c.type, c.description]);
  return formatCsv(['file', 'column', 'type', 'description'], rows);
}

const SCALE_COLUMNS: ExportColumn[] = [
  { name: 'instrument', type: 'text', description: 'Questionnaire id.' },
  { name: 'instrument_name', type: 'text', description: 'Questionnaire name and version.' },
  { name: 'scale', type: 'text', description: 'Scale id (the scale column of scores.csv).' },
  { name: 'scale_name', type: 'text', description: 'Scale name.' },
  { name: 'range_min', type: 'number', description: 'Lowest possible score.' },
  { name: 'range_max', type: 'number', description: 'Highest possible score.' },
  {
    name: 'higher_is_better',
    type: 'true or false',
    description: 'Direction: true where a higher score means less pain or better function.',
  },
  {
    name: 'mcid',
    type: 'number or empty',
    description:
      'Minimal clinically important difference (a change from baseline, in the better direction), where a checked source gives one.',
  },
  { name: 'mcid_population', type: 'text', description: 'Population the MCID was derived in.' },
  { name: 'mcid_source', type: 'text', description: 'Citation of the MCID.' },
  {
    name: 'pass',
    type: 'number or empty',
    description: 'Patient acceptable symptom state (a score), where a checked source gives one.',
  },
  { name: 'pass_population', type: 'text', description: 'Population the PASS was derived in.' },
  { name: 'pass_source', type: 'text', description: 'Citation of the PASS.' },
  {
    name: 'caveat',
    type: 'text or empty',
    description:
      "What about the scale's scoring could not be checked, e.g. 'Table not independently verified' for the KOOS JR and HOOS JR conversion tables; empty when nothing.",
  },
];

/** Every scale of the given questionnaires: range, direction, and MCID/PASS with their sources. */
export function scalesCsv(instruments: readonly InstrumentDefinition[]): string {
  const rows = instruments.flatMap((def) =>
    def.scales.map((sc) => {
      const { mcid, pass } = sc.interpretation ?? {};
      return [
        def.id,
        `${def.name} (${def.version})`,
        sc.id,
        sc.name,
        String(sc.range[0]),
        String(sc.range[1]),
        String(sc.higherIsBetter),
        mcid ? String(mcid.value) : '',
        mcid?.population ?? '',
        mcid?.source ?? '',
        pass ? String(pass.value) : '',
        pass?.population ?? '',
        pass?.source ?? '',
        sc.caveat ? `${sc.caveat.label}: ${sc.caveat.detail}` : '',
      ];
    }),
  );
  return formatCsv(
    SCALE_COLUMNS.map((c) => c.name),
    rows,
  );
}

interface PatientView {
  id: string;
  studyId: string;
  shift: number;
  patient: ExportInput['patients'][number];
}

function patientViews(input: ExportInput): Map<string, PatientView> {
  return new Map(
    input.patients.map((p) => [
      p.id,
      {
        id: p.id,
        studyId: studyIdFor(input.pseudonymKey, p.id),
        shift: dateShiftFor(input.pseudonymKey, p.id),
        patient: p,
      },
    ]),
  );
}

type ExportTreatment = ExportInput['treatments'][number];

/** Each joint's treatments in date order (the input's order breaks ties). */
function treatmentSeries(input: ExportInput): Map<string, ExportTreatment[]> {
  const series = new Map<string, ExportTreatment[]>();
  for (const t of input.treatments)
    series.set(t.episodeId, [...(series.get(t.episodeId) ?? []), t]);
  for (const list of series.values())
    list.sort((a, b) =>
      a.treatmentDate < b.treatmentDate ? -1 : a.treatmentDate > b.treatmentDate ? 1 : 0,
    );
  return series;
}

/** Builds the rows of one export file from named values, in the file's column order. */
function tableCsv(
  table: ExportTableName,
  mode: ExportMode,
  rows: Iterable<Record<string, string>>,
): string {
  const columns = columnsFor(table, mode).map((c) => c.name);
  return formatCsv(
    columns,
    [...rows].map((r) => columns.map((c) => r[c] ?? '')),
  );
}

const text = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));

/** The columns every file starts with: who, and which joint. */
function whoColumns(input: ExportInput, who: PatientView, episodeId: string) {
  return {
    registry_id: who.patient.registryId,
    given_name: who.patient.givenName,
    family_name: who.patient.familyName,
    date_of_birth: who.patient.dateOfBirth,
    study_id: who.studyId,
    joint_id: pseudonymFor(input.pseudonymKey, 'joint', episodeId),
  };
}

/** One export file (CSV) of the registry. */
export function exportTableCsv(
  table: ExportTableName,
  input: ExportInput,
  mode: ExportMode,
): string {
  const people = patientViews(input);
  const series = treatmentSeries(input);
  const identified = mode === 'identified';
  const shiftOf = (who: PatientView) => (identified ? 0 : who.shift);
  const age = (who: PatientView, on: IsoDate) => {
    const years = ageOn(who.patient.dateOfBirth, on);
    return identified ? String(years) : reportedAge(years);
  };
  const firstOf = (episodeId: string) => series.get(episodeId)?.[0];
  const rows: Record<string, string>[] = [];
  if (table === 'scores.csv') {
    for (const r of input.responses) {
      const who = people.get(r.patientId);
      const first = firstOf(r.episodeId);
      if (!who || !first) continue;
      const shift = shiftOf(who);
      const responseDate = toIsoDate(r.submittedAt);
      const scaleOrder = isKnownInstrument(r.instrumentId)
        ? instrumentById(r.instrumentId).scales.map((s) => s.id)
        : Object.keys(r.scores).sort();
      for (const scale of scaleOrder) {
        if (!(scale in r.scores)) continue;
        rows.push({
          ...whoColumns(input, who, r.episodeId),
          response_id: pseudonymFor(input.pseudonymKey, 'response', r.id),
          joint: first.joint,
          side: first.side,
          kl_grade: String(first.klGrade),
          sex: who.patient.sex,
          age_at_treatment: age(who, first.treatmentDate),
          product_class: first.productClass,
          cell_dose_millions: text(first.cellDoseMillions),
          bmi: text(first.bmi),
          treatment_date: addDays(first.treatmentDate, shift),
          timepoint: r.timepoint,
          response_date: addDays(responseDate, shift),
          submitted_at: new Date(r.submittedAt.getTime() + shift * DAY_MS).toISOString(),
          days_since_treatment: String(daysBetween(first.treatmentDate, responseDate)),
          instrument: r.instrumentId,
          scale,
          score: text(r.scores[scale]),
        });
      }
    }
  } else if (table === 'joints.csv') {
    const lastContact = new Map(input.lastContacts.map((c) => [c.episodeId, c.lastContact]));
    for (const [episodeId, list] of series) {
      const first = list[0] as ExportTreatment;
      const who = people.get(first.patientId);
      if (!who) continue;
      const last = lastContact.get(episodeId) ?? null;
      rows.push({
        ...whoColumns(input, who, episodeId),
        joint: first.joint,
        side: first.side,
        kl_grade: String(first.klGrade),
        sex: who.patient.sex,
        age_at_treatment: age(who, first.treatmentDate),
        first_treatment_date: addDays(first.treatmentDate, shiftOf(who)),
        treatments: String(list.length),
        last_contact_date: last ? addDays(last, shiftOf(who)) : '',
        days_to_last_contact: last ? String(daysBetween(first.treatmentDate, last)) : '',
      });
    }
  } else if (table === 'treatments.csv') {
    for (const [episodeId, list] of series) {
      const first = list[0] as ExportTreatment;
      list.forEach((t, i) => {
        const who = people.get(t.patientId);
        if (!who) return;
        rows.push({
          ...whoColumns(input, who, episodeId),
          treatment_id: pseudonymFor(input.pseudonymKey, 'treatment', t.id),
          number_in_series: String(i + 1),
          treatment_date: addDays(t.treatmentDate, shiftOf(who)),
          days_since_first_treatment: String(daysBetween(first.treatmentDate, t.treatmentDate)),
          age_at_treatment: age(who, t.treatmentDate),
          product_class: t.productClass,
          cell_dose_millions: text(t.cellDoseMillions),
          bmi: text(t.bmi),
          volume_ml: String(t.volumeMl),
          image_guidance: t.imageGuidance,
          ...productColumns(t),
        });
      });
    }
  } else if (table === 'later-events.csv') {
    for (const e of input.laterEvents) {
      const who = people.get(e.patientId);
      const first = firstOf(e.episodeId);
      if (!who || !first) continue;
      rows.push({
        ...whoColumns(input, who, e.episodeId),
        kind: e.kind,
        event_date: addDays(e.eventDate, shiftOf(who)),
        days_since_treatment: String(daysBetween(first.treatmentDate, e.eventDate)),
        reported_date: addDays(e.reportedOn, shiftOf(who)),
      });
    }
  } else {
    const treatments = new Map(input.treatments.map((t) => [t.id, t]));
    for (const a of input.adverseEvents) {
      const who = people.get(a.patientId);
      const followed = treatments.get(a.treatmentId);
      if (!who || !followed) continue;
      rows.push({
        ...whoColumns(input, who, a.episodeId),
        treatment_id: pseudonymFor(input.pseudonymKey, 'treatment', a.treatmentId),
        onset_date: addDays(a.onsetDate, shiftOf(who)),
        days_since_treatment: String(daysBetween(followed.treatmentDate, a.onsetDate)),
        grade: String(a.grade),
        serious: String(a.serious),
        relatedness: a.relatedness,
        description: a.description,
      });
    }
  }
  return tableCsv(table, mode, rows);
}

/** The tidy long CSV: one row per patient × joint × time point × scale score. */
export function tidyScoresCsv(input: ExportInput, mode: ExportMode): string {
  return exportTableCsv('scores.csv', input, mode);
}

/**
 * A FHIR R4 collection Bundle: Patient, Procedure (each treatment), QuestionnaireResponse and
 * score Observations. De-identified: pseudonymous ids, no names or birth date, shifted dates.
 */
export function fhirBundle(input: ExportInput, mode: ExportMode, generatedAt: Date) {
  const people = patientViews(input);
  const identified = mode === 'identified';
  const idOf = (p: PatientView) => (identified ? p.patient.registryId : p.studyId);
  const shiftOf = (p: PatientView) => (identified ? 0 : p.shift);
  const entries: { fullUrl: string; resource: { resourceType: string; id?: string } }[] = [];
  const push = (resource: { resourceType: string; id?: string }) =>
    entries.push({ fullUrl: `urn:stemtrack:${resource.resourceType}/${resource.id}`, resource });
  for (const p of people.values()) {
    push({
      resourceType: 'Patient',
      id: idOf(p),
      gender: p.patient.sex === 'female' || p.patient.sex === 'male' ? p.patient.sex : 'other',
      ...(identified
        ? {
            identifier: [{ system: 'urn:stemtrack:registry-id', value: p.patient.registryId }],
            name: [{ family: p.patient.familyName, given: [p.patient.givenName] }],
            birthDate: p.patient.dateOfBirth,
          }
        : {}),
    } as { resourceType: string; id: string });
  }
  for (const t of input.treatments) {
    const p = people.get(t.patientId);
    if (!p) continue;
    const procedureId = identified ? t.id : pseudonymFor(input.pseudonymKey, 'treatment', t.id);
    push({
      resourceType: 'Procedure',
      id: procedureId,
      status: 'completed',
      code: { text: `Intra-articular injection: ${t.productClass}` },
      subject: { reference: `Patient/${idOf(p)}` },
      performedDateTime: addDays(t.treatmentDate, shiftOf(p)),
      bodySite: [{ text: `${t.side} ${t.joint}` }],
      note: [
        {
          text: `Volume ${t.volumeMl} mL${t.cellDoseMillions === null ? '' : `; ${t.cellDoseMillions} million cells`}`,
        },
      ],
    } as { resourceType: string; id: string });
    for (const o of productObservations(
      { ...t, id: procedureId },
      {
        procedure: `Procedure/${procedureId}`,
        subject: `Patient/${idOf(p)}`,
        effective: addDays(t.treatmentDate, shiftOf(p)),
      },
      { freeText: identified },
    ))
      push(o);
  }
  for (const r of input.responses) {
    const p = people.get(r.patientId);
    if (!p || !isKnownInstrument(r.instrumentId)) continue;
    const def = instrumentById(r.instrumentId);
    const authored = `${addDays(toIsoDate(r.submittedAt), shiftOf(p))}`;
    const exported: ExportedResponse = {
      id: identified ? r.id : pseudonymFor(input.pseudonymKey, 'response', r.id),
      subject: `Patient/${idOf(p)}`,
      authored,
      answers: r.answers,
      scores: r.scores,
    };
    push(toQuestionnaireResponse(def, exported));
    for (const o of toScoreObservations(def, exported)) push(o);
  }
  return {
    resourceType: 'Bundle' as const,
    type: 'collection' as const,
    timestamp: generatedAt.toISOString(),
    meta: {
      tag: [
        {
          system: 'urn:stemtrack:export',
          code: mode,
          display: identified ? 'Identified export' : 'De-identified export',
        },
      ],
    },
    entry: entries,
  };
}
