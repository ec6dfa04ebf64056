import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { enrolPatientSchema, treatmentSchema } from './schemas.ts';

describe('input schemas', () => {
  it('treats an empty optional e-mail or registry id as absent', () => {
    const parsed = parseInput(enrolPatientSchema, {
      givenName: ' Ada ',
      familyName: 'Lovelace',
      dateOfBirth: '1961-05-20',
      sex: 'female',
      email: '',
      registryId: '',
      consentDate: '2026-01-01',
      consentGiven: true,
    });
    expect(parsed.email).toBeUndefined();
    expect(parsed.registryId).toBeUndefined();
    expect(parsed.givenName).toBe('Ada');
  });

  it('takes the language as a BCP 47 tag in its canonical form and refuses a name', () => {
    const patient = {
      givenName: 'Ada',
      familyName: 'Lovelace',
      dateOfBirth: '1961-05-20',
      sex: 'female',
      consentDate: '2026-01-01',
      consentGiven: true,
    };
    expect(parseInput(enrolPatientSchema, { ...patient, language: 'pt-br' }).language).toBe(
      'pt-BR',
    );
    expect(() => parseInput(enrolPatientSchema, { ...patient, language: 'english' })).toThrow(
      DomainError,
    );
  });

  it('throws one invalid error listing every bad field', () => {
    try {
      parseInput(treatmentSchema, {
        treatmentDate: '2026-02-30',
        productClass: 'BMAC',
        volumeMl: 0,
        imageGuidance: 'x',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      const e = error as DomainError;
      expect(e.code).toBe('invalid');
      expect(e.fields.map((f) => f.field)).toEqual(['treatmentDate', 'volumeMl', 'imageGuidance']);
      expect(e.message).toBe(
        'Please correct: Enter a real date as YYYY-MM-DD; Volume must be more than 0 mL; Choose the image guidance from the list',
      );
    }
  });
});
