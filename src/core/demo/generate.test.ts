import { describe, expect, it } from 'vitest';
import { instrumentById } from '../instruments/library.ts';
import { checkAnswers } from '../instruments/scoring.ts';
import { pawClassification } from '../registry/characterisation.ts';
import { checkTreatment } from '../registry/data-quality.ts';
import { addDays, addMonths } from '../registry/dates.ts';
import { enrolPatientSchema, jointEpisodeSchema, treatmentSchema } from '../registry/schemas.ts';
import { generateDemoRegistry } from './generate.ts';
import { seededRng } from './random.ts';

const today = '2026-11-01';
const make = (seed: number, patients = 600) =>
  generateDemoRegistry({ patients, today, rng: seededRng(seed) });

describe('demo registry generator', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(make(1, 50)).toEqual(make(1, 50));
    expect(make(2, 50)).not.toEqual(make(1, 50));
  });

  it('makes 600 invented patients whose records pass the same validation as real input', () => {
    const registry = make(1);
    expect(registry.patients).toHaveLength(600);
    const ids = new Set(registry.patients.map((p) => p.patient.registryId));
    expect(ids.size).toBe(600);
    for (const p of registry.patients) {
      expect(p.patient.registryId).toMatch(/^DEMO-\d{5}$/);
      expect(p.patient.email).toMatch(/@example\.org$/);
      expect(enrolPatientSchema.safeParse(p.patient).success).toBe(true);
      expect(jointEpisodeSchema.safeParse(p.episode).success).toBe(true);
      expect(treatmentSchema.safeParse(p.treatment).success).toBe(true);
      for (const r of p.responses) {
        expect(checkAnswers(instrumentById(r.instrumentId), r.answers)).toEqual([]);
        expect(r.submittedOn <= today).toBe(true);
      }
    }
  });

  it('characterises every product so that no data-quality rule refuses it', () => {
    const registry = make(1);
    for (const p of registry.patients) {
      const characterisation = p.treatment.characterisation ?? {};
      const impossible = checkTreatment({ ...p.treatment, characterisation }).filter(
        (f) => f.severity === 'impossible',
      );
      expect(impossible, p.treatment.productClass).toEqual([]);
    }
    const prp = registry.patients.filter((p) => p.treatment.productClass === 'PRP');
    expect(prp.length).toBeGreaterThan(20);
    const classified = prp.filter(
      (p) => pawClassification(p.treatment.characterisation ?? {}).code !== null,
    );
    expect(classified.length).toBeGreaterThan(prp.length / 2);
    const bmac = registry.patients.find((p) => p.treatment.productClass === 'BMAC');
    expect(bmac?.treatment.characterisation?.totalNucleatedCellsMillions).toBeGreaterThan(0);
  });

  it('records cells injected for every cell product with a cited range, so doses can be analysed', () => {
    const registry = make(1);
    const dosesOf = (productClass: string) =>
      registry.patients
        .filter((p) => p.treatment.productClass === productClass)
        .map((p) => p.treatment.cellDoseMillions);
    // Bone-marrow concentrate: its whole product is injected, so cells injected = its nucleated cells.
    const bmac = registry.patients.filter((p) => p.treatment.productClass === 'BMAC');
    expect(bmac.length).toBeGreaterThan(100);
    for (const p of bmac) {
      const tnc = p.treatment.characterisation?.totalNucleatedCellsMillions;
      expect(p.treatment.cellDoseMillions).toBe(tnc);
      const findings = checkTreatment({
        ...p.treatment,
        characterisation: p.treatment.characterisation ?? {},
      });
      expect(findings.map((f) => f.field)).not.toContain('cellDoseMillions');
    }
    const bmacDoses = bmac.map((p) => p.treatment.cellDoseMillions as number);
    // Both sides of Centeno et al. 2015's split at 4 × 10⁸ nucleated cells.
    expect(Math.min(...bmacDoses)).toBeLessThan(400);
    expect(Math.max(...bmacDoses)).toBeGreaterThan(400);
    // Culture-expanded cells within their sources' lowest and highest doses.
    for (const [productClass, low, high] of [
      ['BM-MSC', 24, 100],
      ['AD-MSC', 2, 100],
      ['UC-MSC', 10, 100],
    ] as const) {
      const doses = dosesOf(productClass);
      expect(doses.length, productClass).toBeGreaterThan(5);
      for (const d of doses) {
        expect(d, productClass).toBeGreaterThanOrEqual(low);
        expect(d, productClass).toBeLessThanOrEqual(high);
      }
    }
    // No source gave a cell count for micro-fragmented fat: none is invented.
    expect(new Set(dosesOf('MFAT'))).toEqual(new Set([null]));
  });

  it('gives PRP as a series of one, three or five weekly injections, numbered, none in the future', () => {
    const registry = make(1);
    const prp = registry.patients.filter((p) => p.treatment.productClass === 'PRP');
    const lengths = prp.map((p) => 1 + p.seriesInjections.length);
    for (const n of [1, 3, 5]) expect(lengths).toContain(n);
    // Another length only for a series still under way today.
    for (const p of prp.filter((x) => ![1, 3, 5].includes(1 + x.seriesInjections.length)))
      expect(addDays(p.seriesInjections.at(-1)?.treatmentDate ?? '', 7) > today).toBe(true);
    for (const p of registry.patients) {
      if (p.treatment.productClass !== 'PRP') expect(p.seriesInjections).toEqual([]);
      p.seriesInjections.forEach((t, i) => {
        expect(t.productClass).toBe(p.treatment.productClass);
        expect(t.characterisation?.seriesNumber).toBe(i + 2);
        expect(t.characterisation?.seriesSpacingDays).toBe(7);
        expect(t.treatmentDate).toBe(addDays(p.treatment.treatmentDate, 7 * (i + 1)));
        expect(t.treatmentDate <= today).toBe(true);
        expect(treatmentSchema.safeParse(t).success).toBe(true);
        const findings = checkTreatment({ ...t, characterisation: t.characterisation ?? {} });
        expect(findings.filter((f) => f.severity === 'impossible')).toEqual([]);
      });
    }
  });

  it('loses patients to follow-up over time, as registries do', () => {
    const registry = make(1);
    // Only patients whose 24-month window has closed, so "not yet due" is not counted as lost.
    const eligible = registry.patients.filter(
      (p) => addMonths(p.treatment.treatmentDate, 25) < today,
    );
    expect(eligible.length).toBeGreaterThan(100);
    const share = (timepoint: string) => {
      const answered = eligible.filter((p) =>
        p.responses.some((r) => r.timepoint === timepoint && r.instrumentId === 'nrs-pain'),
      );
      return answered.length / eligible.length;
    };
    expect(share('baseline')).toBeGreaterThan(0.9);
    expect(share('m12')).toBeLessThan(share('m3'));
    expect(share('m24')).toBeLessThan(share('m12'));
  });
});
