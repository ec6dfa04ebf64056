import { describe, expect, it } from 'vitest';
import type { DomainError } from '../errors.ts';
import {
  type CheckedTreatment,
  checkTreatment,
  enforceOnSave,
  findingKey,
  RANGE_RULES,
} from './data-quality.ts';

const prp = (c: CheckedTreatment['characterisation'], more: Partial<CheckedTreatment> = {}) => ({
  productClass: 'PRP',
  volumeMl: 4,
  cellDoseMillions: null,
  characterisation: c,
  ...more,
});
const severities = (t: CheckedTreatment) =>
  Object.fromEntries(checkTreatment(t).map((f) => [`${f.rule}@${f.field}`, f.severity]));

describe('data-quality rules', () => {
  it('every range cites its source or says it is a clinic setting', () => {
    for (const r of RANGE_RULES) {
      expect(r.source.length, r.code).toBeGreaterThan(10);
      if (r.implausible) {
        expect(r.implausible.min).toBeGreaterThanOrEqual(r.impossible.min);
        expect(r.implausible.max).toBeLessThanOrEqual(r.impossible.max);
      }
    }
  });

  it('refuses a count in the wrong unit, at the boundary', () => {
    const at = (v: number) =>
      severities(prp({ productPlateletsK: v }))[
        'product-platelets-range@characterisation.productPlateletsK'
      ];
    expect(at(20000)).toBe('implausible');
    expect(at(20000.5)).toBe('impossible');
    expect(at(1_200_000)).toBe('impossible'); // per µL typed into ×10³/µL
    expect(at(4800)).toBeUndefined();
    expect(at(4801)).toBe('implausible');
    const [f] = checkTreatment(prp({ productPlateletsK: 1_200_000 }));
    expect(f?.message).toMatch(/thousands per µL/);
  });

  it('refuses a PRP with fewer platelets than whole blood, allows equal', () => {
    const below = severities(prp({ productPlateletsK: 200, wholeBloodPlateletsK: 250 }));
    expect(below['prp-below-whole-blood@characterisation.productPlateletsK']).toBe('impossible');
    const equal = severities(prp({ productPlateletsK: 250, wholeBloodPlateletsK: 250 }));
    expect(equal['prp-below-whole-blood@characterisation.productPlateletsK']).toBeUndefined();
  });

  it('refuses a cell dose on a product without cells, and fields of another product', () => {
    const s = severities({
      productClass: 'HA',
      volumeMl: 2,
      cellDoseMillions: 10,
      characterisation: { productPlateletsK: 900, seriesNumber: 2 },
    });
    expect(s['dose-on-non-cellular@cellDoseMillions']).toBe('impossible');
    expect(s['field-not-for-product@characterisation.productPlateletsK']).toBe('impossible');
    expect(s['field-not-for-product@characterisation.seriesNumber']).toBeUndefined();
  });

  it('refuses passages on a point-of-care product and a tissue that is not the product’s', () => {
    const s = severities({
      productClass: 'BMAC',
      volumeMl: 5,
      cellDoseMillions: 40,
      characterisation: { passages: 2, tissue: 'adipose', origin: 'autologous' },
    });
    expect(s['passages-not-cultured@characterisation.passages']).toBe('impossible');
    expect(s['tissue-not-product@characterisation.tissue']).toBe('impossible');
    const cultured = severities({
      productClass: 'BM-MSC',
      volumeMl: 5,
      cellDoseMillions: 40,
      characterisation: { passages: 3, tissue: 'bone-marrow', origin: 'autologous' },
    });
    expect(Object.keys(cultured)).toEqual([]);
  });

  it('checks percentages at 0 and 100 and viability below 50 as implausible', () => {
    const v = (x: number) =>
      severities({
        productClass: 'SVF',
        volumeMl: 5,
        cellDoseMillions: 10,
        characterisation: { viabilityPercent: x },
      })['viability-range@characterisation.viabilityPercent'];
    expect(v(100)).toBeUndefined();
    expect(v(100.1)).toBe('impossible');
    expect(v(50)).toBeUndefined();
    expect(v(49.9)).toBe('implausible');
    expect(v(0.95)).toBe('implausible');
    expect(v(-1)).toBe('impossible');
  });

  it('asks about more injected than drawn, more cells than counted, and spacing on a first injection', () => {
    expect(severities(prp({ volumeDrawnMl: 3 }))['prp-injected-over-drawn@volumeMl']).toBe(
      'implausible',
    );
    expect(
      severities({
        productClass: 'BMAC',
        volumeMl: 5,
        cellDoseMillions: 500,
        characterisation: { totalNucleatedCellsMillions: 400 },
      })['cells-injected-over-total@cellDoseMillions'],
    ).toBe('implausible');
    expect(
      severities(prp({ seriesNumber: 1, seriesSpacingDays: 7 }))[
        'first-injection-spacing@characterisation.seriesSpacingDays'
      ],
    ).toBe('impossible');
    expect(
      severities(prp({ seriesNumber: 2, seriesSpacingDays: 7 }))[
        'first-injection-spacing@characterisation.seriesSpacingDays'
      ],
    ).toBeUndefined();
  });

  it('lists what the classifications need as missing, never for HA', () => {
    const missing = checkTreatment(prp({})).filter((f) => f.severity === 'missing');
    expect(missing.map((f) => f.field)).toContain('characterisation.productPlateletsK');
    expect(checkTreatment({ productClass: 'HA', volumeMl: 2, characterisation: {} })).toEqual([]);
  });
});

describe('enforceOnSave', () => {
  it('refuses impossible values naming each field, whatever the confirmation', () => {
    const findings = checkTreatment(prp({ productPlateletsK: 200, wholeBloodPlateletsK: 250 }));
    try {
      enforceOnSave(findings, true);
      expect.unreachable();
    } catch (e) {
      const err = e as DomainError;
      expect(err.code).toBe('invalid');
      expect(err.fields.map((f) => f.field)).toContain('characterisation.productPlateletsK');
      expect(err.message).toMatch(/below whole blood/);
    }
  });
  it('needs a confirmation for implausible values, and returns them when confirmed', () => {
    const findings = checkTreatment(prp({ productPlateletsK: 5000, wholeBloodPlateletsK: 250 }));
    try {
      enforceOnSave(findings, false);
      expect.unreachable();
    } catch (e) {
      expect((e as DomainError).fields.map((f) => f.field)).toEqual([
        'characterisation.productPlateletsK',
        'confirmImplausible',
      ]);
    }
    expect(enforceOnSave(findings, true).map((f) => f.rule)).toEqual(['product-platelets-range']);
  });
  it('keys a finding by rule, field and value, so a changed value reopens it', () => {
    const a = findingKey({ rule: 'r', field: 'f', value: 1 });
    expect(a).not.toBe(findingKey({ rule: 'r', field: 'f', value: 2 }));
  });
});
