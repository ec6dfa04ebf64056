/*
 * The parts of FHIR R4 (4.0.1, https://hl7.org/fhir/R4/) that StemTrack writes, typed so the
 * compiler catches a misspelt element. Not a full model: only what our exports use.
 */
export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}
export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}
export interface Reference {
  reference?: string;
  display?: string;
}
export interface Extension {
  url: string;
  valueDecimal?: number;
  valueString?: string;
}
export interface Quantity {
  value: number;
  unit?: string;
  system?: string;
  code?: string;
}

export interface QuestionnaireItem {
  linkId: string;
  text?: string;
  type: 'group' | 'display' | 'choice' | 'integer' | 'decimal' | 'string';
  required?: boolean;
  repeats?: boolean;
  code?: Coding[];
  answerOption?: { valueCoding: Coding; extension?: Extension[] }[];
  item?: QuestionnaireItem[];
}
export interface Questionnaire {
  resourceType: 'Questionnaire';
  id: string;
  url: string;
  version?: string;
  name?: string;
  title?: string;
  status: 'draft' | 'active' | 'retired' | 'unknown';
  description?: string;
  copyright?: string;
  code?: Coding[];
  item: QuestionnaireItem[];
}

export interface QuestionnaireResponseItem {
  linkId: string;
  text?: string;
  answer?: { valueCoding?: Coding; valueDecimal?: number }[];
  item?: QuestionnaireResponseItem[];
}
export interface QuestionnaireResponse {
  resourceType: 'QuestionnaireResponse';
  id: string;
  questionnaire: string;
  status: 'in-progress' | 'completed' | 'amended' | 'entered-in-error' | 'stopped';
  subject?: Reference;
  authored?: string;
  item: QuestionnaireResponseItem[];
}

export interface Observation {
  resourceType: 'Observation';
  id: string;
  status: 'registered' | 'preliminary' | 'final' | 'amended';
  category?: CodeableConcept[];
  code: CodeableConcept;
  subject?: Reference;
  effectiveDateTime?: string;
  /** The procedure the observation was made as part of (a treatment's product). */
  partOf?: Reference[];
  valueQuantity?: Quantity;
  valueString?: string;
  valueInteger?: number;
  valueCodeableConcept?: CodeableConcept;
  dataAbsentReason?: CodeableConcept;
  derivedFrom?: Reference[];
  note?: { text: string }[];
}
