import { Fhir } from 'fhir';
import { describe, expect, it } from 'vitest';
import { generateDemoRegistry } from '../demo/generate.ts';
import { seededRng } from '../demo/random.ts';
import { itemsOf } from '../instruments/definition.ts';
import { BUILT_IN_INSTRUMENTS, instrumentById } from '../instruments/library.ts';
import { scoreResponse } from '../instruments/scoring.ts';
import { toQuestionnaire, toQuestionnaireResponse, toScoreObservations } from './instruments.ts';

// The `fhir` package validates resources against the FHIR R4 structure definitions.
const validator = new Fhir();
function expectValidR4(resource: object) {
  const { messages } = validator.validate(resource);
  const serious = messages.filter(
    (m) =>
      m.severity === 'error' || (m.severity === 'warning' && m.message === 'Unexpected property'),
  );
  expect(serious).toEqual([]);
}

describe('FHIR R4 export of instruments and responses', () => {
  for (const def of BUILT_IN_INSTRUMENTS) {
    it(`${def.id}: a valid Questionnaire with every item and its answer values`, () => {
      const q = toQuestionnaire(def);
      expectValidR4(q);
      const linkIds = q.item.flatMap((group) => (group.item ?? []).map((i) => i.linkId));
      expect(linkIds).toEqual(itemsOf(def).map((i) => i.code));
      const first = q.item[0]?.item?.[0]?.answerOption?.[0];
      expect(first?.extension?.[0]?.url).toBe(
        'http://hl7.org/fhir/StructureDefinition/ordinalValue',
      );
    });
  }

  const koos = instrumentById('koos');
  const demo = generateDemoRegistry({ patients: 20, today: '2026-06-01', rng: seededRng(5) });
  const sample = demo.patients
    .flatMap((p) => p.responses.map((r) => ({ p, r })))
    .find(({ r }) => r.instrumentId === 'koos');

  it('exports a demo KOOS response with the answered items and LOINC-coded scores', () => {
    if (!sample) throw new Error('the demo generator made no KOOS response');
    // Two items skipped by the patient, as happens in real forms.
    const answers = { ...sample.r.answers, P3: null, A7: null };
    const response = {
      id: 'r1',
      subject: `Patient/${sample.p.patient.registryId}`,
      authored: `${sample.r.submittedOn}T10:00:00Z`,
      answers,
      scores: scoreResponse(koos, answers),
    };
    const qr = toQuestionnaireResponse(koos, response);
    expectValidR4(qr);
    const exported = qr.item.flatMap((g) => g.item ?? []);
    const answered = Object.entries(answers).filter(([, v]) => typeof v === 'number');
    expect(exported).toHaveLength(answered.length);
    const observations = toScoreObservations(koos, response);
    for (const o of observations) expectValidR4(o);
    expect(observations.map((o) => o.code.coding?.[0]?.code)).toEqual([
      '72102-7',
      '72101-9',
      '72100-1',
      '72099-5',
      '72098-7',
    ]);
    expect(observations[0]?.valueQuantity?.value).toBe(response.scores.pain);
  });

  it('sends a data-absent reason, not a number, for a score the missing-item rule forbids', () => {
    const observations = toScoreObservations(koos, {
      id: 'r2',
      subject: 'Patient/DEMO-00001',
      authored: '2026-06-01T10:00:00Z',
      answers: { P1: 2 },
      scores: scoreResponse(koos, { P1: 2 }),
    });
    const pain = observations[0];
    expect(pain?.valueQuantity).toBeUndefined();
    expect(pain?.dataAbsentReason?.coding?.[0]?.code).toBe('unknown');
    expectValidR4(pain as object);
  });

  it('codes the HOOS subscale and PROMIS-10 summary Observations with the LOINC codes CMS56 uses', () => {
    for (const [id, codes] of [
      ['hoos', ['72097-9', '72096-1', '72095-3', '72094-6', '72093-8']],
      ['promis-global-10', ['71971-6', '71969-0']],
    ] as const) {
      const def = instrumentById(id);
      const answers = Object.fromEntries(itemsOf(def).map((i) => [i.code, 2]));
      const observations = toScoreObservations(def, {
        id: 'r4',
        answers,
        scores: scoreResponse(def, answers),
      });
      expect(observations.map((o) => o.code.coding?.[0]?.code)).toEqual(codes);
      for (const o of observations) expectValidR4(o);
    }
  });

  it('codes the KOOS JR and HOOS JR forms, their items and their scores with LOINC', () => {
    const loincOf = (codings: { system?: string; code?: string }[] | undefined) =>
      codings?.find((c) => c.system === 'http://loinc.org')?.code;
    for (const [id, panel, items, total] of [
      [
        'koos-jr',
        '82324-5',
        ['82325-2', '82326-0', '82327-8', '82328-6', '82329-4', '82330-2', '82331-0'],
        '82332-8',
      ],
      [
        'hoos-jr',
        '82316-1',
        ['82317-9', '82318-7', '82319-5', '82320-3', '82321-1', '82322-9'],
        '82323-7',
      ],
    ] as const) {
      const def = instrumentById(id);
      const q = toQuestionnaire(def);
      expectValidR4(q);
      expect(loincOf(q.code)).toBe(panel);
      expect(q.item.flatMap((g) => (g.item ?? []).map((i) => loincOf(i.code)))).toEqual(items);
      const answers = Object.fromEntries(itemsOf(def).map((i) => [i.code, 1]));
      const [observation] = toScoreObservations(def, {
        id: 'r3',
        answers,
        scores: scoreResponse(def, answers),
      });
      expect(loincOf(observation?.code.coding)).toBe(total);
      expectValidR4(observation as object);
    }
  });
});
