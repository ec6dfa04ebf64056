import { describe, expect, it } from 'vitest';
import { parseInput } from '../validation.ts';
import {
  CHARACTERISATION_FIELDS,
  type Characterisation,
  characterisationSchema,
  compactCharacterisation,
  deriveProduct,
  groupsFor,
  pawClassification,
  plateletDoseBillions,
  plateletFoldIncrease,
  plraClassification,
} from './characterisation.ts';

/** A complete PRP record; tests change one value at a time. */
const prp: Characterisation = {
  wholeBloodPlateletsK: 240,
  productPlateletsK: 1000,
  wholeBloodLeukocytesK: 6.5,
  wholeBloodNeutrophilPercent: 58,
  productLeukocytesK: 0.9,
  productNeutrophilPercent: 0.5,
  productHematocritPercent: 0.5,
  activation: 'none',
};

describe('platelet dose', () => {
  it('is the count (×10³/µL) times the volume (mL) over 1000, in 10⁹', () => {
    expect(plateletDoseBillions(1000, 5)).toBe(5);
    expect(plateletDoseBillions(1212.67, 4)).toBeCloseTo(4.85068, 10);
    expect(plateletDoseBillions(0, 5)).toBe(0);
  });
  it('is null without either value', () => {
    expect(plateletDoseBillions(null, 5)).toBeNull();
    expect(plateletDoseBillions(1000, undefined)).toBeNull();
    expect(plateletDoseBillions(Number.NaN, 5)).toBeNull();
  });
  it('is derived for PRP only', () => {
    expect(deriveProduct('PRP', prp, 4).plateletDoseBillions).toBe(4);
    expect(deriveProduct('BMAC', prp, 4).plateletDoseBillions).toBeNull();
  });
  it('gives the fold increase over whole blood', () => {
    expect(plateletFoldIncrease({ productPlateletsK: 600, wholeBloodPlateletsK: 200 })).toBe(3);
    expect(plateletFoldIncrease({ productPlateletsK: 600, wholeBloodPlateletsK: 0 })).toBeNull();
  });
});

describe('PAW (DeLong 2012, cut-offs as tabulated in Front Vet Sci 2021)', () => {
  const p = (product: number, blood = 240) =>
    pawClassification({
      ...prp,
      productPlateletsK: product,
      wholeBloodPlateletsK: blood,
    }).code?.slice(0, 2);
  it('classes platelets at each boundary', () => {
    expect(p(240)).toBe('P1'); // ≤ baseline
    expect(p(240.1)).toBe('P2');
    expect(p(750)).toBe('P2'); // "> baseline to 750"
    expect(p(750.1)).toBe('P3');
    expect(p(1250)).toBe('P3');
    expect(p(1250.1)).toBe('P4');
    // A baseline above 750 still makes a product at or below it P1.
    expect(p(800, 800)).toBe('P1');
  });
  it('marks exogenous activation with x', () => {
    expect(pawClassification(prp).code).toBe('P3Bβ');
    expect(pawClassification({ ...prp, activation: 'calcium' }).code).toBe('P3xBβ');
  });
  it('classes white cells above baseline as A, equal or below as B', () => {
    expect(pawClassification({ ...prp, productLeukocytesK: 6.5 }).code?.[2]).toBe('B');
    expect(pawClassification({ ...prp, productLeukocytesK: 6.6 }).code?.[2]).toBe('A');
  });
  it('classes neutrophils α above and β below whole blood, and leaves equal unclassified', () => {
    // Product 34 ×10³/µL at 49% ≈ 16.7 neutrophils vs blood 6.5 at 58% ≈ 3.8: α.
    const rich = { ...prp, productLeukocytesK: 34, productNeutrophilPercent: 49 };
    expect(pawClassification(rich).code).toBe('P3Aα');
    const equal = { ...prp, productLeukocytesK: 6.5, productNeutrophilPercent: 58 };
    const r = pawClassification(equal);
    expect(r.code).toBeNull();
    expect(r.missing.join()).toMatch(/equal/);
  });
  it('says what is missing instead of guessing', () => {
    const r = pawClassification({ productPlateletsK: 900, activation: 'none' });
    expect(r.code).toBeNull();
    expect(r.missing).toContain('platelet counts of product and blood');
    expect(r.source).toMatch(/DeLong/);
  });
});

describe('PLRA (Mautner 2015, as tabulated in Front Vet Sci 2021)', () => {
  it('reports the platelet count per µL and the three signs', () => {
    expect(plraClassification(prp).code).toBe('P 1,000,000/µL, L−, R−, A−');
    expect(
      plraClassification({
        ...prp,
        productNeutrophilPercent: 1.01,
        productHematocritPercent: 2,
        activation: 'thrombin',
      }).code,
    ).toBe('P 1,000,000/µL, L+, R+, A+');
  });
  it('leaves exactly 1% unclassified: the rule does not say', () => {
    expect(plraClassification({ ...prp, productNeutrophilPercent: 1 }).code).toBeNull();
    expect(plraClassification({ ...prp, productHematocritPercent: 1 }).code).toBeNull();
    expect(plraClassification({ ...prp, productHematocritPercent: 0.99 }).code).toMatch(/R−/);
  });
});

describe('characterisation schema', () => {
  it('accepts every field and treats empty text as not recorded', () => {
    const parsed = parseInput(characterisationSchema, {
      ...prp,
      anticoagulant: '',
      prpDevice: undefined,
    });
    expect(compactCharacterisation(parsed)).toEqual(prp);
  });
  it('refuses unknown fields and wrong types, naming the field', () => {
    expect(() => parseInput(characterisationSchema, { plateletCount: 3 })).toThrow();
    try {
      parseInput(characterisationSchema, { productPlateletsK: '1200' });
    } catch (e) {
      expect((e as { fields: { field: string }[] }).fields[0]?.field).toBe('productPlateletsK');
    }
    expect(() => parseInput(characterisationSchema, { passages: 2.5 })).toThrow(/whole number/);
    expect(() => parseInput(characterisationSchema, { activation: 'light' })).toThrow(/Activation/);
  });
  it('gives every field one export column', () => {
    const columns = CHARACTERISATION_FIELDS.map((f) => f.column);
    expect(new Set(columns).size).toBe(columns.length);
  });
  it('records PRP fields for PRP, cell fields for cell products, injection fields for all', () => {
    expect(groupsFor('PRP')).toEqual(['prp', 'injection']);
    expect(groupsFor('BMAC')).toEqual(['cell', 'injection']);
    expect(groupsFor('UC-MSC')).toEqual(['cell', 'injection']);
    expect(groupsFor('HA')).toEqual(['injection']);
  });
});
