import type { InstrumentDefinition } from '../instruments/definition.ts';
import type { Answers, Scores } from '../instruments/scoring.ts';
import type { Coding, Observation, Questionnaire, QuestionnaireResponse } from './r4.ts';

/** Where our own code systems and canonical URLs live; a registry may pass its own base. */
export const DEFAULT_FHIR_BASE = 'urn:stemtrack';
const LOINC = 'http://loinc.org';
// R4 core extension carrying the numeric value of an answer option (used for scoring).
const ORDINAL_VALUE = 'http://hl7.org/fhir/StructureDefinition/ordinalValue';

export function questionnaireUrl(def: InstrumentDefinition, base = DEFAULT_FHIR_BASE): string {
  return `${base}:questionnaire:${def.id}`;
}

function loincCoding(reference: { code: string; display: string }): Coding {
  return { system: LOINC, code: reference.code, display: reference.display };
}

/** The coding of one answer value, the same in the Questionnaire and in every response. */
function answerCoding(
  def: InstrumentDefinition,
  responseSet: string,
  value: number,
  base: string,
): Coding {
  const option = def.responseSets[responseSet]?.find((o) => o.value === value);
  return {
    system: `${base}:answers:${def.id}:${responseSet}`,
    code: String(value),
    ...(option ? { display: option.label } : {}),
  };
}

/** The instrument as a FHIR R4 Questionnaire: one group per section, one choice item per question. */
export function toQuestionnaire(
  def: InstrumentDefinition,
  base = DEFAULT_FHIR_BASE,
): Questionnaire {
  return {
    resourceType: 'Questionnaire',
    id: def.id,
    url: questionnaireUrl(def, base),
    version: def.version,
    name: def.shortName.replace(/[^A-Za-z0-9]/g, ''),
    title: def.name,
    status: 'active',
    description: `${def.instructions}\n\nSource: ${def.source}`,
    copyright: def.termsOfUse,
    ...(def.loinc ? { code: [loincCoding(def.loinc)] } : {}),
    item: def.sections.map((section, index) => ({
      linkId: `section-${index + 1}`,
      text: section.intro ? `${section.title}. ${section.intro}` : section.title,
      type: 'group',
      item: section.items.map((it) => ({
        linkId: it.code,
        text: it.text,
        ...(it.loinc ? { code: [{ system: LOINC, code: it.loinc }] } : {}),
        type: 'choice',
        required: false,
        answerOption: (def.responseSets[it.responseSet] ?? []).map((o) => ({
          valueCoding: answerCoding(def, it.responseSet, o.value, base),
          extension: [{ url: ORDINAL_VALUE, valueDecimal: o.value }],
        })),
      })),
    })),
  };
}

export interface ExportedResponse {
  id: string;
  /** e.g. `Patient/DEMO-00001` (a registry id, never a name); absent for batch-scored files. */
  subject?: string | undefined;
  /** ISO date-time the patient submitted, when known. */
  authored?: string | undefined;
  answers: Answers;
  scores: Scores;
}

/** The patient's answers as a FHIR R4 QuestionnaireResponse (unanswered items are left out, as FHIR asks). */
export function toQuestionnaireResponse(
  def: InstrumentDefinition,
  response: ExportedResponse,
  base = DEFAULT_FHIR_BASE,
): QuestionnaireResponse {
  return {
    resourceType: 'QuestionnaireResponse',
    id: response.id,
    questionnaire: questionnaireUrl(def, base),
    status: 'completed',
    ...(response.subject ? { subject: { reference: response.subject } } : {}),
    ...(response.authored ? { authored: response.authored } : {}),
    item: def.sections
      .map((section, index) => ({
        linkId: `section-${index + 1}`,
        text: section.title,
        item: section.items
          .filter((it) => typeof response.answers[it.code] === 'number')
          .map((it) => ({
            linkId: it.code,
            text: it.text,
            answer: [
              {
                valueCoding: answerCoding(
                  def,
                  it.responseSet,
                  response.answers[it.code] as number,
                  base,
                ),
              },
            ],
          })),
      }))
      .filter((group) => group.item.length > 0),
  };
}

/**
 * One Observation per scale score, coded with LOINC where the definition names a checked
 * code, and always with StemTrack's own code; a score the missing-item rule forbids is sent
 * with a data-absent reason instead of a value.
 */
export function toScoreObservations(
  def: InstrumentDefinition,
  response: ExportedResponse,
  base = DEFAULT_FHIR_BASE,
): Observation[] {
  return def.scales.map((scale) => {
    const value = response.scores[scale.id];
    const coding = [
      ...(scale.loinc ? [loincCoding(scale.loinc)] : []),
      {
        system: `${base}:scores`,
        code: `${def.id}.${scale.id}`,
        display: `${def.shortName} ${scale.name}`,
      },
    ];
    return {
      resourceType: 'Observation',
      id: `${response.id}-${scale.id}`,
      status: 'final',
      category: [
        {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/observation-category',
              code: 'survey',
            },
          ],
        },
      ],
      code: { coding, text: `${def.shortName} ${scale.name}` },
      ...(response.subject ? { subject: { reference: response.subject } } : {}),
      ...(response.authored ? { effectiveDateTime: response.authored } : {}),
      derivedFrom: [{ reference: `QuestionnaireResponse/${response.id}` }],
      ...(typeof value === 'number'
        ? {
            valueQuantity: {
              value,
              unit: 'score',
              system: 'http://unitsofmeasure.org',
              code: '{score}',
            },
          }
        : {
            dataAbsentReason: {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason',
                  code: 'unknown',
                },
              ],
            },
            note: [{ text: `Not scorable: ${scale.missingRule}` }],
          }),
    };
  });
}
